"""Forms of the check-in feature, one module per sub-feature (checkpoints, walk-ins, badges)."""
