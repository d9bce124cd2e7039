"""The venue form."""

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from app.forms import Form

from .activities import OPTIONAL_COUNT


class VenueForm(Form):
    name = StringField(_l("Name"), validators=[InputRequired(_l("Enter the venue's name.")), Length(max=200)])
    address = StringField(_l("Address"), validators=[Optional(), Length(max=300)])
    capacity = IntegerField(_l("Capacity (people)"), validators=OPTIONAL_COUNT)
    unit_id = SelectField(_l("Ward or district"), coerce=int, validators=[Optional()])
    directions = TextAreaField(
        _l("How to get there"),
        validators=[Optional()],
        render_kw={"rows": 3},
        description=_l("Landmarks, entrances, parking, bus lines: no map needed."),
    )
    submit = SubmitField(_l("Save the venue"))
