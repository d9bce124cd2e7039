"""The question bank: a question with its options and optional picture, a new topic, and the import upload."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import BooleanField, FieldList, FormField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from app.forms import Form, OnceForm

from ..models import Difficulty

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
        choices=Difficulty.choices(),
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
    # The size is checked by the service while reading (never more than its limit + 1 byte is read), the content
    # by Pillow: the extension only helps the organizer pick the right file.
    image = FileField(
        _l("Picture (optional)"),
        validators=[FileAllowed(["png", "jpg", "jpeg", "webp"], _l("Choose a PNG, JPEG or WebP picture."))],
        description=_l("PNG, JPEG or WebP, at most 2 MB; shown above the answers."),
        render_kw={"accept": "image/png,image/jpeg,image/webp"},
    )
    image_alt = StringField(
        _l("What the picture shows"),
        validators=[Optional(), Length(max=300)],
        description=_l("Read aloud to participants who cannot see the picture, for example “A text message with a "
                       "link asking for a bank password”."),
    )  # fmt: skip
    remove_image = BooleanField(_l("Remove the picture"))
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


class TopicForm(OnceForm):
    """A new topic; its submission key makes a double click add it once (the second shows the first's result)."""

    name = StringField(
        _l("Name of the topic"),
        validators=[DataRequired(_l("Give the topic a name.")), Length(max=120)],
        description=_l("For example “Online fraud” or “Passwords and two-step verification”."),
    )
    submit = SubmitField(_l("Add the topic"))


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
        choices=[("", _l("All")), *Difficulty.choices()],
        validators=[Optional()],
        validate_choice=False,
    )
