"""Forms of the check-in feature, one module per sub-feature: scans (the shape of what scanners send, for the API),
checkpoints, walk-ins."""

from .scans import DEVICE_ID, MAX_TOKEN_LENGTH, ScanRequest, ShapeError, parse_scan  # noqa: F401 (the API's)
