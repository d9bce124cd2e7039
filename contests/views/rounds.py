"""The organizer's rounds of a contest: create and edit, open now, close now, recompute, participation figures,
exports."""

from __future__ import annotations

import io
import logging

from flask import flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.auth import role_required
from app.errors import DomainError
from app.extensions import db
from app.models import utcnow
from app.pages import confirm_page, refuse_unconfirmed, save_once, xlsx_response
from app.services import unit_tree
from app.timezone import campaign_zone
from app.urls import MAX_DB_INT

from .. import bp
from ..forms.rounds import PopulationForm, RoundForm
from ..models.quiz import DEFAULT_PRIZE_MIN_PERCENT
from ..services import quiz_or_404, results
from ..services import rounds as rounds_service
from ..services.questions import pools, topics
from ..services.rounds import exports, ranking

log = logging.getLogger(__name__)


# The service names the round's fields; the form asks the time limit in minutes.
FORM_FIELDS = {"time_limit_seconds": "time_limit_minutes"}


@bp.route("/<int:contest_id>/rounds")
@role_required("organizer")
def rounds(contest_id: int):
    contest = quiz_or_404(db.session, contest_id)
    return render_template(
        "contests/rounds/index.html",
        contest=contest,
        rounds=rounds_service.rounds_overview(db.session, contest.id),
    )


@bp.route("/<int:contest_id>/rounds/new", methods=["GET", "POST"], defaults={"round_id": None})
@bp.route("/rounds/<int:round_id>/edit", methods=["GET", "POST"], defaults={"contest_id": None})
@role_required("organizer")
def edit_round(contest_id: int | None, round_id: int | None):
    quiz_round = rounds_service.round_or_404(db.session, round_id) if round_id else None
    contest = quiz_round.contest if quiz_round else quiz_or_404(db.session, contest_id)
    form = RoundForm()
    form.pool_topic_ids.choices = [(topic.id, topic.name) for topic in topics.all_topics(db.session)]
    if request.method == "GET" and quiz_round is not None:
        form.fill_from(quiz_round)
    if form.validate_on_submit():

        def save() -> str:
            values = {
                "title": form.title.data,
                "opens_at": form.opens_at.data,
                "closes_at": form.closes_at.data,
                "question_count": form.question_count.data,
                "time_limit_seconds": form.time_limit_minutes.data * 60,
                "attempts_allowed": form.attempts_allowed.data,
                "prize_table": form.prize_table(),
                "prize_min_percent": form.prize_min_percent.data
                if form.prize_min_percent.data is not None
                else DEFAULT_PRIZE_MIN_PERCENT,
                "pool_topic_ids": list(form.pool_topic_ids.data or []),
                "asks_prediction": form.asks_prediction.data,
            }
            try:
                if quiz_round is None:
                    saved = rounds_service.create_round(db.session, contest, now=utcnow(), **values)
                else:
                    saved = rounds_service.update_round(db.session, quiz_round, now=utcnow(), **values)
                db.session.flush()
            except DomainError as error:
                error.field = FORM_FIELDS.get(error.field, error.field)
                raise
            return url_for(".rounds", contest_id=saved.contest_id)

        response, _warnings = save_once(form, save, _("The round is saved."))
        if response is not None:
            return response
    return render_template(
        "contests/rounds/form.html",
        contest=contest,
        quiz_round=quiz_round,
        form=form,
        strata=pools.strata(db.session, contest.id),
    )


def _confirmed_round_action(round_id: int, endpoint: str, *, title: str, losses: list[str], button: str, act,
                            done: str, logged: str):  # fmt: skip
    """A round action that asks first (GET: the confirmation page) and runs ``act(round)`` once confirmed (POST),
    then goes back to the contest's rounds with ``done`` or the rule that refused it."""
    quiz_round = rounds_service.round_or_404(db.session, round_id)
    here = url_for(endpoint, round_id=round_id)
    back = url_for(".rounds", contest_id=quiz_round.contest_id)
    if request.method == "GET":
        return confirm_page(title=title % {"title": quiz_round.title}, losses=losses, action=here, button=button,
                            back=back)  # fmt: skip
    if (refused := refuse_unconfirmed(here)) is not None:
        return refused
    try:
        act(quiz_round)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(back)
    db.session.commit()
    log.info("quiz round %s %s by user %s", round_id, logged, current_user.id)
    flash(done, "success")
    return redirect(back)


@bp.route("/rounds/<int:round_id>/close", methods=["GET", "POST"])
@role_required("organizer")
def close_round(round_id: int):
    return _confirmed_round_action(
        round_id,
        ".close_round",
        title=_("Close “%(title)s” now?"),
        losses=[
            _("Nobody can start or answer this round any more; attempts under way are graded as they stand."),
            _("The ranking and prizes are computed and published, and participants are told their results."),
        ],
        button=_("Close the round now"),
        act=lambda quiz_round: rounds_service.close_and_tell(db.session, quiz_round, now=utcnow()),
        done=_("The round is closed and its results are published."),
        logged="closed",
    )


@bp.route("/rounds/<int:round_id>/open", methods=["GET", "POST"])
@role_required("organizer")
def open_round(round_id: int):
    return _confirmed_round_action(
        round_id,
        ".open_round",
        title=_("Open “%(title)s” now?"),
        losses=[
            _("Participants can start this round from now on, before its planned opening time."),
            _("Its closing time stays as planned."),
        ],
        button=_("Open the round now"),
        act=lambda quiz_round: rounds_service.open_now(db.session, quiz_round, now=utcnow()),
        done=_("The round is open."),
        logged="opened",
    )


@bp.route("/rounds/<int:round_id>/recompute", methods=["GET", "POST"])
@role_required("organizer")
def recompute_round(round_id: int):
    return _confirmed_round_action(
        round_id,
        ".recompute_round",
        title=_("Recompute the results of “%(title)s”?"),
        losses=[
            _("Scores, ranks and prizes are computed again from the saved answers, without disqualified attempts."),
            _("With the same answers and no new disqualification, the results come out the same."),
        ],
        button=_("Recompute the results"),
        act=lambda quiz_round: ranking.recompute(db.session, quiz_round),
        done=_("The results are computed again."),
        logged="recomputed",
    )


def _unit_id(value) -> int | None:
    """A unit id posted in a hidden field, or None when it cannot be one."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 1 <= number <= MAX_DB_INT else None


@bp.route("/<int:contest_id>/populations", methods=["GET", "POST"])
@role_required("organizer")
def populations(contest_id: int):
    """The population (or staff headcount) of each ward and unit, for the participation rates of the results."""
    contest = quiz_or_404(db.session, contest_id)
    units = [(unit, depth) for unit, depth in unit_tree(db.session)]
    current = results.populations_of(db.session, contest.id)
    form = PopulationForm()
    if not form.is_submitted():
        for unit, _depth in units:
            form.units.append_entry({"unit_id": str(unit.id), "population": current.get(unit.id)})
    if form.validate_on_submit():
        figures = {}
        for entry in form.units:
            unit_id = _unit_id(entry.form.unit_id.data)
            if unit_id is not None:
                figures[unit_id] = entry.form.population.data
        try:
            for unit_id, population in figures.items():
                results.set_population(db.session, contest.id, unit_id, population)
        except DomainError as error:
            db.session.rollback()
            form.form_errors.append(error.message)
        else:
            db.session.commit()
            flash(_("The figures are saved."), "success")
            return redirect(url_for(".rounds", contest_id=contest.id))
    names = {unit.id: (unit, depth) for unit, depth in units}
    rows = []
    for entry in form.units:
        unit_id = _unit_id(entry.form.unit_id.data)
        if unit_id is not None:
            rows.append((names.get(unit_id), entry))
    return render_template("contests/rounds/populations.html", contest=contest, form=form, rows=rows)


@bp.route("/rounds/<int:round_id>/export.<any(xlsx, csv):fmt>")
@role_required("organizer")
def export_round(round_id: int, fmt: str):
    """Every attempt of the round with its answers, times, score and flags; the export is in the audit trail."""
    quiz_round = rounds_service.round_or_404(db.session, round_id)
    tz = campaign_zone()
    if fmt == "xlsx":
        content = exports.export_round_xlsx(db.session, quiz_round, tz=tz)
    else:
        content = exports.export_round_csv(db.session, quiz_round, tz=tz)
    exports.record_export(db.session, quiz_round, fmt, current_user.id)
    db.session.commit()
    name = exports.export_filename(quiz_round, fmt)
    if fmt == "xlsx":
        return xlsx_response(content, name)
    response = send_file(io.BytesIO(content), mimetype="text/csv", as_attachment=True, download_name=name)
    response.headers["Cache-Control"] = "no-store"
    return response
