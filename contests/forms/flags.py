"""The organizer's review of flagged attempts: disqualify with a reason, or mark reviewed."""

from flask_babel import lazy_gettext as _l
from wtforms import SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length

from app.forms import Form


class DisqualifyForm(Form):
    reason = TextAreaField(
        _l("Reason"),
        validators=[DataRequired(_l("Write why this attempt is disqualified.")), Length(max=1000)],
        description=_l("Kept in the audit trail and shown to the participant."),
        render_kw={"rows": 3},
    )
    submit = SubmitField(_l("Disqualify this attempt"))
