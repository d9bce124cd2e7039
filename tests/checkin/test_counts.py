"""Live counts: inside now (entrance minus exit per ticket, undo included), unique visitors per booth, admissions
per local hour; every figure an SQL aggregate, on both databases."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from app.extensions import db
from app.models import Unit
from checkin.models import Checkpoint, Scan
from checkin.services import counts
from events.models import Registration
from tests.factories import make_activity, make_plan

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
START = datetime(2024, 10, 5, 1, 0, tzinfo=UTC)  # 08:00 in Vietnam
_nonce = itertools.count(1)


@pytest.fixture
def festival(app):
    """A festival with an entrance, an exit and two booths, and five confirmed tickets; yields ids."""
    with app.app_context():
        plan = make_plan(period_start=date(2024, 9, 15), period_end=date(2024, 10, 31))
        ward = Unit(name="Phường Uyên Hưng", kind="ward")
        activity = make_activity(plan, starts_at=START, hours=10)
        points = {
            key: Checkpoint(activity=activity, name=name, kind=kind, rule=rule, position=position)
            for position, (key, name, kind, rule) in enumerate(
                [
                    ("gate", "Cổng chính", "entrance", "once_per_day"),
                    ("out", "Cổng ra", "exit", "every_time"),
                    ("gov", "Không gian chính quyền số", "booth", "every_time"),
                    ("eco", "Không gian kinh tế số", "booth", "every_time"),
                ]
            )
        }
        tickets = [
            Registration(
                activity=activity,
                name=f"Người {i}",
                phone=f"091234560{i}",
                ward=ward,
                consent_at=START,
                status="confirmed",
                token=f"token-{i}",
            )
            for i in range(5)
        ]
        db.session.add_all([plan, ward, activity, *points.values(), *tickets])
        db.session.commit()
        yield {
            "activity": activity.id,
            **{key: point.id for key, point in points.items()},
            "tickets": [t.id for t in tickets],
        }


def scan(point_id, ticket_id, minutes, *, admitted=True, undone=False):
    db.session.add(
        Scan(
            checkpoint_id=point_id,
            ticket_id=ticket_id,
            device_id="phone-1",
            nonce=f"n{next(_nonce)}",
            scanned_at=START + timedelta(minutes=minutes),
            received_at=START + timedelta(minutes=minutes),
            verdict="admitted" if admitted else "already_checked_in",
            admitted=admitted,
            undone_at=START + timedelta(minutes=minutes + 1) if undone else None,
        )
    )


def test_inside_now_is_entrances_minus_exits_per_ticket_and_undo_gives_back(app, festival):
    f, t = festival, festival["tickets"]
    with app.app_context():
        assert counts.inside_now(db.session, f["activity"]) == 0
        scan(f["gate"], t[0], 0)  # in
        scan(f["gate"], t[1], 5)  # in, then out
        scan(f["out"], t[1], 50)
        scan(f["gate"], t[2], 10)  # in, out, in again
        scan(f["out"], t[2], 20)
        scan(f["gate"], t[2], 30)
        scan(f["gate"], t[3], 12, undone=True)  # the volunteer undid a wrong scan: never came in
        scan(f["out"], t[4], 15)  # out without coming in (came in before the scanners were set up): not inside
        scan(f["gate"], t[0], 40, admitted=False)  # a refusal changes nothing
        scan(f["gov"], t[1], 25)  # a booth is neither in nor out
        db.session.commit()
        assert counts.inside_now(db.session, f["activity"]) == 2  # t0 and t2
        assert counts.people_admitted(db.session, f["activity"]) == 3  # t0, t1, t2 came in at least once

        scan(f["out"], t[0], 60, undone=True)  # an exit scan undone: still inside
        db.session.commit()
        assert counts.inside_now(db.session, f["activity"]) == 2
        scan(f["out"], t[0], 61)
        db.session.commit()
        assert counts.inside_now(db.session, f["activity"]) == 1


def test_an_offline_scan_uploaded_late_counts_at_its_own_time(app, festival):
    """The last movement is decided by when the scan happened, not by when the server got it."""
    f, t = festival, festival["tickets"]
    with app.app_context():
        scan(f["out"], t[0], 90)  # uploaded first
        scan(f["gate"], t[0], 30)  # an offline entrance scan uploaded later, from earlier in the day
        db.session.commit()
        assert counts.inside_now(db.session, f["activity"]) == 0


def test_unique_visitors_per_booth_and_refusals(app, festival, count_queries):
    f, t = festival, festival["tickets"]
    with app.app_context():
        for minutes, ticket in enumerate([t[0], t[0], t[1], t[2], t[0]]):
            scan(f["gov"], ticket, minutes)
        scan(f["eco"], t[3], 5)
        scan(f["eco"], t[4], 6, undone=True)
        scan(f["gate"], t[0], 1)
        scan(f["gate"], t[0], 2, admitted=False)
        db.session.commit()
        with count_queries() as queries:
            rows = counts.checkpoint_counts(db.session, f["activity"])
        assert len(queries) == 1
        by_name = {row.name: (row.admissions, row.visitors, row.refused, row.percent) for row in rows}
        assert [row.name for row in rows] == [
            "Cổng chính",
            "Cổng ra",
            "Không gian chính quyền số",
            "Không gian kinh tế số",
        ]
        assert by_name == {
            "Cổng chính": (1, 1, 1, 20),
            "Cổng ra": (0, 0, 0, 0),
            "Không gian chính quyền số": (5, 3, 0, 100),
            "Không gian kinh tế số": (1, 1, 0, 20),
        }


def test_admissions_per_local_hour(app, festival):
    f, t = festival, festival["tickets"]
    with app.app_context():
        scan(f["gate"], t[0], 10)  # 08:10 local
        scan(f["gate"], t[1], 59)  # 08:59
        scan(f["gate"], t[2], 60)  # 09:00
        scan(f["gov"], t[0], 75)  # 09:15
        scan(f["gov"], t[1], 80, undone=True)
        scan(f["gov"], t[2], 17 * 60)  # 01:00 the next local day (18:00 UTC)
        db.session.commit()
        hours = counts.hourly_counts(db.session, f["activity"], tz=TZ, at=START)
        assert [(counts.hour_label(h), h.by_checkpoint, h.total, h.percent) for h in hours] == [
            ("05/10 08:00–09:00", {f["gate"]: 2}, 2, 100),
            ("05/10 09:00–10:00", {f["gate"]: 1, f["gov"]: 1}, 2, 100),
            ("06/10 01:00–02:00", {f["gov"]: 1}, 1, 50),
        ]


def test_the_big_screen_shows_numbers_only(app, festival):
    f, t = festival, festival["tickets"]
    with app.app_context():
        scan(f["gate"], t[0], 1)
        scan(f["gov"], t[0], 2)
        db.session.commit()
        figures = counts.screen_figures(db.session, f["activity"])
        assert figures["inside"] == 1 and figures["admitted"] == 1
        assert [(b.name, b.visitors) for b in figures["booths"]] == [
            ("Không gian chính quyền số", 1),
            ("Không gian kinh tế số", 0),
        ]
