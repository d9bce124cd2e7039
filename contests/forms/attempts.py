"""Taking a round: one question per screen (a plain form post without JavaScript), the prediction, the submit; and
the shape of the answer save that static/js/quiz.js sends as JSON (checked here, judged by the services)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, RadioField, SelectMultipleField, StringField, SubmitField
from wtforms.validators import InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from app.forms import Form

MAX_PREDICTION = 10_000_000
MAX_HANDLE = 32
MAX_CHOICES = 20
MAX_POSITION = 10_000
HANDLE = re.compile(r"^[A-Za-z0-9_-]{1,32}$")  # an option's handle for the attempt (handles.option_handle)


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


class ShapeError(Exception):
    """The body is not what the API takes: ``fields`` maps each wrong field to its messages."""

    def __init__(self, fields: dict[str, list]):
        super().__init__("invalid")
        self.fields = fields


@dataclass(frozen=True)
class AnswerSave:
    position: int
    options: list[str]  # the chosen options' handles, each once, sorted


def parse_answer(payload: dict) -> AnswerSave:
    """An answer save's fields from a JSON object: the question's position on the page and the chosen options'
    handles; ShapeError with a message per wrong field."""
    position, options = payload.get("position"), payload.get("options")
    errors: dict[str, list] = {}
    if not (isinstance(position, int) and not isinstance(position, bool) and 1 <= position <= MAX_POSITION):
        errors["position"] = [_l("The question's number on the page (1, 2, …).")]
    if not (
        isinstance(options, list)
        and len(options) <= MAX_CHOICES
        and all(isinstance(o, str) and HANDLE.match(o) for o in options)
    ):
        errors["options"] = [_l("The chosen options, as the list of their values on the question's page.")]
    if errors:
        raise ShapeError(errors)
    return AnswerSave(position, sorted(set(options)))
