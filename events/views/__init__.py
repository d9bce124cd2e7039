"""Routes of the events feature, one module per sub-feature, and how the planning forms save: once per
submission, with warnings to confirm and errors on their fields."""

from __future__ import annotations

from collections.abc import Callable

from flask import flash, redirect
from werkzeug.wrappers import Response

from app.errors import DomainError
from app.extensions import db
from app.forms import ConfirmForm
from app.submissions import run_once

from ..services.plans import NeedsConfirmation, Warning


def save_once(form, action: Callable[[], str], saved_message: str) -> tuple[Response | None, list[Warning]]:
    """Run ``action`` (it writes and returns the next page's URL) once for this form submission.

    Returns (redirect, []) when saved, (None, warnings) when the organizer must confirm warnings first, and
    (None, []) when a rule was broken: the reason is then on the form's field."""
    try:
        url, replayed = run_once(form.submission.data, action)
    except NeedsConfirmation as pending:
        db.session.rollback()
        return None, pending.warnings
    except DomainError as error:
        db.session.rollback()
        form.add_domain_error(error)
        return None, []
    if not replayed:
        flash(saved_message, "success")
    return redirect(url), []


def button_posted() -> bool:
    """Buttons that change state post an empty form; only its CSRF token is checked."""
    return ConfirmForm().validate_on_submit()


from . import activities, calendar, feeds, plans, registration, tours, transfer, venues  # noqa: E402,F401
