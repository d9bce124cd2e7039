"""Routes of the events feature, one module per sub-feature."""

from . import activities, plans, transfer  # noqa: F401
