"""What every feature's views share: saving once per form submission, the confirmation step of destructive
actions, and .xlsx downloads. Features import these from here, never from one another's views."""

from __future__ import annotations

import io
from collections.abc import Callable

from flask import abort, flash, redirect, render_template, request, send_file
from werkzeug.wrappers import Response

from .errors import DomainError
from .extensions import db
from .forms import ConfirmForm
from .submissions import run_once
from .tabular import XLSX_MIMETYPE


def save_once(form, action: Callable[[], str], saved_message: str) -> tuple[Response | None, list]:
    """Run ``action`` (it writes and returns the next page's URL) once for this form submission.

    Returns (redirect, []) when saved, (None, warnings) when the organizer must confirm warnings first (a
    ``DomainError`` carrying ``warnings``, such as events' ``NeedsConfirmation``), and (None, []) when a rule was
    broken: the reason is then on the form's field."""
    try:
        url, replayed = run_once(form.submission.data, action)
    except DomainError as error:
        db.session.rollback()
        warnings = getattr(error, "warnings", None)
        if warnings:
            return None, list(warnings)
        form.add_domain_error(error)
        return None, []
    if not replayed:
        flash(saved_message, "success")
    return redirect(url), []


def button_posted() -> bool:
    """Buttons that change state post an empty form; only its CSRF token is checked."""
    return ConfirmForm().validate_on_submit()


def refuse_unconfirmed(confirmation_page: str) -> Response | None:
    """The POST of a destructive action: 400 without its CSRF token; back to its confirmation page (303) without
    the page's ``confirm`` field (an old page, a double click, a script); None when the action may go ahead."""
    if not button_posted():
        abort(400)
    if request.form.get("confirm") != "1":
        return redirect(confirmation_page, code=303)
    return None


def confirm_page(*, title: str, losses: list[str], action: str, button: str, back: str):
    """The second step of a destructive action: what will be lost, a button that does it, a way back."""
    return render_template("confirm.html", title=title, losses=losses, action=action, button=button, back=back)


def xlsx_response(data: bytes, filename: str) -> Response:
    """An .xlsx download named ``filename`` (Vietnamese kept in filename*), never kept in a cache."""
    # send_file writes both filename= (an ASCII fallback) and filename*= (the Vietnamese name, RFC 5987).
    response = send_file(io.BytesIO(data), mimetype=XLSX_MIMETYPE, as_attachment=True, download_name=filename)
    response.headers["Cache-Control"] = "no-store"
    return response
