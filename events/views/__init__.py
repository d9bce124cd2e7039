"""Routes of the events feature, one module per sub-feature."""

from __future__ import annotations

# Shared with every feature's views from app/pages.py; imported here for events' own modules.
from app.pages import button_posted, confirm_page, refuse_unconfirmed, save_once, xlsx_response  # noqa: F401

from . import activities, calendar, feeds, plans, registration, tours, transfer, venues  # noqa: E402,F401
