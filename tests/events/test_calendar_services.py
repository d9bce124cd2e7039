"""The public calendar's rules: where activities fall on a Vietnamese (Monday-first) month or week in local time,
the list of what is coming, and which activities the public sees with each filter."""

from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from app.errors import DomainError
from app.models import Visitor
from events.models import Activity
from events.services import calendar as cal

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def local(day: str, hour: int = 0, minute: int = 0) -> datetime:
    d, m, y = (int(part) for part in day.split("/"))
    return datetime(y, m, d, hour, minute, tzinfo=TZ)


def activity(title, starts_at, ends_at, **fields):
    return SimpleNamespace(
        title=title,
        starts_at=starts_at,
        ends_at=ends_at,
        stops=fields.pop("stops", []),
        cancelled=fields.pop("cancelled", False),
        **fields,
    )


def days_with(grid, title):
    """The dates whose cells list ``title``, in order."""
    flat = [day for week in grid for day in week] if grid and isinstance(grid[0], list) else grid
    return [day.date for day in flat if any(entry.activity.title == title for entry in day.entries)]


# --- month and week grids -------------------------------------------------------------------------------------


def test_month_weeks_start_on_monday_and_cover_whole_weeks():
    weeks = cal.month_grid(2024, 10, [], TZ)
    assert [len(week) for week in weeks] == [7] * 5
    assert weeks[0][0].date == date(2024, 9, 30) and weeks[0][0].weekday == 0  # Thứ Hai
    assert weeks[-1][-1].date == date(2024, 11, 3) and weeks[-1][-1].weekday == 6  # Chủ Nhật
    assert not weeks[0][0].in_month and weeks[0][1].in_month  # 30/09 fills the first week, 01/10 is in it


def test_a_month_can_span_six_weeks():
    # 09/2024 starts on a Sunday and ends on a Monday: six rows.
    weeks = cal.month_grid(2024, 9, [], TZ)
    assert len(weeks) == 6
    assert weeks[0][-1].date == date(2024, 9, 1) and weeks[-1][0].date == date(2024, 9, 30)


def test_an_evening_in_utc_is_the_next_morning_in_vietnam():
    night = activity("Thi trực tuyến", datetime(2024, 10, 9, 18, tzinfo=UTC), datetime(2024, 10, 9, 23, tzinfo=UTC))
    grid = cal.month_grid(2024, 10, [night], TZ)
    assert days_with(grid, "Thi trực tuyến") == [date(2024, 10, 10)]
    (entry,) = next(day for week in grid for day in week if day.date == date(2024, 10, 10)).entries
    assert entry.starts_today and entry.ends_today and not entry.all_day


def test_a_ten_day_campaign_shows_once_as_a_span_not_in_ten_cells():
    campaign = activity("Đi từng ngõ", local("01/10/2024", 7), local("10/10/2024", 17))
    grid = cal.month_grid(2024, 10, [campaign], TZ)
    assert days_with(grid, "Đi từng ngõ") == [date(2024, 10, 1)]
    (entry,) = next(day for week in grid for day in week if day.date == date(2024, 10, 1)).entries
    assert entry.span == (date(2024, 10, 1), date(2024, 10, 10))
    # in a week inside it, once, on the Monday: the first of its days in view
    week = cal.week_days(date(2024, 10, 9), [campaign], TZ)
    assert days_with(week, "Đi từng ngõ") == [date(2024, 10, 7)]
    assert week[0].entries[0].span == (date(2024, 10, 1), date(2024, 10, 10))


def test_a_short_activity_is_no_span():
    training = activity("Tập huấn", local("08/10/2024", 8), local("08/10/2024", 11, 30))
    (entry,) = next(d for d in cal.week_days(date(2024, 10, 8), [training], TZ) if d.entries).entries
    assert entry.span is None
    overnight = activity("Đêm nhạc", local("04/10/2024", 19), local("05/10/2024", 2))  # not longer than a day
    assert days_with(cal.month_grid(2024, 10, [overnight], TZ), "Đêm nhạc") == [date(2024, 10, 4), date(2024, 10, 5)]


def test_ending_at_local_midnight_does_not_spill_into_the_next_day():
    gala = activity("Đêm nhạc", local("04/10/2024", 19), local("05/10/2024", 0))
    assert days_with(cal.month_grid(2024, 10, [gala], TZ), "Đêm nhạc") == [date(2024, 10, 4)]
    # …but midnight in UTC is 07:00 in Vietnam, well inside the next day.
    utc_midnight = activity("Trực tuyến", local("04/10/2024", 19), datetime(2024, 10, 5, tzinfo=UTC))
    assert days_with(cal.month_grid(2024, 10, [utc_midnight], TZ), "Trực tuyến") == [
        date(2024, 10, 4),
        date(2024, 10, 5),
    ]


def test_a_span_crossing_months_shows_once_in_each_on_its_first_day_of_that_month():
    fair = activity("Hội chợ", local("30/09/2024", 8), local("02/10/2024", 17))
    assert days_with(cal.month_grid(2024, 9, [fair], TZ), "Hội chợ") == [date(2024, 9, 30)]
    # October's grid starts on Monday 30/09 too: the span sits on 01/10, October's first day, not on September's
    assert days_with(cal.month_grid(2024, 10, [fair], TZ), "Hội chợ") == [date(2024, 10, 1)]
    drive = activity("Truyền thông", local("15/09/2024", 7), local("31/10/2024", 17))
    assert days_with(cal.month_grid(2024, 10, [drive], TZ), "Truyền thông") == [date(2024, 10, 1)]
    assert days_with(cal.month_grid(2024, 11, [drive], TZ), "Truyền thông") == [date(2024, 10, 28)]  # last week


def test_a_cluster_tour_shows_on_its_stops_days_only():
    stops = [
        SimpleNamespace(name="Cụm 1", starts_at=local("24/09/2024", 7, 30), ends_at=local("25/09/2024", 17)),
        SimpleNamespace(name="Cụm 2", starts_at=local("27/09/2024", 7, 30), ends_at=local("28/09/2024", 17)),
    ]
    tour = activity("Hành trình", local("24/09/2024", 7, 30), local("28/09/2024", 17), stops=stops)
    grid = cal.month_grid(2024, 9, [tour], TZ)
    assert days_with(grid, "Hành trình") == [date(2024, 9, d) for d in (24, 25, 27, 28)]
    names = {day.date.day: day.entries[0].stop.name for week in grid for day in week if day.entries}
    assert names == {24: "Cụm 1", 25: "Cụm 1", 27: "Cụm 2", 28: "Cụm 2"}


def test_a_day_lists_spans_first_then_what_starts_that_day_then_by_time():
    long_one = activity("Chiến dịch", local("01/10/2024", 7), local("10/10/2024", 17))
    late = activity("Buổi chiều", local("07/10/2024", 14), local("07/10/2024", 16))
    early = activity("Buổi sáng", local("07/10/2024", 7, 30), local("07/10/2024", 11))
    night = activity("Đêm qua", local("06/10/2024", 22), local("07/10/2024", 9))
    day = cal.week_days(date(2024, 10, 9), [long_one, late, early, night], TZ)[0]
    assert [e.activity.title for e in day.entries] == ["Chiến dịch", "Buổi sáng", "Buổi chiều", "Đêm qua"]


def test_week_is_monday_to_sunday_around_the_day():
    days = cal.week_days(date(2024, 10, 10), [], TZ, today=date(2024, 10, 10))
    assert [d.date for d in days] == [date(2024, 10, 7) + timedelta(days=n) for n in range(7)]
    assert [d.is_today for d in days] == [False, False, False, True, False, False, False]


def test_the_list_groups_what_is_coming_by_day_and_puts_what_is_under_way_today():
    now = local("05/10/2024", 12)
    over = activity("Đã xong", local("05/10/2024", 7), local("05/10/2024", 11))
    running = activity("Chiến dịch", local("01/10/2024", 7), local("10/10/2024", 17))
    later = activity("Tập huấn", local("08/10/2024", 8), local("08/10/2024", 11))
    too_far = activity("Tháng sau", local("20/11/2024", 8), local("20/11/2024", 11))
    days = cal.list_upcoming(
        [later, over, running, too_far], now=now, tz=TZ, until=local("04/11/2024"), today=date(2024, 10, 5)
    )
    assert [(d.date, [e.activity.title for e in d.entries]) for d in days] == [
        (date(2024, 10, 5), ["Chiến dịch"]),
        (date(2024, 10, 8), ["Tập huấn"]),
    ]
    assert days[0].is_today and not days[1].is_today
    # Looking at another period, no day is "today".
    assert not any(d.is_today for d in cal.list_upcoming([later], now=now, tz=TZ, today=date(2026, 1, 1)))


def test_covered_days_of_a_short_activity_is_one_day():
    assert cal.covered_days(local("05/10/2024", 7), local("05/10/2024", 9), TZ) == (date(2024, 10, 5),) * 2


# --- what the public sees, and the filters --------------------------------------------------------------------


def titles(activities):
    return {a.title for a in activities}


def test_drafts_and_internal_activities_are_never_public_but_cancelled_ones_are(session, calendar_setup):
    found = {a.id for a in cal.public_activities(session)}
    assert calendar_setup.cancelled_id in found and calendar_setup.festival_id in found
    assert calendar_setup.internal_id not in found and calendar_setup.draft_activity_id not in found
    citizen, organizer = Visitor(), SimpleNamespace(is_organizer=True)
    assert cal.activity_for_page(session, calendar_setup.internal_id, citizen) is None
    assert cal.activity_for_page(session, calendar_setup.draft_activity_id, citizen) is None
    assert cal.activity_for_page(session, calendar_setup.internal_id, organizer).is_public is False
    # The same rule in SQL and in Python: Activity.is_visible selects exactly the activities that say they are.
    every = session.scalars(select(Activity)).all()
    assert {a.id for a in every if a.is_visible} == set(session.scalars(select(Activity.id).where(Activity.is_visible)))
    assert {a.id for a in every if a.is_visible} == found


def test_the_window_keeps_activities_overlapping_it(session, calendar_setup):
    window = cal.public_activities(session, start=local("05/10/2024"), end=local("06/10/2024"))
    assert {a.id for a in window} == {calendar_setup.festival_id, calendar_setup.campaign_id}


def test_filter_by_kind(session, calendar_setup):
    found = cal.public_activities(session, kinds=["festival", "contest"])
    assert {a.id for a in found} == {calendar_setup.festival_id, calendar_setup.night_id}


def test_a_district_filter_shows_its_wards_activities(session, calendar_setup):
    in_city = {a.id for a in cal.public_activities(session, area_unit_id=calendar_setup.city_id)}
    # The festival through its venue's ward, the campaign and the cashless drive through their wards, the tour
    # because its first stop is hosted by the city.
    assert in_city == {
        calendar_setup.festival_id,
        calendar_setup.campaign_id,
        calendar_setup.cancelled_id,
        calendar_setup.tour_id,
    }
    in_ward = {a.id for a in cal.public_activities(session, area_unit_id=calendar_setup.other_ward_id)}
    assert in_ward == {calendar_setup.campaign_id}
    in_ben_cat = {a.id for a in cal.public_activities(session, area_unit_id=calendar_setup.ben_cat_id)}
    assert in_ben_cat == {calendar_setup.night_id, calendar_setup.tour_id}
    everywhere = {a.id for a in cal.public_activities(session, area_unit_id=calendar_setup.province_id)}
    assert in_city | in_ben_cat == everywhere


def test_filter_by_audience(session, calendar_setup):
    students = {a.id for a in cal.public_activities(session, audience_group="students")}
    assert students == {calendar_setup.festival_id, calendar_setup.night_id}
    elderly = {a.id for a in cal.public_activities(session, audience_group="elderly")}
    assert elderly == {calendar_setup.campaign_id}


def test_a_unit_feed_has_what_it_leads_coordinates_hosts_or_happens_in_its_area(session, calendar_setup):
    youth = {a.id for a in cal.public_activities(session, unit_id=calendar_setup.youth_id)}
    assert youth == {calendar_setup.festival_id}  # coordinates it
    office = {a.id for a in cal.public_activities(session, unit_id=calendar_setup.office_id)}
    assert office == {calendar_setup.festival_id, calendar_setup.campaign_id, calendar_setup.tour_id}
    my_phuoc = {a.id for a in cal.public_activities(session, unit_id=calendar_setup.my_phuoc_id)}
    assert my_phuoc == {calendar_setup.night_id, calendar_setup.tour_id}  # in its area; joins the second stop


def test_the_calendar_loads_in_a_fixed_number_of_queries(app, session, calendar_setup):
    from sqlalchemy import event

    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(session.get_bind(), "before_cursor_execute", listener)
    try:
        session.expire_all()
        found = cal.public_activities(session, with_programme=True)
        for activity in found:  # everything the calendar and the feeds touch
            _ = (activity.plan.title, activity.venue and activity.venue.name, activity.programme)
            _ = [(s.host_unit.name, s.venue, list(s.participating_units)) for s in activity.stops]
    finally:
        event.remove(session.get_bind(), "before_cursor_execute", listener)
    assert len(found) == 5
    assert len(statements) <= 10


def test_an_unknown_audience_is_refused_rather_than_matched_loosely(session, calendar_setup):
    with pytest.raises(DomainError) as raised:
        cal.public_activities(session, audience_group="%")
    assert raised.value.code == "unknown_audience" and raised.value.field == "audience"


def test_periods_of_each_view_and_where_previous_and_next_go():
    month = cal.calendar_period("month", date(2024, 10, 17), TZ)
    assert (month.first, month.last) == (date(2024, 9, 30), date(2024, 11, 3))
    assert (month.previous, month.next) == (date(2024, 9, 1), date(2024, 11, 1))
    assert month.start == local("30/09/2024") and month.end == local("04/11/2024")
    assert cal.calendar_period("month", date(2024, 12, 5), TZ).next == date(2025, 1, 1)
    assert cal.calendar_period("month", date(2024, 1, 5), TZ).previous == date(2023, 12, 1)
    week = cal.calendar_period("week", date(2024, 10, 10), TZ)
    assert (week.first, week.last, week.previous, week.next) == (
        date(2024, 10, 7),
        date(2024, 10, 13),
        date(2024, 9, 30),
        date(2024, 10, 14),
    )
    # The list from today starts now, not at midnight: what ended this morning is not "upcoming".
    now = local("05/10/2024", 12)
    listing = cal.calendar_period("list", date(2024, 10, 5), TZ, now=now)
    assert listing.start == now and listing.last == date(2024, 11, 4)


# --- upcoming: pages by count, whole days, and the search ----------------------------------------------------


def test_fold_ignores_case_and_vietnamese_marks():
    assert cal.fold("  NGÀY Hội  Chuyển đổi SỐ ") == "ngay hoi chuyen doi so"
    assert cal.fold("Đồng Nai") == cal.fold("dong nai") == "dong nai"


def test_the_search_matches_title_venue_or_description_whatever_the_marks():
    venue = SimpleNamespace(name="Quảng trường thành phố")
    festival = activity(
        "Ngày hội Chuyển đổi số",
        local("05/10/2024", 7),
        local("05/10/2024", 21),
        venue=venue,
        description="Trải nghiệm ứng dụng VNeID",
    )
    assert cal.matches(festival, "ngay hoi")
    assert cal.matches(festival, "QUANG TRUONG")
    assert cal.matches(festival, "vneid trai nghiem")  # every word, in any order
    assert not cal.matches(festival, "tập huấn")


def days_of(n_per_day: list[int]):
    """Activities on consecutive days from 01/10/2024: ``n_per_day[i]`` on day i."""
    found = []
    for offset, count in enumerate(n_per_day):
        for hour in range(count):
            start = local("01/10/2024", 7 + hour) + timedelta(days=offset)
            found.append(activity(f"Ngày {offset} giờ {hour}", start, start + timedelta(hours=1)))
    return found


def test_a_page_never_cuts_a_day_and_says_where_the_next_starts():
    rows = days_of([2, 2, 2])  # 6 activities over three days
    shown, boundary = cal.page_cut(rows[:5], 4, TZ)  # 4 per page, 5 fetched
    assert [a.title for a in shown] == ["Ngày 0 giờ 0", "Ngày 0 giờ 1", "Ngày 1 giờ 0", "Ngày 1 giờ 1"]
    assert boundary == date(2024, 10, 3)
    shown, boundary = cal.page_cut(days_of([1, 3])[:4], 3, TZ)  # the 2nd day would be cut: it waits
    assert [a.title for a in shown] == ["Ngày 0 giờ 0"] and boundary == date(2024, 10, 2)
    assert cal.page_cut(rows[:4], 4, TZ) == (rows[:4], None)  # everything fits: no "Later"
    assert cal.page_cut(days_of([5])[:5], 4, TZ) == ([], date(2024, 10, 1))  # a day larger than a page


def test_upcoming_pages_through_everything_however_far_without_repeats(session, calendar_setup):
    now = local("20/09/2024", 9)
    first = cal.upcoming_page(session, now=now, tz=TZ, limit=3, today=now.date())
    shown = [e.activity.title for d in first.days for e in d.entries]
    assert len(shown) <= 3 and first.later_after is not None
    assert first.days[-1].date == first.later_after  # "Later" goes on after the last date shown
    seen = list(shown)
    after = first.later_after
    while after is not None:
        page = cal.upcoming_page(session, now=now, tz=TZ, after=after, limit=3)
        seen += [e.activity.title for d in page.days for e in d.entries]
        after = page.later_after
    public = [a.title for a in cal.public_activities(session, start=now)]
    assert sorted(seen) == sorted(public) and len(seen) == len(set(seen))


def test_upcoming_keeps_filters_and_searches_without_marks_on_both_databases(session, calendar_setup):
    now = local("20/09/2024", 9)
    found = cal.upcoming_page(session, now=now, tz=TZ, q="NGAY HOI")
    assert [e.activity.id for d in found.days for e in d.entries] == [calendar_setup.festival_id]
    by_venue = cal.upcoming_page(session, now=now, tz=TZ, q="nha van hoa my phuoc")
    assert calendar_setup.night_id in [e.activity.id for d in by_venue.days for e in d.entries]
    nothing = cal.upcoming_page(session, now=now, tz=TZ, q="ngay hoi", kinds=["training"])
    assert nothing.days == [] and nothing.later_after is None
