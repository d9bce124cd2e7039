"""Fixtures of the check-in tests. (Helpers may append fixtures below; keep each one self-contained.)"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from app.extensions import db
from checkin.keys import signing_keys, ticket_token
from checkin.models import Checkpoint, CheckpointAssignment
from events.models import Registration
from tests.factories import make_activity, make_plan


@dataclass
class Festival:
    """A festival running from yesterday to tomorrow, with its checkpoints, tickets and scanners."""

    now: datetime
    keys: dict  # the app's signing keys (instance/checkin-keys, made on first use)
    activity_id: int
    other_activity_id: int
    entrance: int  # once a day; the volunteer is assigned
    exit: int  # every time; nobody assigned
    booth: int  # once; the volunteer is assigned
    ids: list  # registration ids: 0 and 1 confirmed, 2 cancelled (festival), 3 confirmed (the other activity)
    tokens: list  # their registrations' page secrets
    tickets: list  # their signed ticket tokens
    volunteer: dict  # make_user's answer (id, email, password)
    organizer: dict
    reporter: dict


@pytest.fixture
def festival(app, make_user) -> Festival:
    now = datetime.now(UTC).replace(microsecond=0)
    volunteer, organizer, reporter = make_user("volunteer"), make_user("organizer"), make_user("unit_reporter")
    with app.app_context():
        plan = make_plan()
        activity = make_activity(plan, starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=1))
        other = make_activity(plan, title="Lớp tập huấn kỹ năng số", kind="training", starts_at=now, hours=3)
        people = [
            Registration(
                activity=activity if n < 3 else other,
                name=f"Người tham dự {n}",
                phone=f"09{n:08d}",
                consent_at=now,
                status="cancelled" if n == 2 else "confirmed",
                token=f"ve-thu-nghiem-{n:024d}",
            )
            for n in range(4)
        ]
        points = [
            Checkpoint(activity=activity, name="Cổng chính", kind="entrance", rule="once_per_day"),
            Checkpoint(activity=activity, name="Cổng ra", kind="exit", rule="every_time"),
            Checkpoint(activity=activity, name="Không gian xã hội số", kind="booth", rule="once"),
        ]
        db.session.add_all([plan, activity, other, *people, *points])
        db.session.flush()
        db.session.add_all(
            [CheckpointAssignment(checkpoint_id=p.id, user_id=volunteer["id"]) for p in (points[0], points[2])]
        )
        db.session.commit()
        return Festival(
            now=now,
            keys=signing_keys(app),
            activity_id=activity.id,
            other_activity_id=other.id,
            entrance=points[0].id,
            exit=points[1].id,
            booth=points[2].id,
            ids=[p.id for p in people],
            tokens=[p.token for p in people],
            tickets=[ticket_token(p, app) for p in people],
            volunteer=volunteer,
            organizer=organizer,
            reporter=reporter,
        )
