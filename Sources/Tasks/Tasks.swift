// Placeholder until the Tasks module lands.
