"""The question bank: a question with its options, and the import upload."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import BooleanField, FieldList, FormField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from app.forms import Form

MAX_OPTIONS = 6


def _topic_id(value):
    if value in ("", None):
        return None
    return int(value)


class OptionEntry(Form):
    class Meta:
        csrf = False

    text = StringField(_l("Answer"), validators=[Optional(), Length(max=500)])
    is_correct = BooleanField(_l("Correct"))


class QuestionForm(Form):
    topic_id = SelectField(_l("Topic"), coerce=_topic_id, validators=[InputRequired(_l("Choose a topic."))])
    difficulty = SelectField(
        _l("Difficulty"),
        choices=[("easy", _l("Easy")), ("medium", _l("Medium")), ("hard", _l("Hard"))],
        validators=[InputRequired()],
    )
    text = TextAreaField(
        _l("Question"), validators=[DataRequired(_l("Write the question.")), Length(max=2000)], render_kw={"rows": 3}
    )
    multiple = BooleanField(_l("Several answers may be correct (the participant ticks every correct one)"))
    options = FieldList(FormField(OptionEntry), min_entries=MAX_OPTIONS, max_entries=MAX_OPTIONS)
    explanation = TextAreaField(
        _l("Explanation"),
        validators=[DataRequired(_l("Explain the correct answer: participants read it after the round closes.")),
                    Length(max=4000)],
        render_kw={"rows": 4},
    )  # fmt: skip
    source = StringField(
        _l("Source"),
        validators=[Optional(), Length(max=500)],
        description=_l("Where the answer comes from, for example a decree or a national cybersecurity guide."),
    )
    submit = SubmitField(_l("Save the question"))

    def option_rows(self) -> list[tuple[str, bool]]:
        """The filled options in order: (text, is_correct)."""
        return [
            (entry.form.text.data.strip(), bool(entry.form.is_correct.data))
            for entry in self.options
            if entry.form.text.data and entry.form.text.data.strip()
        ]

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        rows = self.option_rows()
        if len(rows) < 2:
            self.form_errors.append(_l("Give at least two answers."))
            return False
        correct = sum(1 for _text, right in rows if right)
        if correct == 0:
            self.form_errors.append(_l("Tick the correct answer."))
            return False
        if correct > 1 and not self.multiple.data:
            self.form_errors.append(_l("Only one answer can be correct unless several answers may be correct."))
            return False
        return ok


class QuestionImportForm(Form):
    file = FileField(
        _l("File to import"),
        validators=[
            FileRequired(_l("Choose the file to import.")),
            FileAllowed(["xlsx", "csv"], _l("Choose an .xlsx or .csv file (the import template is an .xlsx file).")),
        ],
        description=_l("The filled-in template (.xlsx), or a .csv file saved as UTF-8."),
        render_kw={"accept": ".xlsx,.csv"},
    )
    submit = SubmitField(_l("Check and import"))


class QuestionFilterForm(Form):
    class Meta:
        csrf = False

    topic = SelectField(_l("Topic"), coerce=_topic_id, validators=[Optional()], validate_choice=False)
    difficulty = SelectField(
        _l("Difficulty"),
        choices=[("", _l("All")), ("easy", _l("Easy")), ("medium", _l("Medium")), ("hard", _l("Hard"))],
        validators=[Optional()],
        validate_choice=False,
    )
