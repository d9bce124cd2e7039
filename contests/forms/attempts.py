"""Taking a round: one question per screen (a plain form post without JavaScript), the prediction, the submit."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, RadioField, SelectMultipleField, StringField, SubmitField
from wtforms.validators import InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from app.forms import Form

MAX_PREDICTION = 10_000_000
MAX_HANDLE = 32
MAX_CHOICES = 20


class _Checkboxes(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class AnswerForm(Form):
    """One question's answer. Choices are the options' handles for this attempt (never their ids), in the
    attempt's own order; the service maps them back and checks that they belong to the question. ``go`` says
    where to go after saving: the next question, the previous one, or the review page."""

    single = RadioField(validators=[Optional()], validate_choice=False)
    multiple = _Checkboxes(validators=[Optional()], validate_choice=False)
    go = StringField(default="next", validators=[Optional(), Length(max=10)])

    def destination(self) -> str:
        return self.go.data if self.go.data in ("next", "previous", "review") else "next"

    def chosen(self, multiple: bool) -> list[str]:
        values = self.multiple.data if multiple else [self.single.data]
        # At most as many as a question has options; a handle is short (anything else names no option).
        return sorted({str(v)[:MAX_HANDLE] for v in values or () if v})[:MAX_CHOICES]


class SubmitAttemptForm(Form):
    """The last step: the prediction (when the round asks it), then submit."""

    prediction = IntegerField(
        _l("How many participants will answer every question of this round correctly?"),
        validators=[
            Optional(),
            NumberRange(0, MAX_PREDICTION, message=_l("Enter a whole number from 0 to %(max)s.")),
        ],
        description=_l("Used only to separate people with the same score: the closest guess ranks first."),
        render_kw={"inputmode": "numeric"},
    )
    submit = SubmitField(_l("Submit my answers"))


class PredictionRequiredForm(SubmitAttemptForm):
    prediction = IntegerField(
        SubmitAttemptForm.prediction.args[0],
        validators=[
            InputRequired(_l("Enter your guess: a whole number.")),
            NumberRange(0, MAX_PREDICTION, message=_l("Enter a whole number from 0 to %(max)s.")),
        ],
        description=SubmitAttemptForm.prediction.kwargs["description"],
        render_kw={"inputmode": "numeric"},
    )
