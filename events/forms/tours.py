"""The form of a cluster tour's stop."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectField, StringField, SubmitField
from wtforms.validators import InputRequired, Length, Optional

from app.fields import LocalDateTimeField, MultiCheckboxField
from app.forms import OnceForm


class StopForm(OnceForm):
    name = StringField(
        _l("Name"), validators=[InputRequired(_l("Enter the stop's name, e.g. Cluster 1.")), Length(max=120)]
    )
    host_unit_id = SelectField(_l("Host unit"), coerce=int, validators=[InputRequired(_l("Choose the host unit."))])
    participant_ids = MultiCheckboxField(_l("Participating units"), coerce=int, validators=[Optional()])
    starts_at = LocalDateTimeField(_l("Starts"), validators=[InputRequired(_l("Enter when it starts."))])
    ends_at = LocalDateTimeField(_l("Ends"), validators=[InputRequired(_l("Enter when it ends."))])
    venue_id = SelectField(_l("Venue"), coerce=int, validators=[Optional()])
    accept_warnings = BooleanField(_l("I have read these warnings and want to save anyway"))
    submit = SubmitField(_l("Save the stop"))
