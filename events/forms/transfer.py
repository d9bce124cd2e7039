"""Forms for moving schedules in and out: the import upload and the copy-to-next-year button."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import SubmitField

from app.fields import MultiCheckboxField
from app.forms import Form, OnceForm


class ImportForm(Form):
    file = FileField(
        _l("File to import"),
        validators=[
            FileRequired(_l("Choose the file to import.")),
            FileAllowed(["xlsx", "csv"], _l("Choose an .xlsx or .csv file (the import template is an .xlsx file).")),
        ],
        description=_l("The filled-in template (.xlsx), or a .csv file saved as UTF-8. At most 2 MB and 2000 rows."),
        render_kw={"accept": ".xlsx,.csv"},
    )
    submit = SubmitField(_l("Check and import"))


class CopyPlanForm(OnceForm):
    """What to carry along besides the activities: one checkbox per feature that registered a copy hook (contests,
    check-in points), all ticked at first. The copy itself is one year later."""

    carry = MultiCheckboxField(_l("Also copy"), choices=[])
    submit = SubmitField(_l("Copy to next year"))

    def __init__(self, *args, hooks=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.carry.choices = [(hook.name, hook.label) for hook in hooks]
        if not self.is_submitted():
            self.carry.data = [hook.name for hook in hooks]
