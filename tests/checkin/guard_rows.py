"""Route-guard rows of check-in (tests/guards.py explains the table; tests/app/test_route_guards.py runs it).

A volunteer reaches only the checkpoints they are assigned to (``Checkpoint``'s scope): the records' second
volunteer (``other_volunteer``), assigned nowhere, is the scope rows' outsider."""

from __future__ import annotations

from tests.events.guard_rows import registration_body
from tests.guards import ORGANIZER, Request, Row, ScopedRead


def checkpoint_body(r, name: str, kind: str = "booth") -> dict:
    return {"name": name, "kind": kind, "rule": "every_time", "host_unit_id": str(r.office_id), "position": "3"}


SCANNERS = frozenset({"organizer", "volunteer"})  # a volunteer where assigned (the records' volunteer is)


def scan_body(r, token: str | None = None) -> dict:
    return {
        "token": token or r.ticket,
        "checkpoint_id": r.booth_id,
        "device_id": "guard-device",
        "nonce": "guard-nonce-1",
        "scanned_at": r.now.isoformat(),
    }


def admission_body(r) -> dict:
    """A scan that is admitted (a gate under way, a valid ticket): it takes the scan API's one-statement path."""
    return scan_body(r, r.ticket_now) | {"checkpoint_id": r.gate_now_id}


WRITES: dict[str, Row] = {
    # check-in, the organizer's side
    "checkin.edit_checkpoint": Row(
        ORGANIZER,
        {
            "/checkin/activities/<int:activity_id>/checkpoints/new": lambda r: Request(
                f"/checkin/activities/{r.activity_id}/checkpoints/new", checkpoint_body(r, "Không gian kinh tế số")
            ),
            "/checkin/checkpoints/<int:checkpoint_id>/edit": lambda r: Request(
                f"/checkin/checkpoints/{r.checkpoint_id}/edit", checkpoint_body(r, "Cổng chính (sửa)", kind="entrance")
            ),
        },
        ok=303,
    ),
    "checkin.delete_checkpoint": Row(
        ORGANIZER,
        {
            "/checkin/checkpoints/<int:checkpoint_id>/delete": lambda r: Request(
                f"/checkin/checkpoints/{r.exit_id}/delete", {"confirm": "1"}
            )
        },
        ok=303,
    ),
    "checkin.assign_volunteer": Row(
        ORGANIZER,
        {
            "/checkin/checkpoints/<int:checkpoint_id>/volunteers": lambda r: Request(
                f"/checkin/checkpoints/{r.exit_id}/volunteers", {"user_id": str(r.users["volunteer"])}
            )
        },
        ok=303,
    ),
    "checkin.unassign_volunteer": Row(
        ORGANIZER,
        {
            "/checkin/checkpoints/<int:checkpoint_id>/volunteers/<int:user_id>/remove": lambda r: Request(
                f"/checkin/checkpoints/{r.checkpoint_id}/volunteers/{r.users['volunteer']}/remove"
            )
        },
        ok=303,
    ),
    "checkin.walk_in": Row(
        frozenset({"organizer", "volunteer"}),
        {
            "/checkin/activities/<int:activity_id>/walk-in": lambda r: Request(
                f"/checkin/activities/{r.activity_id}/walk-in",
                {**registration_body(r), "submission": "walk-in-submission-key-0000000001"},
            )
        },
        ok=303,
        as_role="volunteer",  # assigned to the festival's checkpoints: registers people at its booths
        scope="other_volunteer",  # assigned to none of them: the activity's desk is not found
    ),
    "checkin.badges": Row(
        ORGANIZER,
        {
            "/checkin/activities/<int:activity_id>/badges": lambda r: Request(
                f"/checkin/activities/{r.activity_id}/badges"
            )
        },
        ok=303,
    ),
    # checkin: JSON writes of scanners (anonymous callers get 401 JSON, not a redirect: see is_refused)
    "checkin.api_scan": Row(
        SCANNERS,
        {"/checkin/api/scans": lambda r: Request("/checkin/api/scans", json=admission_body(r))},
        ok=201,
        as_role="volunteer",
        scope="other_volunteer",  # not assigned to the gate: 404, nothing stored (the hot path's scope check)
    ),
    "checkin.api_undo": Row(
        SCANNERS,
        {"/checkin/api/scans/<int:scan_id>/undo": lambda r: Request(f"/checkin/api/scans/{r.scan_id}/undo", json={})},
        ok=200,
        as_role="volunteer",
        scope="other_volunteer",  # the scan was made at a booth not theirs: 404, not undone
    ),
}

# The reads of one checkpoint under its scope (pages and the sync API): another volunteer does not find them.
SCOPED_READS: dict[str, ScopedRead] = {
    "checkin.scan": ScopedRead(
        lambda r: Request(f"/checkin/checkpoints/{r.booth_id}/scan", method="GET"), "other_volunteer", "volunteer"
    ),
    "checkin.api_sync": ScopedRead(
        lambda r: Request(f"/checkin/api/checkpoints/{r.booth_id}/sync", method="GET"), "other_volunteer", "volunteer"
    ),
    "checkin.walk_in": ScopedRead(
        lambda r: Request(f"/checkin/activities/{r.activity_id}/walk-in", method="GET"), "other_volunteer", "volunteer"
    ),
}
