"""The contests feature's JSON API (described in /api/openapi.json): the state of a participant's attempt and the
answer save that static/js/quiz.js calls as soon as an option is chosen.

Writes are CSRF-protected like every other write: the attempt's state (``GET .../attempt``) answers ``csrf_token``
for the session cookie, and the question page carries the same token; send it in the ``X-CSRFToken`` header. A
save is idempotent: the same answer saved twice, or from two tabs at once, leaves one answer per question."""

from __future__ import annotations

import re

from flask import jsonify, request
from flask_babel import gettext as _
from flask_wtf.csrf import generate_csrf

from app.errors import DomainError, json_error
from app.extensions import db, limiter
from app.models import utcnow

from . import bp
from .services import pages
from .views import TOKEN, participant_key, quiz_answer_limit, quiz_participant_limit
from .views.attempts import handle_key

MAX_POSITION = 10_000
HANDLE = re.compile(r"^[A-Za-z0-9_-]{1,32}$")  # an option's handle for the attempt (quiz.option_handle)


def _attempt(token: str, round_id: int, position: int | None = None):
    """(participant, round, attempt, question id at ``position``) of the URL, or a JSON 404."""
    found = pages.taking(db.session, token, round_id, position) if TOKEN.match(token or "") else None
    if found is None or found[2] is None:
        return None, json_error(404, "not_found", _("No such attempt."))
    return found, None


def _state(quiz_round, attempt, now) -> dict:
    return {
        "round_id": quiz_round.id,
        "question_count": pages.question_total(db.session, attempt),
        "answered": pages.answered_positions(db.session, attempt),
        "remaining_seconds": pages.remaining_seconds(attempt, now),
        "deadline_at": attempt.deadline_at.isoformat().replace("+00:00", "Z"),
        "submitted": attempt.submitted_at is not None,
        "closed": quiz_round.state == "closed",
    }


@bp.route("/api/me/<token>/rounds/<int:round_id>/attempt")
def api_attempt(token: str, round_id: int):
    found, error = _attempt(token, round_id)
    if error:
        return error
    _participant, quiz_round, attempt, _question = found
    return jsonify(_state(quiz_round, attempt, utcnow()) | {"csrf_token": generate_csrf()})


@bp.route("/api/me/<token>/rounds/<int:round_id>/answers", methods=["POST"])
@limiter.limit(quiz_answer_limit, methods=["POST"])
@limiter.limit(quiz_participant_limit, methods=["POST"], key_func=participant_key)
def api_save_answer(token: str, round_id: int):
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict):
        return json_error(400, "bad_request", _("Send the answer as a JSON object."))
    position, options = payload.get("position"), payload.get("options")
    valid_position = isinstance(position, int) and not isinstance(position, bool) and 1 <= position <= MAX_POSITION
    valid_options = (
        isinstance(options, list)
        and len(options) <= 20
        and all(isinstance(o, str) and HANDLE.match(o) for o in options)
    )
    if not valid_position or not valid_options:
        fields = {}
        if not valid_position:
            fields["position"] = [_("The question's number on the page (1, 2, …).")]
        if not valid_options:
            fields["options"] = [_("The chosen options, as the list of their values on the question's page.")]
        return json_error(422, "invalid", _("Please correct the fields marked below."), fields)
    found, error = _attempt(token, round_id, position)
    if error:
        return error
    _participant, quiz_round, attempt, question_id = found
    now = utcnow()
    if question_id is None:
        return json_error(404, "not_found", _("This attempt has no question with that number."))
    try:
        chosen = sorted(set(options))
        saved = pages.save_answer_retrying(db.session, attempt, question_id, chosen, now, quiz_round, key=handle_key())
        answer = jsonify(  # before the commit, which expires what the session holds
            position=position,
            options=chosen,
            saved_at=saved.saved_at.isoformat().replace("+00:00", "Z"),
            remaining_seconds=pages.remaining_seconds(attempt, now),
        )
        db.session.commit()
    except DomainError as failure:
        db.session.rollback()
        fields = {failure.field: [str(failure.message)]} if failure.field else None
        return json_error(failure.status, failure.code, failure.message, fields)
    return answer
