"""Taking a round: start (the server draws), one question per screen, the review with the prediction, submit,
and the participant's result. Every page works without JavaScript: a question is a form whose buttons save the
answer and move on; static/js/quiz.js adds the save as soon as an option is chosen and a live clock.

The server owns the deadline. Nothing on these pages says which option is correct until the round is closed
(tests/contests/test_secrecy.py renders every page and JSON answer of an open round to check it)."""

from __future__ import annotations

import logging
import secrets

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from app.errors import DomainError
from app.extensions import db, limiter
from app.forms import ConfirmForm
from app.models import utcnow

from .. import bp
from ..forms.attempts import AnswerForm, PredictionRequiredForm, SubmitAttemptForm
from ..services import attempts as attempt_services
from ..services import results
from ..services.attempts import handles, screens
from . import device_hash, participant_key, quiz_answer_limit, quiz_participant_limit, valid_token

log = logging.getLogger(__name__)


def handle_key() -> bytes:
    """The key of this server's option handles (``handles.option_handle``): pages and the API name options by them."""
    return handles.handle_key(current_app.config["SECRET_KEY"])


def _taking(token: str, round_id: int):
    """(participant, round, latest attempt or None, None) of the URL, in one query; 404 when either is unknown."""
    found = screens.taking(db.session, valid_token(token), round_id)
    if found is None:
        abort(404)
    return found


def _attempt_or_home(token: str, round_id: int):
    participant, quiz_round, attempt, _question = _taking(token, round_id)
    home = None
    if attempt is None:
        home = redirect(url_for(".participant_home", token=participant.return_token), code=303)
    return participant, quiz_round, attempt, home


def _after(token: str, quiz_round, view: str, **values):
    """A 303 to another page of the round, for the participant whose return token is ``token`` (the URL's)."""
    return redirect(url_for(view, token=token, round_id=quiz_round.id, **values), code=303)


@bp.route("/me/<token>/rounds/<int:round_id>/start", methods=["POST"])
@limiter.limit(quiz_answer_limit, methods=["POST"])
@limiter.limit(quiz_participant_limit, methods=["POST"], key_func=participant_key)
def start_round(token: str, round_id: int):
    participant, quiz_round, latest, _question = _taking(token, round_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    now = utcnow()
    try:
        attempt = attempt_services.start_attempt(
            db.session, quiz_round, participant, now=now, seed=secrets.randbits(62), device_hash=device_hash(),
            latest=latest,
        )  # fmt: skip
        # Read before the commit expires them (the opening's crowd: no reload after it). Nothing saved yet: the
        # first unanswered question is the first, where resume would send it.
        attempt_id, fresh = attempt.id, attempt.last_answer_at is None
        db.session.commit()
    except IntegrityError:  # the same start from another tab won the race a moment ago: continue that attempt
        db.session.rollback()
        attempt = attempt_services.current_attempt(db.session, round_id, participant.id)
        if attempt is None:
            raise
        attempt_id, fresh = attempt.id, attempt.last_answer_at is None
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for(".participant_home", token=token), code=303)
    log.info("quiz attempt %s of round %s started", attempt_id, round_id)
    if fresh:  # straight to the first question (the opening's crowd: one request less than through resume)
        return redirect(url_for(".question", token=token, round_id=round_id, position=1), code=303)
    return redirect(url_for(".resume", token=token, round_id=round_id), code=303)


@bp.route("/me/<token>/rounds/<int:round_id>")
def resume(token: str, round_id: int):
    """Where a reload or a return lands: the first unanswered question, or the review when all are answered."""
    participant, quiz_round, attempt, home = _attempt_or_home(token, round_id)
    if attempt is None:
        return home
    if attempt.submitted_at is not None or quiz_round.is_closed:
        return _after(token, quiz_round, ".result")
    position = screens.first_unanswered(db.session, attempt)
    if position is None or not screens.is_running(attempt, utcnow()):
        return _after(token, quiz_round, ".review")
    return _after(token, quiz_round, ".question", position=position)


@bp.route("/me/<token>/rounds/<int:round_id>/questions/<int:position>", methods=["GET", "POST"])
@limiter.limit(quiz_answer_limit, methods=["POST"])
@limiter.limit(quiz_participant_limit, methods=["POST"], key_func=participant_key)
def question(token: str, round_id: int, position: int):
    now, key = utcnow(), handle_key()
    # The URL's token is the participant's return token (both reads match on it), so the links need no more.
    if request.method == "GET":  # every step of every participant: one query of columns (screens.question_page)
        page = screens.question_page(db.session, valid_token(token), round_id, position, now, key=key)
        if page is None:
            abort(404)
        quiz_round, attempt, screen = page.quiz_round, page.attempt, page.screen
    else:
        _participant, quiz_round, attempt, _question = _taking(token, round_id)
        screen = None
    if attempt is None:
        return redirect(url_for(".participant_home", token=token), code=303)
    if attempt.submitted_at is not None or quiz_round.is_closed:
        return _after(token, quiz_round, ".result")
    if not screens.is_running(attempt, now):
        return _after(token, quiz_round, ".review")
    if request.method != "GET":
        screen = screens.attempt_screen(db.session, attempt, position, now, key=key)
    if screen is None:
        abort(404)
    form = AnswerForm()
    choices = [(option.handle, option.text) for option in screen.options]
    form.single.choices = form.multiple.choices = choices
    if form.validate_on_submit():
        chosen = form.chosen(screen.multiple)
        try:
            if chosen:  # nothing chosen: nothing to save (moving on without answering is allowed)
                attempt_services.save_answer(
                    db.session, attempt, screen.question_id, now=now, quiz_round=quiz_round, handles=chosen, key=key
                )
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            form.form_errors.append(error.message)
        else:
            destination = form.destination()
            if destination == "previous" and position > 1:
                return _after(token, quiz_round, ".question", position=position - 1)
            if destination == "next" and position < screen.total:
                return _after(token, quiz_round, ".question", position=position + 1)
            return _after(token, quiz_round, ".review")
    elif not form.is_submitted():
        picked = [option.handle for option in screen.options if option.chosen]
        if screen.multiple:
            form.multiple.data = picked
        else:
            form.single.data = next(iter(picked), None)
    return render_template(
        "contests/attempts/question.html", token=token, quiz_round=quiz_round, screen=screen, form=form
    )


def _submit_form(quiz_round, attempt, formdata=None):
    form_class = PredictionRequiredForm if quiz_round.asks_prediction else SubmitAttemptForm
    form = form_class() if formdata is None else form_class(formdata=formdata)
    if not form.is_submitted() and attempt.prediction is not None:
        form.prediction.data = attempt.prediction
    return form


@bp.route("/me/<token>/rounds/<int:round_id>/review")
def review(token: str, round_id: int):
    participant, quiz_round, attempt, home = _attempt_or_home(token, round_id)
    if attempt is None:
        return home
    if attempt.submitted_at is not None or quiz_round.is_closed:
        return _after(token, quiz_round, ".result")
    now = utcnow()
    return render_template(
        "contests/attempts/review.html",
        participant=participant,
        quiz_round=quiz_round,
        attempt=attempt,
        overview=screens.attempt_overview(db.session, attempt, now),
        form=_submit_form(quiz_round, attempt),
    )


@bp.route("/me/<token>/rounds/<int:round_id>/submit", methods=["POST"])
@limiter.limit(quiz_answer_limit, methods=["POST"])
@limiter.limit(quiz_participant_limit, methods=["POST"], key_func=participant_key)
def submit(token: str, round_id: int):
    participant, quiz_round, attempt, home = _attempt_or_home(token, round_id)
    if attempt is None:
        return home
    if attempt.submitted_at is not None:  # a double click, a second tab: the first submit stands
        return _after(token, quiz_round, ".result")
    form = _submit_form(quiz_round, attempt)
    if not form.validate_on_submit():
        return render_template(
            "contests/attempts/review.html",
            participant=participant,
            quiz_round=quiz_round,
            attempt=attempt,
            overview=screens.attempt_overview(db.session, attempt, utcnow()),
            form=form,
        ), 422
    try:
        attempt_services.submit(
            db.session, attempt, now=utcnow(), prediction=form.prediction.data, quiz_round=quiz_round
        )
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        if error.code != "attempt_submitted":
            flash(error.message, "error")
            return _after(token, quiz_round, ".review")
    else:
        flash(_("Your answers are submitted. Results come out when the round closes."), "success")
    return _after(token, quiz_round, ".result")


@bp.route("/me/<token>/rounds/<int:round_id>/result")
def result(token: str, round_id: int):
    participant, quiz_round, attempt, home = _attempt_or_home(token, round_id)
    if attempt is None:
        return home
    closed = quiz_round.is_closed
    return render_template(
        "contests/attempts/result.html",
        participant=participant,
        quiz_round=quiz_round,
        attempt=attempt,
        overview=screens.attempt_overview(db.session, attempt, utcnow()),
        # The correct answers and explanations, only once the round is closed.
        corrections=results.review(db.session, attempt, quiz_round) if closed else None,
    )
