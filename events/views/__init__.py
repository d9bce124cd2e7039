"""Routes of the events feature, one module per sub-feature."""
from . import plans  # noqa: F401
