"""Forms of the events feature, one module per sub-feature."""
