"""The rules of the events feature, one module per sub-feature: plans, conflicts, registration,
calendar and feeds, import/export and copying."""
