"""What every registration module shares: the three statuses by their short names, and the shape of a
normalised phone number."""

from __future__ import annotations

import re

from ...models import RegistrationStatus

CONFIRMED = RegistrationStatus.CONFIRMED
WAITLISTED = RegistrationStatus.WAITLISTED
CANCELLED = RegistrationStatus.CANCELLED

_PHONE = re.compile(r"0[35789][0-9]{8}")  # normalised form of app.forms.PHONE_PATTERN
