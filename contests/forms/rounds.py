"""The organizer's forms for rounds: times, questions, attempts, prizes, the prediction; and the population or
headcount of each unit, against which participation rates are shown."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    FieldList,
    FormField,
    HiddenField,
    IntegerField,
    SelectMultipleField,
    StringField,
    SubmitField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from app.fields import LocalDateTimeField
from app.forms import Form, OnceForm

from ..models.quiz import DEFAULT_PRIZE_MIN_PERCENT, DEFAULT_PRIZE_TABLE, PRIZE_ORDER, Prize


def _count(label, low=0, high=1000, required=True, **extra):
    checks = [InputRequired(_l("Enter a number."))] if required else [Optional()]
    return IntegerField(
        label,
        **extra,
        validators=[*checks, NumberRange(low, high, message=_l("Enter a whole number from %(min)s to %(max)s."))],
        render_kw={"inputmode": "numeric"},
    )


class _Checkboxes(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class RoundForm(OnceForm):
    title = StringField(
        _l("Title"),
        validators=[DataRequired(_l("Enter the round's title.")), Length(max=200)],
        description=_l("For example “Tuần 1” or “Kỳ thi thứ nhất”."),
    )
    opens_at = LocalDateTimeField(_l("Opens at"), validators=[InputRequired(_l("Enter when the round opens."))])
    closes_at = LocalDateTimeField(_l("Closes at"), validators=[InputRequired(_l("Enter when the round closes."))])
    # A new round starts from a usual weekly round (10 questions in 15 minutes, one attempt, the usual prizes).
    question_count = _count(_l("Number of questions"), 1, 200, default=10)
    time_limit_minutes = _count(_l("Time limit (minutes)"), 1, 600, default=15)
    attempts_allowed = _count(_l("Attempts allowed per person"), 1, 10, default=1)
    # One field per prize, named prize_<value> (the service names a refused count's field the same way).
    prize_first = _count(_l("First prizes"), 0, 100, default=DEFAULT_PRIZE_TABLE[Prize.FIRST])
    prize_second = _count(_l("Second prizes"), 0, 100, default=DEFAULT_PRIZE_TABLE[Prize.SECOND])
    prize_third = _count(_l("Third prizes"), 0, 100, default=DEFAULT_PRIZE_TABLE[Prize.THIRD])
    prize_consolation = _count(_l("Consolation prizes"), 0, 1000, default=DEFAULT_PRIZE_TABLE[Prize.CONSOLATION])
    prize_min_percent = _count(
        _l("Least score for a prize (percent of the questions right)"),
        0,
        100,
        required=False,
        default=DEFAULT_PRIZE_MIN_PERCENT,
        description=_l("No prize below it, whatever the rank. Left empty: half of the questions."),
    )
    pool_topic_ids = _Checkboxes(
        _l("Topics this round draws from"),
        coerce=int,
        description=_l(
            "None ticked: every topic. Give weekly rounds their own topics so that each draws from its own "
            "questions; a question whose answer a closed round published is never drawn again in this contest."
        ),
    )
    asks_prediction = BooleanField(
        _l("Ask the prediction question (how many will answer everything correctly?) to break ties")
    )
    submit = SubmitField(_l("Save the round"))

    def prize_table(self) -> dict[Prize, int]:
        return {prize: getattr(self, f"prize_{prize}").data or 0 for prize in PRIZE_ORDER}

    def fill_from(self, round_) -> None:
        """Show a saved round (a GET of the edit page)."""
        self.title.data = round_.title
        self.opens_at.data, self.closes_at.data = round_.opens_at, round_.closes_at
        self.question_count.data = round_.question_count
        self.time_limit_minutes.data = max(1, round_.time_limit_seconds // 60)
        self.attempts_allowed.data = round_.attempts_allowed
        for prize in PRIZE_ORDER:
            getattr(self, f"prize_{prize}").data = (round_.prize_table or {}).get(prize, 0)
        self.asks_prediction.data = round_.asks_prediction
        self.prize_min_percent.data = round_.prize_min_percent
        self.pool_topic_ids.data = list(round_.pool_topic_ids or [])


class PopulationEntry(Form):
    class Meta:
        csrf = False

    unit_id = HiddenField()
    population = _count(_l("Population or headcount"), 0, 100_000_000, required=False)


class PopulationForm(Form):
    units = FieldList(FormField(PopulationEntry), min_entries=0, max_entries=2000)
    submit = SubmitField(_l("Save the figures"))
