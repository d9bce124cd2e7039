"""The public calendar's filter: a GET form (bookmarkable, works without JavaScript)."""

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, SearchField, SelectField
from wtforms.validators import AnyOf, Length, Optional

from app.fields import LocalDateField, LongSelectField
from app.forms import Form

from ..models import ActivityKind, AudienceGroup

VIEWS = ("upcoming", "month", "week", "list")


class CalendarFilterForm(Form):
    """Which period and which activities to show. It only reads, so it carries no CSRF token: a token in a
    shareable URL would leak it and buy nothing."""

    class Meta:
        csrf = False

    view = HiddenField(default="upcoming", validators=[Optional(), AnyOf(VIEWS)])
    q = SearchField(_l("Search activities"), validators=[Optional(), Length(max=100)])
    date = LocalDateField(_l("Go to date"), validators=[Optional()])
    # "Later" on the upcoming and list pages: only what starts after this day (the last one shown).
    after = LocalDateField(validators=[Optional()])
    kind = SelectField(_l("Kind of activity"), validators=[Optional()])
    area = LongSelectField(_l("District / ward"), validators=[Optional()])
    audience = SelectField(_l("For whom"), validators=[Optional()])

    def __init__(self, formdata, area_options: list[tuple[int, str]], **kwargs):
        super().__init__(formdata, **kwargs)
        self.kind.choices = [("", _l("All kinds"))] + ActivityKind.choices()
        self.area.choices = [("", _l("Everywhere"))] + [(str(uid), label) for uid, label in area_options]
        self.audience.choices = [("", _l("Everyone"))] + AudienceGroup.choices()

    def valid_value(self, name: str) -> str | None:
        """The field's value when it passed validation, else None (a bad filter is ignored, and marked)."""
        field = getattr(self, name)
        return (field.data or None) if not field.errors else None
