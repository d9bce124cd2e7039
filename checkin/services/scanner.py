"""The scanner's rules beside the redeem API (services/scans.py): the review of the double admissions that
offline scanners cause (each phone admitted the ticket alone; the server found out when they synced). Where a
volunteer scans is ``Checkpoint``'s scope (checkin/models.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from events.models import Registration

from ..models import Checkpoint, CheckpointRule, Scan, ScanVerdict


@dataclass(frozen=True)
class Admission:
    """One scan as the review shows it: when (device time), where, on which phone, by whom."""

    scan_id: int
    scanned_at: datetime
    received_at: datetime
    checkpoint: str
    device: str  # the first 8 characters of the device id: enough to tell phones apart
    volunteer: str | None
    offline: bool


@dataclass(frozen=True)
class DoubleAdmission:
    """A ticket that an offline phone let in although it had already been admitted under the checkpoint's rule:
    ``first`` is the admission the server kept, ``late`` the offline one it refused when it arrived."""

    ticket_id: int
    holder: str | None  # the registration's name, which organizers see in the registrations list anyway
    first: Admission | None
    late: Admission


def _admission(scan: Scan) -> Admission:
    return Admission(
        scan_id=scan.id,
        scanned_at=scan.scanned_at,
        received_at=scan.received_at,
        checkpoint=scan.checkpoint.name,
        device=scan.device_id[:8],
        volunteer=scan.user.name if scan.user else None,
        offline=scan.offline,
    )


def double_admissions(session: Session, activity_id: int, *, tz: tzinfo) -> list[DoubleAdmission]:
    """Scans of the activity that a phone showed as admitted while offline but that the server, when they
    arrived, found already admitted at that checkpoint (one ticket let in twice, at two phones or twice at one),
    each with the admission that came first; oldest first. ``tz`` gives the local day of "once a day" rules."""
    late_scans = session.scalars(
        select(Scan)
        .join(Scan.checkpoint)
        .where(
            Checkpoint.activity_id == activity_id,
            Scan.offline.is_(True),
            Scan.client_verdict == ScanVerdict.ADMITTED.value,
            Scan.verdict == ScanVerdict.ALREADY_CHECKED_IN,
            Scan.ticket_id.is_not(None),
        )
        .options(joinedload(Scan.checkpoint), joinedload(Scan.user))
        .order_by(Scan.scanned_at, Scan.id)
    ).all()
    if not late_scans:
        return []
    tickets = {scan.ticket_id for scan in late_scans}
    admitted = session.scalars(
        select(Scan)
        .where(
            Scan.checkpoint_id.in_({scan.checkpoint_id for scan in late_scans}),
            Scan.ticket_id.in_(tickets),
            Scan.counts,
        )
        .options(joinedload(Scan.checkpoint), joinedload(Scan.user))
        .order_by(Scan.scanned_at, Scan.id)
    ).all()
    holders = dict(
        session.execute(select(Registration.id, Registration.name).where(Registration.id.in_(tickets))).all()
    )

    def local_day(moment: datetime):
        return moment.astimezone(tz).date()

    found = []
    for late in late_scans:
        same_slot = [
            scan
            for scan in admitted
            if scan.checkpoint_id == late.checkpoint_id
            and scan.ticket_id == late.ticket_id
            and (
                late.checkpoint.rule != CheckpointRule.ONCE_PER_DAY
                or local_day(scan.scanned_at) == local_day(late.scanned_at)
            )
        ]
        first = same_slot[0] if same_slot else None
        found.append(
            DoubleAdmission(
                ticket_id=late.ticket_id,
                holder=holders.get(late.ticket_id),
                first=_admission(first) if first else None,
                late=_admission(late),
            )
        )
    return found


@dataclass(frozen=True)
class OfflineMistake:
    """A visitor an offline phone let in whom the server refused for another reason than a double admission:
    the ticket had been cancelled (the phone had not synced since), or a ticket of another day or activity."""

    ticket_id: int | None
    holder: str | None
    verdict: ScanVerdict
    scan: Admission


def offline_mistakes(session: Session, activity_id: int) -> list[OfflineMistake]:
    """Scans of the activity shown as admitted by a phone while offline and refused by the server for a reason
    other than "already checked in" (those are ``double_admissions``); oldest first."""
    rows = session.scalars(
        select(Scan)
        .join(Scan.checkpoint)
        .where(
            Checkpoint.activity_id == activity_id,
            Scan.offline.is_(True),
            Scan.client_verdict == ScanVerdict.ADMITTED.value,
            Scan.verdict.not_in([ScanVerdict.ADMITTED, ScanVerdict.ALREADY_CHECKED_IN, ScanVerdict.FLAGGED]),
        )
        .options(joinedload(Scan.checkpoint), joinedload(Scan.user))
        .order_by(Scan.scanned_at, Scan.id)
    ).all()
    holders = _holders(session, rows)
    return [
        OfflineMistake(scan.ticket_id, holders.get(scan.ticket_id), scan.verdict, _admission(scan)) for scan in rows
    ]


def _holders(session: Session, scans) -> dict[int, str]:
    """The names of the tickets' holders, for organizers only, in one query."""
    tickets = {scan.ticket_id for scan in scans if scan.ticket_id is not None}
    if not tickets:
        return {}
    return dict(session.execute(select(Registration.id, Registration.name).where(Registration.id.in_(tickets))).all())


@dataclass(frozen=True)
class FlaggedScan:
    """A scan queued offline whose phone time the server could not trust (before the phone's last sync, or ahead
    of the server): stored, admitted nobody, shown to organizers with what the phone said."""

    ticket_id: int | None
    holder: str | None
    device_time: datetime | None
    phone_said: ScanVerdict | None  # what the phone showed at the gate
    scan: Admission


def flagged_scans(session: Session, activity_id: int) -> list[FlaggedScan]:
    """The activity's flagged scans (``ScanVerdict.FLAGGED``), in the order they arrived."""
    rows = session.scalars(
        select(Scan)
        .join(Scan.checkpoint)
        .where(Checkpoint.activity_id == activity_id, Scan.verdict == ScanVerdict.FLAGGED)
        .options(joinedload(Scan.checkpoint), joinedload(Scan.user))
        .order_by(Scan.received_at, Scan.id)
    ).all()
    holders = _holders(session, rows)
    said = {verdict.value: verdict for verdict in ScanVerdict}
    return [
        FlaggedScan(
            scan.ticket_id,
            holders.get(scan.ticket_id),
            scan.device_time,
            said.get(scan.client_verdict or ""),
            _admission(scan),
        )
        for scan in rows
    ]
