"""Forms of the events feature, one module per sub-feature (plans, activities, tours, venues, registration,
calendar, transfer; feeds take no input)."""
