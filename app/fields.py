"""Form fields for Vietnamese dates and times: typed as dd/mm/yyyy and HH:MM (24-hour), in the campaign's
time zone, stored as timezone-aware UTC. Browsers' own date pickers show the user's OS format (often
mm/dd/yyyy or AM/PM), which is why these are plain text fields with a clear pattern."""

from __future__ import annotations

import threading
from collections import OrderedDict
from contextlib import suppress
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from wtforms import SelectField, SelectMultipleField, StringField, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget, Select, html_params

# Plausible years for anything the campaign schedules; outside them a date is a typo (01/01/0001, 31/12/9999)
# and would overflow time-zone arithmetic or draw a timeline of centuries.
MIN_YEAR, MAX_YEAR = 2000, 2100

DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y")
DATETIME_FORMATS = (
    "%d/%m/%Y %H:%M",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d %H:%M",
    "%d-%m-%Y %H:%M",
    "%d/%m/%Y %Hh%M",
    "%d/%m/%Y %H.%M",
)


def _strptime(text: str, formats) -> datetime | None:
    text = " ".join((text or "").split())
    for fmt in formats:
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            continue
    return None


def _plausible(value: datetime) -> bool:
    return MIN_YEAR <= value.year <= MAX_YEAR


def parse_local_date(text: str) -> date | None:
    """A date typed as dd/mm/yyyy (or ISO) between MIN_YEAR and MAX_YEAR, None when it is not one."""
    parsed = _strptime(text, DATE_FORMATS)
    return parsed.date() if parsed is not None and _plausible(parsed) else None


def implausible_date(text: str) -> bool:
    """Whether ``text`` is a real date in a date field's format but outside MIN_YEAR..MAX_YEAR (01/01/0001, a
    forged 9999-12-31): not a typo to point out, a request to refuse."""
    parsed = _strptime(text, DATE_FORMATS)
    return parsed is not None and not _plausible(parsed)


def parse_local_datetime(text: str, tz: ZoneInfo) -> datetime | None:
    """A local date and time typed as dd/mm/yyyy HH:MM (or ISO) between MIN_YEAR and MAX_YEAR, as an aware UTC
    instant; None when invalid."""
    parsed = _strptime(text, DATETIME_FORMATS)
    return parsed.replace(tzinfo=tz).astimezone(UTC) if parsed is not None and _plausible(parsed) else None


def _year_error() -> ValueError:
    return ValueError(_l("Enter a year between %(first)s and %(last)s.", first=MIN_YEAR, last=MAX_YEAR))


def _tz() -> ZoneInfo:
    return ZoneInfo(current_app.config["TIMEZONE"])


class LocalDateField(StringField):
    """dd/mm/yyyy."""

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("render_kw", {}).update(
            {"placeholder": _l("dd/mm/yyyy"), "inputmode": "numeric", "autocomplete": "off"}
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
        self.data = None
        parsed = _strptime(valuelist[0], DATE_FORMATS)
        if parsed is None:
            raise ValueError(_l("Write the date as dd/mm/yyyy, for example 10/10/2024."))
        if not _plausible(parsed):
            raise _year_error()
        self.data = parsed.date()


class LocalDateTimeField(StringField):
    """dd/mm/yyyy HH:MM in the campaign's time zone; ``data`` is an aware UTC datetime."""

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("render_kw", {}).update({"placeholder": _l("dd/mm/yyyy hh:mm"), "autocomplete": "off"})
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
        self.data = None
        parsed = _strptime(valuelist[0], DATETIME_FORMATS)
        if parsed is None:
            raise ValueError(_l("Write the date and time as dd/mm/yyyy hh:mm (24-hour), for example 05/10/2024 07:30."))
        if not _plausible(parsed):
            raise _year_error()
        self.data = parse_local_datetime(valuelist[0], _tz())


class PhoneField(StringField):
    """A phone number: a ``tel`` keyboard on phones; every Form turns its digits into ASCII (app/forms.py)."""

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("render_kw", {}).setdefault("inputmode", "tel")
        kwargs["render_kw"].setdefault("autocomplete", "tel")
        super().__init__(label, validators, **kwargs)


class MultiCheckboxField(SelectMultipleField):
    """A list of checkboxes (easier than a multi-select on a phone)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class KeptOptionsSelect(Select):
    """A ``<select>`` whose ``<option>``s are rendered once per ``field.options_key`` and then reused by every
    request of the process (the calendar's area filter: some 500 units, rendered once per change to the units
    and per language instead of on every page); the chosen option gets ``selected`` put in. The output is the
    same as WTForms' ``Select``, groups included. Without a key (or multiple) it is WTForms' ``Select``."""

    _kept: OrderedDict[str, tuple[list[str], dict, dict]] = OrderedDict()
    _lock = threading.Lock()
    SIZE = 32

    def __call__(self, field, **kwargs):
        key = getattr(field, "options_key", None)
        kept = self._options(key, field) if key is not None and not self.multiple else None
        if kept is None:
            return super().__call__(field, **kwargs)
        kwargs.setdefault("id", field.id)
        flags = getattr(field, "flags", {})
        for name in dir(flags):
            if name in self.validation_attrs and name not in kwargs:
                kwargs[name] = getattr(flags, name)
        rendered, choices, positions = kept
        options = rendered
        chosen = positions.get(field.data) if field.data is not None else None
        if chosen is not None:
            options = list(rendered)
            options[chosen] = str(self.render_option(choices[chosen]._replace(selected=True)))
        # Each part is escaped already: html_params escapes the attributes, render_option the values and labels.
        return Markup(f"<select {html_params(name=field.name, **kwargs)}>{''.join(options)}</select>")  # noqa: S704

    @classmethod
    def forget(cls) -> None:
        """Drop every kept rendering (tests, whose databases start again at version 0, call it)."""
        with cls._lock:
            cls._kept.clear()

    def _options(self, key: str, field) -> tuple[list[str], dict, dict] | None:
        with self._lock:
            kept = self._kept.get(key)
            if kept is not None:
                self._kept.move_to_end(key)
                return kept
        rendered, choices, positions = [], {}, {}

        def add(choice) -> None:
            index = len(rendered)
            choices[index] = choice._replace(selected=False)
            rendered.append(str(self.render_option(choices[index])))
            with suppress(TypeError, ValueError):
                positions.setdefault(field.coerce(choice.value), index)

        if field.has_groups():  # the sign-up's wards under their districts: <optgroup>s kept as they are
            for group, group_choices in field._iter_groups_normalized():
                if group is not None:
                    rendered.append(f"<optgroup {html_params(label=group)}>")
                for choice in group_choices:
                    add(choice)
                if group is not None:
                    rendered.append("</optgroup>")
        else:
            for choice in field._iter_choices_normalized():
                add(choice)
        with self._lock:
            self._kept[key] = (rendered, choices, positions)
            while len(self._kept) > self.SIZE:
                self._kept.popitem(last=False)
        return rendered, choices, positions


class LongSelectField(SelectField):
    """A select of many plain (value, label) choices (the calendar's ~500 areas): its options rendered once per
    ``options_key`` (``KeptOptionsSelect``), and a submitted value checked against a set, not by building a
    choice object for each option on every request."""

    widget = KeptOptionsSelect()

    def pre_validate(self, form):
        if self.process_errors or not self.validate_choice:
            return None
        if self.choices is None or isinstance(self.choices, dict):
            return super().pre_validate(form)
        values = set()
        for choice in self.choices:
            if not isinstance(choice, (tuple, list)):
                return super().pre_validate(form)
            values.add(self.coerce(choice[0]))
        if self.data not in values:
            raise ValidationError(self.invalid_choice_message or self.gettext("Not a valid choice."))
        return None
