"""Importing checked rows into a plan: all or nothing, refusing duplicates and closed plans."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.errors import DomainError
from app.models import Unit

from ...models import Activity, Plan, PlanStatus, Venue
from .columns import COLUMN_BY_KEY, ActivityDraft, ImportRejected, RowError, _squash
from .reading import _file_error, parse_rows, read_upload

# --- import --------------------------------------------------------------------------------------------------


def load_lookups(session: Session) -> tuple[list[Unit], list[Venue]]:
    """Every unit and venue, for ``parse_rows`` to find names in."""
    return list(session.scalars(select(Unit))), list(session.scalars(select(Venue)))


def _duplicates(session: Session, plan: Plan, drafts: Sequence[ActivityDraft]) -> list[RowError]:
    # The same title at the same start is the same activity: uploading a file twice must not double the plan.
    seen = {
        (_squash(title), starts_at)
        for title, starts_at in session.execute(
            select(Activity.title, Activity.starts_at).where(Activity.plan_id == plan.id, Activity.cancelled.is_(False))
        )
    }
    errors = []
    for draft in drafts:
        key = (_squash(draft.title), draft.starts_at)
        if key in seen:
            errors.append(
                RowError(
                    draft.row_number,
                    COLUMN_BY_KEY["title"].header,
                    _l("This activity, with the same start, is already in the plan or earlier in the file."),
                )
            )
        seen.add(key)
    return errors


def _outside_period(plan: Plan, drafts: Sequence[ActivityDraft], tz: ZoneInfo) -> list[RowError]:
    # On the form an activity outside the period is a warning to accept; a file has no one to accept it, and a
    # year typed wrong in a spreadsheet is the likelier cause.
    errors = []
    period = f"{plan.period_start:%d/%m/%Y} – {plan.period_end:%d/%m/%Y}"
    for draft in drafts:
        first, last = draft.starts_at.astimezone(tz).date(), draft.ends_at.astimezone(tz).date()
        if first < plan.period_start or last > plan.period_end:
            errors.append(
                RowError(
                    draft.row_number,
                    COLUMN_BY_KEY["starts_at"].header,
                    _l("This activity falls outside the plan's period (%(period)s).", period=period),
                )
            )
    return errors


def import_activities(
    session: Session,
    plan: Plan,
    drafts: Sequence[ActivityDraft],
    *,
    tz: ZoneInfo,
    progress: Callable[[int], None] | None = None,
) -> list[Activity]:
    """Add the drafts to ``plan`` as activities (flushed, not committed) and return them.

    All or nothing: everything is checked before the first activity is added. A closed plan takes no
    new activities; an activity outside the plan's period (local dates in ``tz``), already in the plan (same
    title and start) or twice in the file is refused with ImportRejected. ``progress(1)`` is called after
    each activity."""
    if plan.status == PlanStatus.CLOSED:
        raise DomainError(
            _l("This plan is closed: reopen it before importing activities."), code="plan_closed", field="file"
        )
    if not drafts:
        raise _file_error(_l("The file has no activity rows."), "no_rows")
    rejected = _outside_period(plan, drafts, tz) + _duplicates(session, plan, drafts)
    if rejected:
        raise ImportRejected(sorted(rejected, key=lambda error: error.row_number))
    unit_ids = (
        {d.lead_unit_id for d in drafts}
        | {u for d in drafts for u in d.coordinator_ids}
        | {d.area_unit_id for d in drafts if d.area_unit_id is not None}
    )
    venue_ids = {d.venue_id for d in drafts if d.venue_id is not None}
    units = {u.id: u for u in session.scalars(select(Unit).where(Unit.id.in_(unit_ids)))}
    venues = {v.id: v for v in session.scalars(select(Venue).where(Venue.id.in_(venue_ids)))} if venue_ids else {}
    if set(units) != unit_ids or set(venues) != venue_ids:
        # Only when a unit or venue was deleted between reading the file and saving it.
        raise _file_error(_l("A unit or venue named in the file no longer exists. Upload the file again."), "stale")
    created = []
    for draft in drafts:
        venue = venues.get(draft.venue_id)
        activity = Activity(
            plan=plan,
            title=draft.title,
            kind=draft.kind,
            starts_at=draft.starts_at,
            ends_at=draft.ends_at,
            venue=venue,
            # No area written: the venue's ward, as the activity form does.
            area_unit_id=draft.area_unit_id or (venue.unit_id if venue else None),
            lead_unit_id=draft.lead_unit_id,
            coordinating_units=[units[i] for i in draft.coordinator_ids],
            audience=draft.audience,
            expected_headcount=draft.expected_headcount,
            capacity=draft.capacity,
            is_public=draft.is_public,
            description=draft.description,
            registration_open=draft.registration_open,
            registration_opens_at=draft.registration_opens_at,
            registration_closes_at=draft.registration_closes_at,
            audience_groups=f",{','.join(draft.audience_groups)}," if draft.audience_groups else "",
            what_to_bring=draft.what_to_bring,
        )
        session.add(activity)
        created.append(activity)
        if progress:
            progress(1)
    session.flush()
    return created


def import_file(session: Session, plan: Plan, filename: str, stream, *, tz: ZoneInfo) -> list[Activity]:
    """Read, check and import an uploaded file into ``plan``. Raises ImportRejected with every row error
    (and adds nothing) when any row is invalid, or DomainError when the file itself cannot be used."""
    rows = read_upload(filename, stream)
    units, venues = load_lookups(session)
    drafts, errors = parse_rows(rows, units, venues, tz=tz)
    if errors:
        raise ImportRejected(errors)
    return import_activities(session, plan, drafts, tz=tz)
