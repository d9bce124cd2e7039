"""What every template can use: the date, time and number filters, and the globals and context of the layout."""

from __future__ import annotations

from datetime import UTC, date, datetime

from flask import Flask, request
from jinja2 import pass_context
from markupsafe import Markup

from .timezone import campaign_zone


def page_gettext(lookup):
    """A template's ``gettext`` over one catalogue's ``lookup``, as Jinja's new-style gettext that Flask-Babel
    installs behaves: the translation marked safe where the template autoescapes, then always %-formatted with the
    (escaped) variables."""

    @pass_context
    def gettext(context, string: str, **variables) -> str:
        text = lookup(string)
        if context.eval_ctx.autoescape:
            text = Markup(text)  # noqa: S704 (a catalogue's own text, as Jinja's gettext marks it)
        return text % variables

    return gettext


def register_template_helpers(app: Flask) -> None:
    """The filters (``date``, ``datetime``, ``time``, ``isodate``, ``number``), the globals (a form's submission
    key, the page fragments features offer) and what the layout reads on every page (language, labels)."""
    from flask_babel import format_decimal, get_locale, get_timezone, get_translations

    from .forms import LanguageForm, role_choices, unit_kind_choices
    from .providers import fragments
    from .submissions import new_key

    # Flask-Babel shows every instant in the configured TIMEZONE; the patterns are the interface's (dd/mm/yyyy,
    # 24-hour) in both languages, as Vietnamese offices write them.
    # The patterns are all digits, the same in every language: formatted with strftime in the configured zone
    # (what Flask-Babel's format_date/_datetime/_time do, a naive datetime being UTC) at a fraction of the cost,
    # since a month of the calendar formats hundreds of them.
    def local(value):
        if isinstance(value, datetime):
            return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(get_timezone())
        return value

    @app.template_filter("date")
    def date_filter(value):
        return local(value).strftime("%d/%m/%Y") if value else ""

    @app.template_filter("datetime")
    def datetime_filter(value):
        return local(value).strftime("%d/%m/%Y %H:%M") if value else ""

    @app.template_filter("time")
    def time_filter(value):
        return local(value).strftime("%H:%M") if value else ""

    @app.template_filter("isodate")
    def isodate_filter(value):
        if isinstance(value, datetime):
            return value.astimezone(campaign_zone()).isoformat()
        return value.isoformat() if isinstance(value, date) else ""

    @app.template_filter("number")
    def number_filter(value):
        return format_decimal(value) if value is not None else ""

    role_labels = dict(role_choices())
    kind_labels = dict(unit_kind_choices())

    app.jinja_env.globals["new_submission_key"] = new_key
    app.jinja_env.globals["page_fragments"] = fragments.templates

    @app.context_processor
    def inject():
        return {
            # ``_()`` and ``{% trans %}`` call the context's ``gettext`` (Jinja's i18n extension resolves it there
            # first): the catalogue looked up once per page, not through Flask-Babel's request context per string.
            "gettext": page_gettext(get_translations().ugettext),
            "current_locale": str(get_locale()),
            "language_form": LanguageForm(formdata=None, next=request.full_path.rstrip("?") if request else "/"),
            "role_labels": role_labels,
            "unit_kind_labels": kind_labels,
        }
