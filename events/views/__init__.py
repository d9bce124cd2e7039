"""Routes of the events feature, one module per sub-feature."""

from . import activities, calendar, feeds, plans, registration, transfer  # noqa: F401
