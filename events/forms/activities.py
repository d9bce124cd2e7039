"""Forms for activities and their programme."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, IntegerField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from app.fields import LocalDateTimeField, MultiCheckboxField
from app.forms import OnceForm

from ..models import ActivityKind, AudienceGroup

OPTIONAL_COUNT = [Optional(), NumberRange(min=0, message=_l("Enter a number of 0 or more."))]


class ActivityForm(OnceForm):
    # Its own words, not the unit form's "Kind" ("Loại đơn vị") nor the import's "Title" column ("Tiêu đề").
    title = StringField(
        _l("Name of the activity"),
        validators=[InputRequired(_l("Enter the name of the activity.")), Length(max=300)],
    )
    kind = SelectField(_l("Kind of activity"), choices=ActivityKind.choices, validators=[InputRequired()])
    starts_at = LocalDateTimeField(_l("Starts"), validators=[InputRequired(_l("Enter when it starts."))])
    ends_at = LocalDateTimeField(_l("Ends"), validators=[InputRequired(_l("Enter when it ends."))])
    venue_id = SelectField(_l("Venue"), coerce=int, validators=[Optional()])
    area_unit_id = SelectField(
        _l("Ward or district"),
        coerce=int,
        validators=[Optional()],
        description=_l("Where it happens; taken from the venue when left empty."),
    )
    lead_unit_id = SelectField(_l("Lead unit"), coerce=int, validators=[Optional()])
    coordinator_ids = MultiCheckboxField(_l("Coordinating units"), coerce=int, validators=[Optional()])
    audience = StringField(_l("Audience"), validators=[Optional(), Length(max=300)])
    audience_groups = MultiCheckboxField(_l("Audience groups"), choices=AudienceGroup.choices, validators=[Optional()])
    expected_headcount = IntegerField(_l("Expected headcount"), validators=OPTIONAL_COUNT)
    capacity = IntegerField(
        _l("Registration capacity"), validators=OPTIONAL_COUNT, description=_l("Leave empty for no limit.")
    )
    is_public = BooleanField(_l("Show on the public calendar"), default=True)
    registration_open = BooleanField(_l("Citizens can register"))
    registration_opens_at = LocalDateTimeField(_l("Registration opens"), validators=[Optional()])
    registration_closes_at = LocalDateTimeField(
        _l("Registration closes"),
        validators=[Optional()],
        description=_l(
            "Online registration always closes when the activity starts, even if this time is later: after the "
            "start, people register at the venue's welcome desk (walk-in) until the activity ends."
        ),
    )
    description = TextAreaField(_l("Description"), validators=[Optional()], render_kw={"rows": 4})
    what_to_bring = TextAreaField(
        _l("What to bring"),
        validators=[Optional()],
        render_kw={"rows": 2},
        description=_l("For example: citizen ID card, a smartphone with VNeID installed."),
    )
    accept_warnings = BooleanField(_l("I have read these warnings and want to save anyway"))
    submit = SubmitField(_l("Save the activity"))


class ProgrammeItemForm(OnceForm):
    title = StringField(_l("Item"), validators=[InputRequired(_l("Enter what happens.")), Length(max=300)])
    starts_at = LocalDateTimeField(_l("Starts"), validators=[InputRequired(_l("Enter when it starts."))])
    ends_at = LocalDateTimeField(_l("Ends"), validators=[Optional()])
    stop_id = SelectField(_l("At the stop"), coerce=int, validators=[Optional()])
    responsible_unit_id = SelectField(_l("Responsible unit"), coerce=int, validators=[Optional()])
    description = TextAreaField(_l("Details"), validators=[Optional()], render_kw={"rows": 2})
    submit = SubmitField(_l("Add to the programme"))
