"""Forms for planning: plans, venues, activities, tour stops and programme items."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, IntegerField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from app.fields import LocalDateField, LocalDateTimeField, MultiCheckboxField
from app.forms import Form, OnceForm


def activity_kind_choices():
    return [
        ("festival", _l("Fair / festival")),
        ("exhibition", _l("Exhibition space")),
        ("cluster_tour", _l("Cluster tour")),
        ("contest", _l("Contest")),
        ("door_to_door", _l("Door-to-door campaign")),
        ("training", _l("Training class")),
        ("cyber_drill", _l("Cybersecurity drill")),
        ("cashless_drive", _l("Cashless-payment drive")),
        ("communications", _l("Communications")),
        ("ceremony", _l("Ceremony")),
    ]


def audience_group_choices():
    return [
        ("citizens", _l("Residents")),
        ("students", _l("Pupils and students")),
        ("civil_servants", _l("Civil servants")),
        ("enterprises", _l("Enterprises")),
        ("youth", _l("Youth Union members")),
        ("elderly", _l("Older people")),
    ]


OPTIONAL_COUNT = [Optional(), NumberRange(min=0, message=_l("Enter a number of 0 or more."))]


class PlanForm(OnceForm):
    number = StringField(
        _l("Plan number"),
        validators=[Optional(), Length(max=40)],
        description=_l("For example 4568/KH-UBND. A draft may have none yet."),
    )
    issued_on = LocalDateField(_l("Issued on"), validators=[Optional()])
    issuing_unit_id = SelectField(_l("Issuing unit"), coerce=int, validators=[Optional()])
    title = StringField(_l("Title"), validators=[InputRequired(_l("Enter the plan's title.")), Length(max=300)])
    themes = TextAreaField(
        _l("Themes and messages"),
        validators=[Optional()],
        description=_l("One message per line."),
        render_kw={"rows": 4},
    )
    slogans = TextAreaField(
        _l("Slogans"), validators=[Optional()], description=_l("One slogan per line."), render_kw={"rows": 3}
    )
    period_start = LocalDateField(_l("Period from"), validators=[InputRequired(_l("Enter the first day."))])
    period_end = LocalDateField(_l("Period to"), validators=[InputRequired(_l("Enter the last day."))])
    peak_start = LocalDateField(_l("Peak from"), validators=[Optional()])
    peak_end = LocalDateField(_l("Peak to"), validators=[Optional()])
    lead_unit_id = SelectField(_l("Lead unit"), coerce=int, validators=[Optional()])
    report_deadline = LocalDateField(_l("Units report before"), validators=[Optional()])
    submit = SubmitField(_l("Save the plan"))


class PlanStatusForm(Form):
    status = StringField(validators=[InputRequired()])


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


class ActivityForm(OnceForm):
    title = StringField(_l("Title"), validators=[InputRequired(_l("Enter the activity's title.")), Length(max=300)])
    kind = SelectField(_l("Kind"), choices=activity_kind_choices, validators=[InputRequired()])
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
    audience_groups = MultiCheckboxField(_l("Audience groups"), choices=audience_group_choices, validators=[Optional()])
    expected_headcount = IntegerField(_l("Expected headcount"), validators=OPTIONAL_COUNT)
    capacity = IntegerField(
        _l("Registration capacity"), validators=OPTIONAL_COUNT, description=_l("Leave empty for no limit.")
    )
    is_public = BooleanField(_l("Show on the public calendar"), default=True)
    registration_open = BooleanField(_l("Citizens can register"))
    registration_opens_at = LocalDateTimeField(_l("Registration opens"), validators=[Optional()])
    registration_closes_at = LocalDateTimeField(_l("Registration closes"), validators=[Optional()])
    description = TextAreaField(_l("Description"), validators=[Optional()], render_kw={"rows": 4})
    what_to_bring = TextAreaField(
        _l("What to bring"),
        validators=[Optional()],
        render_kw={"rows": 2},
        description=_l("For example: citizen ID card, a smartphone with VNeID installed."),
    )
    accept_warnings = BooleanField(_l("I have read these warnings and want to save anyway"))
    submit = SubmitField(_l("Save the activity"))


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


class ProgrammeItemForm(OnceForm):
    title = StringField(_l("Item"), validators=[InputRequired(_l("Enter what happens.")), Length(max=300)])
    starts_at = LocalDateTimeField(_l("Starts"), validators=[InputRequired(_l("Enter when it starts."))])
    ends_at = LocalDateTimeField(_l("Ends"), validators=[Optional()])
    stop_id = SelectField(_l("At the stop"), coerce=int, validators=[Optional()])
    responsible_unit_id = SelectField(_l("Responsible unit"), coerce=int, validators=[Optional()])
    description = TextAreaField(_l("Details"), validators=[Optional()], render_kw={"rows": 2})
    submit = SubmitField(_l("Add to the programme"))
