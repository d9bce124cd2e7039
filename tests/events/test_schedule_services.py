from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.errors import DomainError
from app.extensions import db
from events.models import Activity, Plan, TourStop
from events.services import activities, conflicts, plans, tours
from events.services.conflicts import NeedsConfirmation
from tests.factories import make_activity

from .conftest import TZ, local

NOW = local("01/09/2024", 9)
TODAY = date(2024, 9, 1)


def _festival(session, campaign, **overrides):
    plan = session.get(Plan, campaign.plan_id)
    values = dict(
        title="Ngày hội Chuyển đổi số",
        kind="festival",
        starts_at=local("05/10/2024", 7, 30),
        ends_at=local("05/10/2024", 21),
        venue_id=campaign.square_id,
        lead_unit_id=campaign.office_id,
        capacity=2000,
        is_public=True,
    )
    values.update(overrides)
    return activities.save_activity(session, plan, None, **values, tz=TZ, now=NOW)


def test_a_plan_needs_a_real_period_and_a_peak_inside_it(session):
    base = dict(title="Kế hoạch", period_start=date(2024, 9, 15), period_end=date(2024, 10, 31))
    with pytest.raises(DomainError) as error:
        plans.save_plan(session, None, today=TODAY, **{**base, "period_end": date(2024, 9, 1)})
    assert error.value.field == "period_end"
    with pytest.raises(DomainError) as error:
        plans.save_plan(session, None, today=TODAY, **base, peak_start=date(2024, 11, 1), peak_end=date(2024, 11, 5))
    assert error.value.code == "peak_outside"
    with pytest.raises(DomainError) as error:
        plans.save_plan(session, None, today=TODAY, **base, peak_start=date(2024, 10, 1), peak_end=None)
    assert error.value.code == "peak_incomplete"
    plan = plans.save_plan(session, None, today=TODAY, **base, number="4568/KH-UBND", themes=" a \n\n b ")
    session.flush()
    assert plan.status == "draft" and plan.themes == "a\nb"
    with pytest.raises(DomainError) as error:
        plans.save_plan(session, None, today=TODAY, **base, number="4568/kh-ubnd")
    assert error.value.code == "plan_number_taken"


def test_plan_status_moves_draft_published_closed(session):
    plan = plans.save_plan(
        session, None, today=TODAY, title="K", period_start=date(2024, 9, 1), period_end=date(2024, 9, 2)
    )
    with pytest.raises(DomainError):
        plans.set_plan_status(plan, "closed")
    plans.set_plan_status(plan, "published")
    plans.set_plan_status(plan, "closed")
    plans.set_plan_status(plan, "published")
    assert plan.status == "published"


def test_saving_an_overlapping_booking_asks_for_confirmation_then_remembers_it(app, campaign):
    with app.app_context():
        _festival(db.session, campaign)
        db.session.commit()
        with pytest.raises(NeedsConfirmation) as pending:
            _festival(
                db.session,
                campaign,
                title="Diễu hành",
                starts_at=local("05/10/2024", 15),
                ends_at=local("05/10/2024", 17),
                lead_unit_id=campaign.youth_id,
            )
        db.session.rollback()
        assert [w.code for w in pending.value.warnings] == ["venue_double_booked"]
        assert db.session.scalar(select(Activity.id).where(Activity.title == "Diễu hành")) is None
        parade, warnings = _festival(
            db.session,
            campaign,
            title="Diễu hành",
            starts_at=local("05/10/2024", 15),
            ends_at=local("05/10/2024", 17),
            lead_unit_id=campaign.youth_id,
            accept=True,
        )
        db.session.commit()
        assert len(warnings) == 1 and parade.accepted_warnings == [warnings[0].key]
        plan = db.session.get(Plan, campaign.plan_id)
        assert [(w.warning.code, w.accepted) for w in conflicts.plan_warnings(db.session, plan, tz=TZ)] == [
            ("venue_double_booked", True)
        ]


def test_an_activity_cannot_end_before_it_starts_and_capacity_cannot_drop_below_seats(app, campaign):
    with app.app_context():
        with pytest.raises(DomainError) as error:
            _festival(db.session, campaign, ends_at=local("05/10/2024", 7))
        assert error.value.code == "ends_before_start" and error.value.field == "ends_at"
        db.session.rollback()
        festival, _ = _festival(db.session, campaign)
        festival.seats_taken = 150
        db.session.commit()
        plan = db.session.get(Plan, campaign.plan_id)
        with pytest.raises(DomainError) as error:
            activities.save_activity(
                db.session, plan, festival, **{**_fields(festival), "capacity": 100}, tz=TZ, now=NOW
            )
        assert error.value.code == "capacity_below_taken" and "150" in str(error.value.message)


def _fields(activity):
    return {name: getattr(activity, name) for name in activities.ACTIVITY_FIELDS}


def test_calendar_relevant_changes_bump_the_sequence_and_cancelling_keeps_the_activity(app, campaign):
    with app.app_context():
        festival, _ = _festival(db.session, campaign)
        db.session.commit()
        plan = db.session.get(Plan, campaign.plan_id)
        activities.save_activity(
            db.session, plan, festival, **{**_fields(festival), "audience": "Người dân"}, tz=TZ, now=NOW
        )
        assert festival.sequence == 0
        activities.save_activity(
            db.session, plan, festival, **{**_fields(festival), "starts_at": local("05/10/2024", 8)}, tz=TZ, now=NOW
        )
        assert festival.sequence == 1
        assert activities.cancel_activity(db.session, festival, NOW) is True
        assert activities.cancel_activity(db.session, festival, NOW) is False
        assert festival.sequence == 2 and festival.cancelled and not festival.registration_open


def test_area_defaults_to_the_venues_ward(app, campaign):
    with app.app_context():
        festival, _ = _festival(db.session, campaign)
        assert festival.area_unit_id == campaign.ward_id


def test_cluster_tour_stops_warn_outside_the_tour_and_reorder(app, campaign):
    with app.app_context():
        plan = db.session.get(Plan, campaign.plan_id)
        tour, _ = activities.save_activity(
            db.session,
            plan,
            None,
            title="Hành trình theo cụm",
            kind="cluster_tour",
            starts_at=local("24/09/2024", 7, 30),
            ends_at=local("28/09/2024", 17),
            lead_unit_id=campaign.office_id,
            tz=TZ,
            now=NOW,
        )
        one, _ = tours.save_stop(
            db.session,
            tour,
            None,
            name="Cụm 1",
            host_unit_id=campaign.police_id,
            starts_at=local("24/09/2024", 7, 30),
            ends_at=local("25/09/2024", 17),
            venue_id=None,
            participant_ids=[campaign.ward_id],
            tz=TZ,
        )
        with pytest.raises(NeedsConfirmation) as pending:
            tours.save_stop(
                db.session,
                tour,
                None,
                name="Cụm 2",
                host_unit_id=campaign.youth_id,
                starts_at=local("28/09/2024", 7, 30),
                ends_at=local("29/09/2024", 17),
                venue_id=None,
                participant_ids=[],
                tz=TZ,
            )
        assert [w.code for w in pending.value.warnings] == ["stop_outside_tour"]
        db.session.rollback()
        tour = db.session.scalar(select(Activity).where(Activity.kind == "cluster_tour"))
        assert tour is None  # the rollback took the unsaved tour with it: nothing half-saved
        with pytest.raises(DomainError) as error:
            tours.save_stop(
                db.session,
                _festival(db.session, campaign)[0],
                None,
                name="X",
                host_unit_id=campaign.police_id,
                starts_at=local("05/10/2024", 8),
                ends_at=local("05/10/2024", 9),
                venue_id=None,
                participant_ids=[],
                tz=TZ,
            )
        assert error.value.code == "not_a_tour"


def test_moving_stops_swaps_positions(app, campaign):
    with app.app_context():
        plan = db.session.get(Plan, campaign.plan_id)
        tour, _ = activities.save_activity(
            db.session,
            plan,
            None,
            title="Hành trình",
            kind="cluster_tour",
            starts_at=local("24/09/2024", 7),
            ends_at=local("28/09/2024", 17),
            lead_unit_id=campaign.office_id,
            tz=TZ,
            now=NOW,
        )
        stops = []
        for index, host in enumerate((campaign.police_id, campaign.youth_id)):
            stop, _ = tours.save_stop(
                db.session,
                tour,
                None,
                name=f"Cụm {index + 1}",
                host_unit_id=host,
                starts_at=local(f"{24 + 2 * index}/09/2024", 8),
                ends_at=local(f"{25 + 2 * index}/09/2024", 17),
                venue_id=None,
                participant_ids=[],
                tz=TZ,
            )
            stops.append(stop)
        db.session.commit()
        tours.move_stop(db.session, stops[1], -1)
        db.session.commit()
        names = db.session.scalars(
            select(TourStop.name).where(TourStop.activity_id == tour.id).order_by(TourStop.position)
        ).all()
        assert names == ["Cụm 2", "Cụm 1"]


def test_programme_items_must_fall_within_the_activity(app, campaign):
    with app.app_context():
        festival, _ = _festival(db.session, campaign)
        item = activities.save_programme_item(
            db.session,
            festival,
            None,
            title="Lễ ra mắt Kênh giao tiếp số",
            starts_at=local("05/10/2024", 8),
            ends_at=local("05/10/2024", 8, 30),
            responsible_unit_id=campaign.office_id,
        )
        db.session.flush()
        assert item.id and festival.programme == [item]
        with pytest.raises(DomainError) as error:
            activities.save_programme_item(
                db.session,
                festival,
                None,
                title="Diễu hành",
                starts_at=local("05/10/2024", 21, 30),
                ends_at=None,
                responsible_unit_id=None,
            )
        assert error.value.code == "item_outside_activity"


def test_timeline_places_each_activity_on_the_plans_period(app, campaign):
    with app.app_context():
        plan = db.session.get(Plan, campaign.plan_id)
        festival, _ = _festival(db.session, campaign)
        campaign_days, _ = activities.save_activity(
            db.session,
            plan,
            None,
            title="Đi từng ngõ",
            kind="door_to_door",
            starts_at=local("01/10/2024", 7),
            ends_at=local("10/10/2024", 17),
            lead_unit_id=campaign.office_id,
            tz=TZ,
            now=NOW,
        )
        line = plans.timeline(plan, [festival, campaign_days], tz=TZ)
        assert (line.start, line.end, line.days) == (date(2024, 9, 15), date(2024, 10, 31), 47)
        assert [bar.activity.title for bar in line.bars] == ["Đi từng ngõ", "Ngày hội Chuyển đổi số"]
        bars = {bar.activity.title: bar for bar in line.bars}
        assert float(bars["Đi từng ngõ"].left) == pytest.approx(100 * (16 + 7 / 24) / 47, abs=0.01)
        assert 0 < line.peak[0] < bars["Ngày hội Chuyển đổi số"].left < line.peak[0] + line.peak[1]
        assert plans.activities_by_kind([festival, campaign_days]) == [("door_to_door", 1), ("festival", 1)]


def test_a_typo_of_a_century_does_not_grow_the_timeline(app, campaign):
    """An activity dated 10/03/9990 once made the plan page draw a tick per week per bar (336 MB of HTML)."""
    with app.app_context():
        plan = db.session.get(Plan, campaign.plan_id)
        typo = make_activity(
            plan.id,
            title="Lỗi gõ năm",
            kind="training",
            starts_at=local("10/03/9990", 8),
            ends_at=local("10/03/9990", 11),
        )
        festival, _ = _festival(db.session, campaign)
        line = plans.timeline(plan, [festival, typo], tz=TZ)
        assert line.end == date(9990, 3, 10) and 0 < len(line.ticks) <= plans.MAX_TICKS
        assert all(isinstance(left, Decimal) and 0 <= left <= 100 for left, _day in line.ticks)
        assert [day.month for _left, day in line.ticks] == [1] * len(line.ticks)  # years, thinned
        short = plans.timeline(plan, [festival], tz=TZ)
        assert [day.weekday() for _left, day in short.ticks] == [0] * len(short.ticks) and len(short.ticks) == 7
