"""Rules of contests, by sub-feature: ``contests`` (listing, phases, dashboard figures, the plan-copy hook),
``identities`` (phone/CCCD normalisation and keyed hashes, registration of participants), ``quiz`` (the draw,
attempts, answers, grading, question versions), ``ranking`` (closing a round: scores, ranks, prizes in one SQL
pass), ``flags`` (what an organizer should review; disqualification), ``bank`` (question import from XLSX/CSV
and its template) and ``exports`` (a round's attempts to XLSX/CSV)."""

from .contests import (
    contest_listing,
    contest_phase,
    copy_with_plan,
    figures,
    listed_contests,
    live_figures,
    open_now,
)

__all__ = [
    "contest_listing",
    "contest_phase",
    "copy_with_plan",
    "figures",
    "listed_contests",
    "live_figures",
    "open_now",
]
