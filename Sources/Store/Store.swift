// Placeholder until the Store module lands.
