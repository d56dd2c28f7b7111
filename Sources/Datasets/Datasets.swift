// Placeholder until the Datasets module lands.
