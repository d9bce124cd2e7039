"""The public results of a closed round: winners (name, ward, masked phone) with prizes, ties shown as ties, and
participation by ward against the population or headcount the organizer entered."""

from __future__ import annotations

from flask import abort, render_template

from app import cache
from app.extensions import db
from app.models import utcnow

from .. import PUBLIC_CACHE, bp
from ..services import pages, results


@bp.route("/rounds/<int:round_id>/results")
def round_results(round_id: int):
    """Frozen once the round is closed, so anonymous visitors (the crowd after "results are out") get the page as
    rendered bytes; it is rendered again only when the round is ranked again or the contest changes."""
    return cache.page(db.session, PUBLIC_CACHE, "quiz-results", lambda: (_results_page(round_id), None), now=utcnow())


def _results_page(round_id: int) -> str:
    quiz_round = pages.public_round(db.session, round_id)
    if quiz_round is None or quiz_round.state != "closed":
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
