"""The walk-in form: a volunteer registers a person at the booth (name, phone, ward, their consent)."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, InputRequired, Length

from app.forms import Form
from app.legal import N_, lazy_consent
from app.person_fields import PHONE_FILTERS, SUBMISSION_PATTERN, phone_validators, strip_text
from app.submissions import new_key


def _ward_id(value):
    if value in ("", None):
        return None
    return int(value)


class WalkInForm(Form):
    name = StringField(
        _l("Full name"),
        filters=[strip_text],
        validators=[
            DataRequired(_l("Enter the person's full name.")),
            Length(max=120, message=_l("The name is too long.")),
        ],
        render_kw={"autocomplete": "off"},
    )
    phone = StringField(
        _l("Phone number"),
        filters=PHONE_FILTERS,
        validators=phone_validators(),
        render_kw={"inputmode": "tel", "autocomplete": "off"},
        description=_l("The ticket link is sent to this number by SMS."),
    )
    ward_id = SelectField(
        _l("Ward or commune where they live"),
        coerce=_ward_id,
        validators=[InputRequired(_l("Choose the person's ward or commune."))],
        validate_choice=False,  # the service refuses a unit that is not a ward, on this field
    )
    consent = BooleanField(
        lazy_consent(N_("The person agrees that their data is used to issue the ticket (%(law)s).")),
        validators=[DataRequired(_l("Ask the person for their consent and tick the box."))],
    )
    submission = HiddenField(default=new_key, filters=[strip_text])
    submit = SubmitField(_l("Register and show the ticket"))

    def submission_key(self) -> str | None:
        value = self.submission.data or ""
        return value if SUBMISSION_PATTERN.match(value) else None
