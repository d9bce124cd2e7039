"""The demo campaign's calendar: the seeds' 2024 dates placed in another campaign year (pure, no app)."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from app.demo import DemoCalendar, campaign_year, shift, week_offset

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def test_the_campaign_year_is_this_year_until_10_10_then_the_next():
    assert campaign_year(date(2026, 12, 1)) == 2027
    assert campaign_year(date(2027, 10, 10)) == 2027  # the day itself still belongs to this year's season
    assert campaign_year(date(2027, 10, 11)) == 2028
    assert campaign_year(date(2027, 1, 1)) == 2027


def test_the_saturday_festival_stays_on_a_saturday_near_the_same_day():
    festival = datetime(2024, 10, 5, 7, 30, tzinfo=TZ)  # Saturday
    for year in range(2025, 2036):
        moved = shift(festival, 2024, year, keep_weekday=True)
        assert moved.weekday() == 5, year
        assert abs((moved.date() - date(year, 10, 5)).days) <= 3, year
        assert (moved.hour, moved.minute, moved.tzinfo) == (7, 30, TZ)  # same local time
    assert shift(festival, 2024, 2027, keep_weekday=True).date() == date(2027, 10, 2)


def test_whole_weeks_are_52_or_53_a_year():
    assert week_offset(2024, 2025) in (timedelta(weeks=52), timedelta(weeks=53))
    assert week_offset(2024, 2024) == timedelta(0)
    assert week_offset(2024, 2027) == timedelta(weeks=156)


def test_plan_dates_keep_their_day_and_month():
    assert shift(date(2024, 10, 10), 2024, 2027) == date(2027, 10, 10)
    assert shift(date(2024, 9, 13), 2024, 2031) == date(2031, 9, 13)


def test_29_february_becomes_28_february_in_a_common_year_and_stays_in_a_leap_year():
    assert shift(date(2024, 2, 29), 2024, 2027) == date(2027, 2, 28)
    assert shift(date(2024, 2, 29), 2024, 2028) == date(2028, 2, 29)
    # by weeks, a span over 29/02 keeps its length: one offset for the whole campaign
    start, end = datetime(2024, 2, 27, tzinfo=TZ), datetime(2024, 3, 1, tzinfo=TZ)
    moved = [shift(value, 2024, 2027, keep_weekday=True) for value in (start, end)]
    assert moved[1] - moved[0] == end - start and moved[0].weekday() == start.weekday()


def test_a_period_across_the_new_year_stays_across_it():
    start, end = date(2024, 12, 20), date(2025, 1, 5)
    assert (shift(start, 2024, 2027), shift(end, 2024, 2027)) == (date(2027, 12, 20), date(2028, 1, 5))
    by_weeks = [shift(value, 2024, 2027, keep_weekday=True) for value in (start, end)]
    assert by_weeks[1] - by_weeks[0] == end - start


def test_the_demo_calendar_opens_registration_today_when_the_seed_would_open_it_later():
    now = datetime(2026, 12, 1, 3, 0, tzinfo=ZoneInfo("UTC"))
    cal = DemoCalendar(year=2027, now=now, tz=TZ)
    opening = cal.opening(cal.on_weekday("20/09/2024", 8))
    assert opening == datetime(2026, 12, 1, 0, 0, tzinfo=TZ) and opening <= now
    # a year already under way: the seed's own opening, already past, is kept
    late = DemoCalendar(year=2027, now=datetime(2027, 9, 25, tzinfo=TZ), tz=TZ)
    assert late.opening(late.on_weekday("20/09/2024", 8)) == datetime(
        2027, 9, 17, 8, 0, tzinfo=TZ
    )  # Friday, as 20/09/2024
    # without a year, the seeds' own dates
    assert DemoCalendar().on_weekday("05/10/2024", 7, 30) == datetime(2024, 10, 5, 7, 30, tzinfo=TZ)
