"""The checkpoint form and the volunteer assignment form: shape only, the service holds the rules."""

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from app.forms import Form

from ..models import CheckpointKind, CheckpointRule


class CheckpointForm(Form):
    name = StringField(
        _l("Name"),
        validators=[
            InputRequired(_l("Enter the checkpoint's name.")),
            Length(max=200, message=_l("The name is too long.")),
        ],
        description=_l("As volunteers and visitors call it: “Main gate”, “Digital society space”."),
    )
    kind = SelectField(
        _l("Kind of checkpoint"),
        choices=CheckpointKind.choices,
        validators=[InputRequired(_l("Choose the kind of checkpoint."))],
        description=_l("An entrance and an exit of the same activity together give the number of people inside."),
    )
    rule = SelectField(
        _l("Admit one ticket"),
        choices=CheckpointRule.choices,
        validators=[InputRequired(_l("Choose how often a ticket is admitted."))],
    )
    host_unit_id = SelectField(_l("Staffed by"), coerce=int, validators=[Optional()])
    position = IntegerField(
        _l("Position in the list"),
        default=0,
        validators=[Optional(), NumberRange(min=0, max=999, message=_l("Enter a number from 0 to 999."))],
        render_kw={"inputmode": "numeric"},
    )
    description = TextAreaField(
        _l("What happens here"), validators=[Optional(), Length(max=2000)], render_kw={"rows": 3}
    )
    submit = SubmitField(_l("Save the checkpoint"))


class AssignForm(Form):
    user_id = SelectField(
        _l("Volunteer"), coerce=int, validators=[InputRequired(_l("Choose a volunteer."))], validate_choice=False
    )
    submit = SubmitField(_l("Assign"))
