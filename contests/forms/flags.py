"""The organizer's review of flagged attempts: disqualify with a reason, reinstate with a reason, or mark reviewed."""

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, SubmitField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, Length, Optional

from app.forms import Form


class DisqualifyForm(Form):
    reason = TextAreaField(
        _l("Reason"),
        validators=[DataRequired(_l("Write why this attempt is disqualified.")), Length(max=1000)],
        description=_l("Kept in the audit trail and shown to the participant."),
        render_kw={"rows": 3},
    )
    submit = SubmitField(_l("Disqualify this attempt"))


class ReinstateForm(Form):
    reason = TextAreaField(
        _l("Reason"),
        validators=[DataRequired(_l("Write why this attempt is reinstated.")), Length(max=1000)],
        description=_l("Kept in the audit trail."),
        render_kw={"rows": 2},
    )
    # Which page the button was on, to go back to it (never a URL: no open redirect).
    back = HiddenField(validators=[Optional(), AnyOf(["flags", "ranking"])])
    submit = SubmitField(_l("Reinstate this attempt"))
