"""The contests feature's JSON API (described in /api/openapi.json): the state of a participant's attempt and the
answer save that static/js/quiz.js calls as soon as an option is chosen.

Writes are CSRF-protected like every other write: the attempt's state (``GET .../attempt``) answers ``csrf_token``
for the session cookie, and the question page carries the same token; send it in the ``X-CSRFToken`` header. A
save is idempotent: the same answer saved twice, or from two tabs at once, leaves one answer per question."""

from __future__ import annotations

from flask import jsonify, request
from flask_babel import gettext as _
from flask_wtf.csrf import generate_csrf

from app.errors import DomainError, json_error
from app.extensions import db, limiter
from app.models import utcnow

from . import bp
from .forms.attempts import ShapeError, parse_answer
from .services import attempts
from .services.attempts import screens
from .views import TOKEN, participant_key, quiz_answer_limit, quiz_participant_limit
from .views.attempts import handle_key


def _attempt(token: str, round_id: int, position: int | None = None):
    """(participant, round, attempt, question id at ``position``) of the URL, or a JSON 404."""
    found = screens.taking(db.session, token, round_id, position) if TOKEN.match(token or "") else None
    if found is None or found[2] is None:
        return None, json_error(404, "not_found", _("No such attempt."))
    return found, None


def _state(quiz_round, attempt, now) -> dict:
    return {
        "round_id": quiz_round.id,
        "question_count": attempt.question_total,
        "answered": screens.answered_positions(db.session, attempt),
        "remaining_seconds": screens.remaining_seconds(attempt, now),
        "deadline_at": attempt.deadline_at.isoformat().replace("+00:00", "Z"),
        "submitted": attempt.submitted_at is not None,
        "closed": quiz_round.is_closed,
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
    try:
        sent = parse_answer(payload)
    except ShapeError as error:
        return json_error(422, "invalid", _("Please correct the fields marked below."), error.fields)
    found, error = _attempt(token, round_id, sent.position)
    if error:
        return error
    _participant, quiz_round, attempt, question_id = found
    now = utcnow()
    if question_id is None:
        return json_error(404, "not_found", _("This attempt has no question with that number."))
    try:
        saved = attempts.save_answer(
            db.session, attempt, question_id, now=now, quiz_round=quiz_round, handles=sent.options, key=handle_key()
        )
        answer = jsonify(  # before the commit, which expires what the session holds
            position=sent.position,
            options=sent.options,
            saved_at=saved.saved_at.isoformat().replace("+00:00", "Z"),
            remaining_seconds=screens.remaining_seconds(attempt, now),
        )
        db.session.commit()
    except DomainError as failure:
        db.session.rollback()
        fields = {failure.field: [str(failure.message)]} if failure.field else None
        return json_error(failure.status, failure.code, failure.message, fields)
    return answer
