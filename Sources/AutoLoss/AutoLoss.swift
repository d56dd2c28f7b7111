// Placeholder until the AutoLoss module lands.
