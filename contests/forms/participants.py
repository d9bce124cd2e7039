"""A citizen's sign-up for a contest, and the way back without a password: a code sent to the phone on file, or
(the fallback) the phone, the year of birth and the last 4 digits of the CCCD."""

from __future__ import annotations

import re
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, IntegerField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Optional, Regexp, StopValidation

from app.forms import Form
from app.legal import N_, lazy_consent
from app.models import UnitKind, utcnow
from app.person_fields import PHONE_FILTERS, full_name_field, phone_validators, strip_text, ward_field
from app.text import ascii_digits
from app.timezone import campaign_zone

from ..services.participants.identities import MIN_BIRTH_YEAR, last_birth_year

_CCCD_DECORATION = re.compile(r"[\s.\-]")


def _code_digits(value):
    """Digits as typed on any keyboard (full-width, Arabic-Indic) become 0-9; spaces go."""
    return "".join(ascii_digits(value).split()) if isinstance(value, str) else value


def _cccd_digits(value):
    return _CCCD_DECORATION.sub("", value) if isinstance(value, str) else value


def ward_choices(tree) -> list[SelectChoice]:
    """Select options from ``app.services.unit_tree``: a placeholder, then each ward or commune under the district
    above it (tree order, Vietnamese alphabetical order among siblings)."""
    choices = [SelectChoice("", _l("Choose your ward or commune"))]
    district = ""
    for unit, depth in tree:  # depth first: a ward comes after the district above it
        if unit.kind == UnitKind.DISTRICT:
            district = unit.name
        elif depth == 0:
            district = ""
        elif unit.kind == UnitKind.WARD:
            group = district or str(_l("Other wards and communes"))
            choices.append(SelectChoice(str(unit.id), unit.name, optgroup=group))
    return choices


def _birth_year_in_range(form, field):
    """The last year follows the date of the validation, in the campaign's zone (a form kept for years in a
    module would otherwise refuse every child born after it was written)."""
    today = getattr(form, "today", None) or utcnow().astimezone(campaign_zone()).date()
    last = last_birth_year(today)
    if field.data is None or not MIN_BIRTH_YEAR <= field.data <= last:
        raise StopValidation(_("Enter a year of birth between %(min)s and %(max)s.", min=MIN_BIRTH_YEAR, max=last))


def birth_year_field(label):
    return IntegerField(
        label,
        validators=[InputRequired(_l("Enter your year of birth.")), _birth_year_in_range],
        render_kw={"inputmode": "numeric", "autocomplete": "bday-year", "maxlength": 4},
    )


class _DatedForm(Form):
    """A form whose checks depend on the date: ``today`` (the campaign's local date) for tests and jobs, or None
    to read the clock when the form is validated."""

    def __init__(self, *args, today: date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today


class ParticipantForm(_DatedForm):
    """Who takes part: the least the contest needs (Decree 13/2023/NĐ-CP), with consent."""

    full_name = full_name_field()
    phone = StringField(
        _l("Phone number"),
        filters=PHONE_FILTERS,
        validators=phone_validators(),
        description=_l("One phone takes part once per contest. It is never shown in full."),
    )
    ward_id = ward_field()  # the service refuses a unit that is not a ward
    birth_year = birth_year_field(_l("Year of birth"))
    cccd = StringField(
        _l("Citizen ID number (CCCD, optional)"),
        filters=[strip_text, _cccd_digits],
        validators=[Optional(), Regexp(r"^[0-9]{12}$", message=_l("A citizen ID (CCCD) has 12 digits."))],
        description=_l("Only to make sure one person takes part once; we keep its last 4 digits, never the number."),
        render_kw={"inputmode": "numeric", "autocomplete": "off", "maxlength": 14},
    )
    consent = BooleanField(
        lazy_consent(N_("I agree that my data is used as described above (%(law)s).")),
        validators=[DataRequired(_l("Please agree to the use of your data to take part."))],
    )
    submit = SubmitField(_l("Take part"))


class ReturnForm(Form):
    """Back to one's own attempts from another device, step 1: the phone signed up with (a code is sent to it)."""

    phone = StringField(_l("Phone number you signed up with"), filters=PHONE_FILTERS, validators=phone_validators())
    submit = SubmitField(_l("Send me a code"))


class CodeForm(Form):
    """Step 2: the code sent to the phone or e-mail on file."""

    code = StringField(
        _l("Code (6 digits)"),
        filters=[strip_text, _code_digits],
        validators=[
            InputRequired(_l("Enter the code we sent.")),
            Regexp(r"^[0-9]{6}$", message=_l("The code has 6 digits.")),
        ],  # fmt: skip
        render_kw={"inputmode": "numeric", "autocomplete": "one-time-code", "maxlength": 7},
    )
    submit = SubmitField(_l("Continue"))


class ResendForm(Form):
    """Send the code again (a minute after the last)."""

    submit = SubmitField(_l("Send a new code"))


class FallbackForm(_DatedForm):
    """The way back when no code arrives: the phone, the year of birth and the CCCD's last 4 digits given at
    sign-up, all three."""

    phone = StringField(_l("Phone number you signed up with"), filters=PHONE_FILTERS, validators=phone_validators())
    birth_year = birth_year_field(_l("Year of birth you gave"))
    cccd_last4 = StringField(
        _l("Last 4 digits of the citizen ID (CCCD) you gave"),
        filters=[strip_text, _code_digits],
        validators=[
            InputRequired(_l("Enter the last 4 digits of your citizen ID.")),
            Regexp(r"^[0-9]{4}$", message=_l("Enter 4 digits.")),
        ],  # fmt: skip
        render_kw={"inputmode": "numeric", "autocomplete": "off", "maxlength": 4},
    )
    submit = SubmitField(_l("Continue"))
