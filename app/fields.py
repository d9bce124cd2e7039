"""Form fields for Vietnamese dates and times: typed as dd/mm/yyyy and HH:MM (24-hour), in the campaign's
time zone, stored as timezone-aware UTC. Browsers' own date pickers show the user's OS format (often
mm/dd/yyyy or AM/PM), which is why these are plain text fields with a clear pattern."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import lazy_gettext as _l
from wtforms import SelectMultipleField, StringField
from wtforms.widgets import CheckboxInput, ListWidget

DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y")
DATETIME_FORMATS = (
    "%d/%m/%Y %H:%M",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d %H:%M",
    "%d-%m-%Y %H:%M",
    "%d/%m/%Y %Hh%M",
    "%d/%m/%Y %H.%M",
)


def parse_local_date(text: str) -> date | None:
    """A date typed as dd/mm/yyyy (or ISO), None when it is not one."""
    text = " ".join((text or "").split())
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def parse_local_datetime(text: str, tz: ZoneInfo) -> datetime | None:
    """A local date and time typed as dd/mm/yyyy HH:MM (or ISO), as an aware UTC instant; None when invalid."""
    text = " ".join((text or "").split())
    for fmt in DATETIME_FORMATS:
        try:
            return datetime.strptime(text, fmt).replace(tzinfo=tz).astimezone(UTC)
        except ValueError:
            continue
    return None


def _tz() -> ZoneInfo:
    return ZoneInfo(current_app.config["TIMEZONE"])


class LocalDateField(StringField):
    """dd/mm/yyyy."""

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("render_kw", {}).update(
            {"placeholder": "dd/mm/yyyy", "inputmode": "numeric", "autocomplete": "off"}
        )
        super().__init__(label, validators, **kwargs)

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return self.data.strftime("%d/%m/%Y") if isinstance(self.data, date) else ""

    def process_formdata(self, valuelist):
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        self.data = parse_local_date(valuelist[0])
        if self.data is None:
            raise ValueError(_l("Write the date as dd/mm/yyyy, for example 10/10/2024."))


class LocalDateTimeField(StringField):
    """dd/mm/yyyy HH:MM in the campaign's time zone; ``data`` is an aware UTC datetime."""

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("render_kw", {}).update({"placeholder": "dd/mm/yyyy hh:mm", "autocomplete": "off"})
        super().__init__(label, validators, **kwargs)

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        if isinstance(self.data, datetime):
            return self.data.astimezone(_tz()).strftime("%d/%m/%Y %H:%M")
        return ""

    def process_formdata(self, valuelist):
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        self.data = parse_local_datetime(valuelist[0], _tz())
        if self.data is None:
            raise ValueError(_l("Write the date and time as dd/mm/yyyy hh:mm (24-hour), for example 05/10/2024 07:30."))


class MultiCheckboxField(SelectMultipleField):
    """A list of checkboxes (easier than a multi-select on a phone)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()
