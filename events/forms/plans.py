"""Forms for plans: the plan itself and its status buttons."""

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from app.fields import LocalDateField
from app.forms import Form, OnceForm


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
