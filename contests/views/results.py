"""A round's results: the public page of a closed round (winners (name, ward, masked phone) with prizes, ties shown
as ties, and participation by ward against the population or headcount the organizer entered), and the
organizer's full ranking (every attempt, 100 a page, by ward if asked), with the reinstate button beside
disqualified attempts and the winners' phones in full (audited); before the close, live counts only."""

from __future__ import annotations

from flask import abort, render_template, request
from flask_login import current_user

from app import cache
from app.auth import role_required
from app.extensions import db
from app.models import utcnow

from .. import PUBLIC_CACHE, bp
from ..forms.flags import ReinstateForm
from ..forms.results import ranking_filters
from ..services import results
from ..services.results import standings
from ..services.rounds import public_round, round_or_404


@bp.route("/rounds/<int:round_id>/results")
def round_results(round_id: int):
    """Frozen once the round is closed, so anonymous visitors (the crowd after "results are out") get the page as
    rendered bytes; it is rendered again only when the round is ranked again or the contest changes."""
    return cache.page(db.session, PUBLIC_CACHE, "quiz-results", lambda: (_results_page(round_id), None), now=utcnow())


def _results_page(round_id: int) -> str:
    quiz_round = public_round(db.session, round_id)
    if quiz_round is None or not quiz_round.is_closed:
        abort(404)
    winners = results.winners(db.session, quiz_round)
    ranks = [placed.rank for placed in winners]
    return render_template(
        "contests/results/round.html",
        quiz_round=quiz_round,
        contest=quiz_round.contest,
        winners=winners,
        # Ranks held by more than one winner: ties that survived every rule, shown as ties.
        tied_ranks={rank for rank in ranks if ranks.count(rank) > 1},
        by_unit=results.participation_by_ward(db.session, quiz_round),
    )


@bp.route("/rounds/<int:round_id>/ranking")
@role_required("organizer")
def round_ranking(round_id: int):
    quiz_round = round_or_404(db.session, round_id)
    wards = standings.wards_of_round(db.session, quiz_round)
    page_number, ward_id = ranking_filters(request.args)
    if ward_id not in {unit_id for unit_id, _name in wards}:
        ward_id = None
    # Organizers must reach the winners: their phones in full, and each showing in the audit trail.
    full = current_user.is_organizer
    page = standings.ranking_page(db.session, quiz_round, page=page_number, ward_id=ward_id, winner_phones=full)
    if standings.record_winner_phones(db.session, quiz_round, page.rows, current_user.id):
        db.session.commit()
    return render_template(
        "contests/results/ranking.html",
        quiz_round=quiz_round,
        contest=quiz_round.contest,
        wards=wards,
        ward_id=ward_id,
        page=page,
        counts=standings.live_counts(db.session, quiz_round, ward_id=ward_id),
        by_ward=standings.ward_counts(db.session, quiz_round) if not quiz_round.is_closed else [],
        reinstate_form=ReinstateForm(formdata=None),
        now=utcnow(),
    )
