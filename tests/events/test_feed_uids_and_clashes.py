"""Rules that breaking the code once showed untested, checked through HTTP: tour-stop UIDs unique across a plan
and stable when stops are reordered; a door-to-door campaign still warned about a venue booked twice."""

from __future__ import annotations

from icalendar import Calendar
from sqlalchemy import func, select

from app.extensions import db
from app.models import Unit
from events.models import Activity, TourStop
from tests.factories import make_activity

from .conftest import local

CLASH = "bị đặt trùng giờ"  # "%(venue)s is booked twice at the same time", in Vietnamese


def feed_events(client, plan_id) -> list:
    response = client.get(f"/events/plans/{plan_id}/calendar.ics")
    assert response.status_code == 200
    return Calendar.from_ical(response.data).walk("VEVENT")


def uid_by_summary(events) -> dict[str, str]:
    return {str(event["SUMMARY"]): str(event["UID"]) for event in events}


def add_second_tour(app, setup) -> tuple[int, list[int]]:
    with app.app_context():
        tour = make_activity(
            setup.plan_id,
            title="Hành trình thứ hai",
            kind="cluster_tour",
            starts_at=local("14/10/2024", 7, 30),
            ends_at=local("18/10/2024", 17, 0),
        )
        tour.stops = [
            TourStop(position=1, name="Chặng A", host_unit_id=setup.ward_id, starts_at=local("14/10/2024", 7, 30),
                     ends_at=local("15/10/2024", 17, 0)),
            TourStop(position=2, name="Chặng B", host_unit_id=setup.other_ward_id, starts_at=local("17/10/2024", 7, 30),
                     ends_at=local("18/10/2024", 17, 0)),
        ]  # fmt: skip
        db.session.add(tour)
        db.session.commit()
        return tour.id, [stop.id for stop in tour.stops]


def test_feed_uids_are_unique_across_two_tours_and_survive_reordering(app, client, calendar_setup, make_user, sign_in):
    _tour_id, second_stops = add_second_tour(app, calendar_setup)
    events = feed_events(client, calendar_setup.plan_id)
    uids = [str(event["UID"]) for event in events]
    assert len(uids) == len(set(uids)), uids
    stop_uids = [uid for uid in uids if uid.startswith("stop-")]
    assert len(stop_uids) == 4  # two stops in each tour, each its own event
    before = uid_by_summary(events)

    sign_in(client, make_user("organizer")["id"])
    for stop_id in (calendar_setup.stop_ids[0], second_stops[0]):
        response = client.post(f"/events/stops/{stop_id}/move", data={"direction": "down"})
        assert response.status_code == 302
    with app.app_context():
        moved = db.session.get(TourStop, calendar_setup.stop_ids[0])
        assert moved.position == 2  # the move really happened
    sign_in(client, None)

    after = uid_by_summary(feed_events(client, calendar_setup.plan_id))
    assert after == before  # each stop keeps its UID (and its summary) whatever its position


def door_to_door_form(setup, **changes) -> dict:
    return {
        "title": "Chiến dịch hướng dẫn cài đặt VNeID tại quảng trường",
        "kind": "door_to_door",
        "starts_at": "05/10/2024 09:00",
        "ends_at": "05/10/2024 11:00",
        "venue_id": str(setup.square_id),
        "area_unit_id": "0",
        "lead_unit_id": str(setup.youth_id),
        **changes,
    }


def activity_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(Activity.id)))


def test_a_door_to_door_campaign_at_a_booked_venue_is_warned(app, client, campaign, make_user, sign_in):
    sign_in(client, make_user("organizer")["id"])
    first = {**door_to_door_form(campaign), "title": "Ngày hội Chuyển đổi số", "kind": "festival",
             "lead_unit_id": str(campaign.office_id)}  # fmt: skip
    assert client.post(f"/events/plans/{campaign.plan_id}/activities/new", data=first).status_code == 302
    count = activity_count(app)

    response = client.post(f"/events/plans/{campaign.plan_id}/activities/new", data=door_to_door_form(campaign))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert CLASH in page and "Quảng trường thành phố" in page
    assert activity_count(app) == count  # not saved until the warning is accepted

    accepted = door_to_door_form(campaign, accept_warnings="y")
    assert client.post(f"/events/plans/{campaign.plan_id}/activities/new", data=accepted).status_code == 302
    assert activity_count(app) == count + 1


def test_the_plan_page_warns_of_a_door_to_door_campaign_at_a_booked_venue(
    app, client, calendar_setup, make_user, sign_in
):
    with app.app_context():  # the festival holds the square on 05/10/2024 07:30-21:00
        square = db.session.get(Activity, calendar_setup.festival_id).venue_id
        db.session.add(
            make_activity(
                calendar_setup.plan_id,
                title="Chiến dịch tại quảng trường",
                kind="door_to_door",
                starts_at=local("05/10/2024", 9, 0),
                ends_at=local("05/10/2024", 11, 0),
                venue_id=square,
                area_unit_id=db.session.get(Unit, calendar_setup.ward_id).id,
            )
        )
        db.session.commit()
    sign_in(client, make_user("organizer")["id"])
    page = client.get(f"/events/plans/{calendar_setup.plan_id}").get_data(as_text=True)
    clash_lines = [line for line in page.splitlines() if CLASH in line]
    assert any("Chiến dịch tại quảng trường" in line for line in clash_lines), clash_lines
