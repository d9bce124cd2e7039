"""The citizen's registration form. It checks shape only; the service decides seats, the waitlist and duplicates."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, HiddenField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, Length, Optional

from app.forms import Form
from app.legal import N_, lazy_consent
from app.person_fields import (  # noqa: F401 (shared with check-in and the quiz from app/)
    PHONE_FILTERS,
    SUBMISSION_PATTERN,
    full_name_field,
    phone_validators,
    strip_text,
    ward_choices,
    ward_field,
)


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
        filters=[strip_text],
        validators=[
            Optional(),
            Email(_l("This is not a valid email address."), check_deliverability=False),
            Length(max=254, message=_l("The email address is too long.")),
        ],
    )
    consent = BooleanField(
        lazy_consent(N_("I agree that my data is used as described above (%(law)s).")),
        validators=[DataRequired(_l("Please agree to the use of your data to register."))],
    )
    # A random key put in the page when it is shown: the same page submitted twice makes one registration.
    submission = HiddenField(filters=[strip_text])
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
        filters=[strip_text],
        validators=[
            Optional(),
            Email(_l("This is not a valid email address."), check_deliverability=False),
            Length(max=254, message=_l("The email address is too long.")),
        ],
        description=_l("The links go to this email if it is the one you registered with; otherwise by SMS."),
    )
    submit = SubmitField(_l("Send me my links"))
