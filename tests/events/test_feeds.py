"""iCalendar feeds, parsed back with the icalendar package as a phone calendar would read them: time zones, stable
UIDs, SEQUENCE/LAST-MODIFIED, cancellations, one event per tour stop, and the HTTP side (type, caching, 304)."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from app.extensions import db
from events.models import Activity
from events.services import calendar as cal
from events.services import feeds
from tests.factories import make_activity

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
BASE = "https://dxday.example.vn/"
NOW = datetime(2024, 10, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def vi_request(app):
    """A request context, so labels in the feed are translated (Vietnamese by default)."""
    with app.test_request_context("/", base_url=BASE.rstrip("/")):
        yield db.session


def build(session, now=NOW, **filters):
    activities = cal.public_activities(session, with_programme=True, **filters)
    return feeds.build_calendar(activities, name="Ngày Chuyển đổi số 2024", now=now, base_url=BASE, tz=TZ)


def events_by_uid(body: bytes) -> dict:
    return {str(event["UID"]): event for event in Calendar.from_ical(body).walk("VEVENT")}


def test_the_calendar_header_names_the_zone_and_defines_it(vi_request, calendar_setup):
    parsed = Calendar.from_ical(build(vi_request))
    assert parsed["VERSION"] == "2.0" and parsed["CALSCALE"] == "GREGORIAN" and parsed["METHOD"] == "PUBLISH"
    assert str(parsed["PRODID"]).startswith("-//dxday//")
    assert parsed["X-WR-CALNAME"] == "Ngày Chuyển đổi số 2024"
    assert parsed["X-WR-TIMEZONE"] == "Asia/Ho_Chi_Minh"
    assert [str(tz["TZID"]) for tz in parsed.walk("VTIMEZONE")] == ["Asia/Ho_Chi_Minh"]


def test_an_event_carries_the_local_zone_and_the_stored_instant(vi_request, calendar_setup):
    festival = events_by_uid(build(vi_request))[f"activity-{calendar_setup.festival_id}@dxday.example.vn"]
    start, end = festival.decoded("DTSTART"), festival.decoded("DTEND")
    assert start.tzinfo == TZ and festival["DTSTART"].params["TZID"] == "Asia/Ho_Chi_Minh"
    stored = db.session.get(Activity, calendar_setup.festival_id)
    assert start == stored.starts_at and end == stored.ends_at
    assert (start.hour, start.minute) == (7, 30)  # as people read it in Tân Uyên
    assert festival["SUMMARY"] == "Ngày hội Chuyển đổi số thành phố Tân Uyên"
    assert festival["STATUS"] == "CONFIRMED"
    assert festival["URL"] == f"{BASE}events/activities/{calendar_setup.festival_id}"
    assert festival["LOCATION"] == "Quảng trường thành phố, Phường Uyên Hưng"
    assert festival["CATEGORIES"].cats == ["Ngày hội / lễ hội"]
    description = str(festival["DESCRIPTION"])
    assert "Lễ ra mắt Kênh giao tiếp số; không gian trải nghiệm" in description
    assert "Căn cước công dân gắn chip" in description
    assert "07:30–08:00 Đón tiếp đại biểu" in description


def test_uids_are_stable_and_only_the_stamp_changes_between_builds(vi_request, calendar_setup):
    first = build(vi_request, now=NOW)
    second = build(vi_request, now=NOW + timedelta(hours=3))
    assert events_by_uid(first).keys() == events_by_uid(second).keys()
    assert first != second  # DTSTAMP says when each file was made…
    assert feeds.feed_etag(first) == feeds.feed_etag(second)  # …so it is left out of the validator


def test_a_change_is_announced_by_sequence_and_last_modified(vi_request, calendar_setup):
    before = build(vi_request)
    activity = db.session.get(Activity, calendar_setup.festival_id)
    activity.title = "Ngày hội Chuyển đổi số (dời sang buổi chiều)"
    activity.sequence += 1
    db.session.flush()
    after = build(vi_request)
    uid = f"activity-{calendar_setup.festival_id}@dxday.example.vn"
    old, new = events_by_uid(before)[uid], events_by_uid(after)[uid]
    assert int(new["SEQUENCE"]) == int(old["SEQUENCE"]) + 1
    assert new.decoded("LAST-MODIFIED") == activity.updated_at.replace(microsecond=0)
    assert new.decoded("LAST-MODIFIED").tzinfo is not None
    assert feeds.feed_etag(before) != feeds.feed_etag(after)
    db.session.rollback()


def test_a_cancelled_activity_stays_in_the_feed_as_cancelled(vi_request, calendar_setup):
    event = events_by_uid(build(vi_request))[f"activity-{calendar_setup.cancelled_id}@dxday.example.vn"]
    assert event["STATUS"] == "CANCELLED"
    assert int(event["SEQUENCE"]) == 1
    assert str(event["SUMMARY"]).startswith("Đã hủy: ")


def test_drafts_and_internal_activities_are_left_out(vi_request, calendar_setup):
    uids = events_by_uid(build(vi_request)).keys()
    assert f"activity-{calendar_setup.internal_id}@dxday.example.vn" not in uids
    assert f"activity-{calendar_setup.draft_activity_id}@dxday.example.vn" not in uids


def test_each_tour_stop_is_its_own_event(vi_request, calendar_setup):
    events = events_by_uid(build(vi_request, kinds=["cluster_tour"]))
    first, second = (events[f"stop-{stop_id}@dxday.example.vn"] for stop_id in calendar_setup.stop_ids)
    assert first["SUMMARY"].endswith("– Cụm 1") and second["SUMMARY"].endswith("– Cụm 2")
    assert first.decoded("DTSTART").date().day == 24 and first.decoded("DTEND").date().day == 25
    assert second.decoded("DTSTART").date().day == 27 and second.decoded("DTEND").date().day == 28
    assert second["RELATED-TO"] == f"activity-{calendar_setup.tour_id}@dxday.example.vn"
    assert "Phường Mỹ Phước" in str(second["DESCRIPTION"])  # who takes part
    assert len(events) == 3  # the tour itself, and its two stops


def test_an_empty_feed_is_still_a_valid_calendar():
    body = feeds.build_calendar([], name="Trống", now=NOW, base_url=BASE, tz=TZ)
    parsed = Calendar.from_ical(body)
    assert parsed.walk("VEVENT") == [] and parsed.walk("VTIMEZONE")


# --- over HTTP ------------------------------------------------------------------------------------------------


def test_plan_feed_is_served_as_text_calendar_with_caching(client, calendar_setup):
    response = client.get(f"/events/plans/{calendar_setup.plan_id}/calendar.ics")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert "public" in response.headers["Cache-Control"] and "max-age=300" in response.headers["Cache-Control"]
    assert response.headers["ETag"] and response.headers["Last-Modified"]
    uids = events_by_uid(response.data).keys()
    assert f"activity-{calendar_setup.festival_id}@localhost" in uids
    assert f"activity-{calendar_setup.internal_id}@localhost" not in uids


def test_an_unchanged_feed_answers_304(client, calendar_setup):
    url = f"/events/plans/{calendar_setup.plan_id}/calendar.ics"
    etag = client.get(url).headers["ETag"]
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    assert client.get(url, headers={"If-None-Match": '"something-else"'}).status_code == 200
    # A date alone cannot tell that an activity left the feed, so it never earns a 304.
    last_modified = client.get(url).headers["Last-Modified"]
    assert client.get(url, headers={"If-Modified-Since": last_modified}).status_code == 200


def test_an_activity_leaving_the_feed_changes_its_etag(app, client, calendar_setup):
    url = f"/events/plans/{calendar_setup.plan_id}/calendar.ics"
    etag = client.get(url).headers["ETag"]
    with app.app_context():
        db.session.get(Activity, calendar_setup.night_id).is_public = False
        db.session.commit()
    response = client.get(url, headers={"If-None-Match": etag})
    assert response.status_code == 200
    assert f"activity-{calendar_setup.night_id}@localhost" not in events_by_uid(response.data)


def test_a_changed_feed_is_sent_again(app, client, calendar_setup):
    url = f"/events/plans/{calendar_setup.plan_id}/calendar.ics"
    etag = client.get(url).headers["ETag"]
    with app.app_context():
        activity = db.session.get(Activity, calendar_setup.festival_id)
        activity.cancelled = True
        activity.sequence += 1
        db.session.commit()
    response = client.get(url, headers={"If-None-Match": etag})
    assert response.status_code == 200
    event = events_by_uid(response.data)[f"activity-{calendar_setup.festival_id}@localhost"]
    assert event["STATUS"] == "CANCELLED"


def test_kind_and_unit_feeds(client, calendar_setup):
    response = client.get("/events/kinds/festival/calendar.ics")
    assert response.status_code == 200
    # Feeds keep a year of history: the 2024 demo data is long past by the real clock, so this may be empty;
    # what matters is the calendar's name and zone.
    parsed = Calendar.from_ical(response.data)
    assert "Ngày hội / lễ hội" in str(parsed["X-WR-CALNAME"])
    assert client.get("/events/kinds/no-such-kind/calendar.ics").status_code == 404
    unit = client.get(f"/events/units/{calendar_setup.city_id}/calendar.ics")
    assert unit.status_code == 200 and "Thành phố Tân Uyên" in str(Calendar.from_ical(unit.data)["X-WR-CALNAME"])
    assert client.get("/events/units/999999/calendar.ics").status_code == 404


def test_kind_and_unit_feeds_list_recent_activities(app, client, calendar_setup):
    soon = datetime.now(UTC).replace(microsecond=0) + timedelta(days=10)
    with app.app_context():
        recent = make_activity(
            calendar_setup.plan_id,
            title="Lớp tập huấn kỹ năng số",
            kind="training",
            starts_at=soon,
            ends_at=soon + timedelta(hours=2),
            area_unit_id=calendar_setup.other_ward_id,
        )
        db.session.add(recent)
        db.session.commit()
        recent_id = recent.id
    by_kind = events_by_uid(client.get("/events/kinds/training/calendar.ics").data)
    assert list(by_kind) == [f"activity-{recent_id}@localhost"]
    by_district = events_by_uid(client.get(f"/events/units/{calendar_setup.city_id}/calendar.ics").data)
    assert f"activity-{recent_id}@localhost" in by_district  # happens in one of its wards


def test_one_activity_downloads_as_a_file(client, calendar_setup):
    response = client.get(f"/events/activities/{calendar_setup.festival_id}.ics")
    assert response.status_code == 200
    assert (
        response.headers["Content-Disposition"] == f'attachment; filename="activity-{calendar_setup.festival_id}.ics"'
    )
    assert list(events_by_uid(response.data)) == [f"activity-{calendar_setup.festival_id}@localhost"]


def test_internal_and_draft_feeds_are_not_found_for_the_public(client, calendar_setup):
    assert client.get(f"/events/activities/{calendar_setup.internal_id}.ics").status_code == 404
    assert client.get(f"/events/activities/{calendar_setup.draft_activity_id}.ics").status_code == 404
    assert client.get(f"/events/plans/{calendar_setup.draft_plan_id}/calendar.ics").status_code == 404
    assert client.get("/events/plans/999999/calendar.ics").status_code == 404


def test_an_organizer_may_download_an_internal_activity_but_not_for_a_shared_cache(
    client, make_user, login, calendar_setup
):
    login(make_user("organizer"))
    response = client.get(f"/events/activities/{calendar_setup.internal_id}.ics")
    assert response.status_code == 200
    assert "private" in response.headers["Cache-Control"] and "no-store" in response.headers["Cache-Control"]
