"""The citizen's registration form. It checks shape only; the service decides seats, the waitlist and duplicates."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, HiddenField, SelectField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, InputRequired, Length, Optional, Regexp

from app.fields import KeptOptionsSelect
from app.forms import PHONE_PATTERN, Form
from app.urls import MAX_DB_INT

# What people type around the digits ("0912 345 678", "0912.345.678", "(+84) 912-345-678").
_PHONE_DECORATION = re.compile(r"[\s.\-()]")
SUBMISSION_PATTERN = re.compile(r"^[A-Za-z0-9_-]{32,64}$")


def _strip(value):
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


PHONE_FILTERS = [_strip, _phone_digits]


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
        filters=[_strip],
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


class RegistrationForm(Form):
    """Name, phone, ward, optional email and consent; also read from a JSON body by the API."""

    name = full_name_field()
    phone = StringField(
        _l("Phone number"),
        filters=PHONE_FILTERS,
        validators=phone_validators(),
        description=_l("Used to recognise your registration at the venue. It is never shown in full."),
    )
    ward_id = ward_field()
    email = EmailField(
        _l("Email (optional)"),
        filters=[_strip],
        validators=[
            Optional(),
            Email(_l("This is not a valid email address."), check_deliverability=False),
            Length(max=254, message=_l("The email address is too long.")),
        ],
    )
    consent = BooleanField(
        _l("I agree that my data is used as described above (Decree 13/2023/NĐ-CP)."),
        validators=[DataRequired(_l("Please agree to the use of your data to register."))],
    )
    # A random key put in the page when it is shown: the same page submitted twice makes one registration.
    submission = HiddenField(filters=[_strip])
    submit = SubmitField(_l("Register"))

    def submission_key(self) -> str | None:
        """The page's submission key if it has the expected shape, else None (a fresh ticket is made)."""
        value = self.submission.data or ""
        return value if SUBMISSION_PATTERN.match(value) else None


class FindRegistrationForm(Form):
    """A citizen who lost their link types the phone (and the e-mail, if they gave one) to be sent it again."""

    phone = StringField(
        _l("Phone number you registered with"),
        filters=PHONE_FILTERS,
        validators=phone_validators(),
    )
    email = EmailField(
        _l("Email you registered with (if you gave one)"),
        filters=[_strip],
        validators=[
            Optional(),
            Email(_l("This is not a valid email address."), check_deliverability=False),
            Length(max=254, message=_l("The email address is too long.")),
        ],
        description=_l("The links go to this email if it is the one you registered with; otherwise by SMS."),
    )
    submit = SubmitField(_l("Send me my links"))
