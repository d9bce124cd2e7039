"""The fields a citizen fills in about themselves, shared by every feature that asks: the events registration, the
check-in walk-in and the quiz's sign-up (name, phone, ward), and the submission key of a form posted once."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Regexp

from .fields import KeptOptionsSelect
from .forms import PHONE_PATTERN
from .urls import MAX_DB_INT

# What people type around the digits ("0912 345 678", "0912.345.678", "(+84) 912-345-678").
_PHONE_DECORATION = re.compile(r"[\s.\-()]")
SUBMISSION_PATTERN = re.compile(r"^[A-Za-z0-9_-]{32,64}$")


def strip_text(value):
    """A filter: the text without the spaces around it (other values as they are)."""
    return value.strip() if isinstance(value, str) else value


def _phone_digits(value):
    return _PHONE_DECORATION.sub("", value) if isinstance(value, str) else value


def _ward_id(value):
    # "" is the "choose…" placeholder: no ward yet, which InputRequired then reports in words.
    if value in ("", None):
        return None
    number = int(value)
    if not 1 <= number <= MAX_DB_INT:  # no unit has such an id: the service says "choose from the list"
        return 0
    return number


PHONE_FILTERS = [strip_text, _phone_digits]


def phone_validators() -> list:
    """A Vietnamese mobile number, required (fresh validator objects for each field that uses them)."""
    return [
        DataRequired(_l("Enter your phone number.")),
        Regexp(
            PHONE_PATTERN,
            message=_l("A phone number has 10 digits starting with 03, 05, 07, 08 or 09, or starts with +84."),
        ),
    ]


def full_name_field() -> StringField:
    """A person's full name, required, as registration and the quiz's sign-up ask it."""
    return StringField(
        _l("Full name"),
        filters=[strip_text],
        validators=[DataRequired(_l("Enter your full name.")), Length(max=120, message=_l("The name is too long."))],
    )


def ward_field() -> SelectField:
    """The ward or commune where a person lives, chosen from the unit tree (the page fills the choices)."""
    return SelectField(
        _l("Ward or commune where you live"),
        coerce=_ward_id,
        validators=[InputRequired(_l("Choose your ward or commune."))],
        # The service refuses a ward that is not one (``unknown_ward``, on this field): a POST need not load the
        # 500 wards of a province to check its choice; only a page that shows the list does.
        validate_choice=False,
        widget=KeptOptionsSelect(),  # a page that sets ``options_key`` renders the 500 options once per version
    )


def ward_choices(groups: list[tuple[str, list[tuple[int, str]]]]) -> list[SelectChoice]:
    """Select options from ``services.wards_by_district``: a placeholder, then wards under their district."""
    choices = [SelectChoice("", _l("Choose your ward or commune"))]
    for district, wards in groups:
        group = district or str(_l("Other wards and communes"))
        choices.extend(SelectChoice(str(ward_id), name, optgroup=group) for ward_id, name in wards)
    return choices
