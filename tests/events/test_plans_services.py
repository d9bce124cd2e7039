"""Conflict detection, as pure functions: no app, no database."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from app.errors import DomainError
from events.services.conflicts import Slot, check_time_range, find_conflicts, overlaps

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def local(day: int, hour: int = 0, minute: int = 0, month: int = 10) -> datetime:
    return datetime(2024, month, day, hour, minute, tzinfo=TZ)


def slot(ref, start, end, **kw) -> Slot:
    kw.setdefault("activity_id", int(ref.split(":")[1]))
    return Slot(ref=ref, title=kw.pop("title", ref), starts_at=start, ends_at=end, **kw)


def codes(warnings):
    return sorted(w.code for w in warnings)


def test_touching_ranges_do_not_overlap():
    assert not overlaps(local(5, 8), local(5, 10), local(5, 10), local(5, 12))
    assert overlaps(local(5, 8), local(5, 10, 1), local(5, 10), local(5, 12))


def test_same_venue_at_overlapping_times_is_a_warning_but_back_to_back_is_not():
    morning = slot("activity:1", local(5, 7, 30), local(5, 11, 30), venue_id=9, venue_name="Quảng trường")
    noon = slot("activity:2", local(5, 11, 30), local(5, 14), venue_id=9, venue_name="Quảng trường")
    clash = slot("activity:3", local(5, 11), local(5, 12), venue_id=9, venue_name="Quảng trường")
    assert find_conflicts([morning, noon], tz=TZ) == []
    warnings = find_conflicts([morning, noon, clash], tz=TZ)
    assert codes(warnings) == ["venue_double_booked", "venue_double_booked"]
    assert "Quảng trường" in warnings[0].message


def test_multi_day_overlap_and_time_zones():
    # 01/10 00:00 to 10/10 17:00 local covers an evening given in UTC on 04/10
    campaign = slot("activity:1", local(1, 7), local(10, 17), venue_id=1, venue_name="Nhà văn hóa")
    evening_utc = datetime(2024, 10, 4, 12, 0, tzinfo=UTC)  # 19:00 local
    talk = slot("activity:2", evening_utc, evening_utc + timedelta(hours=2), venue_id=1, venue_name="Nhà văn hóa")
    assert codes(find_conflicts([campaign, talk], tz=TZ)) == ["venue_double_booked"]
    # the same wall-clock hours read as UTC would fall after the campaign ended
    after = slot(
        "activity:3",
        datetime(2024, 10, 10, 11, tzinfo=UTC),
        datetime(2024, 10, 10, 12, tzinfo=UTC),
        venue_id=1,
        venue_name="Nhà văn hóa",
    )
    assert find_conflicts([campaign, after], tz=TZ) == []


def test_a_unit_leading_two_overlapping_things():
    a = slot("activity:1", local(5, 8), local(5, 11), unit_ids=(4,), unit_names=("Phòng VH&TT",))
    b = slot("activity:2", local(5, 10), local(5, 12), unit_ids=(4,), unit_names=("Phòng VH&TT",))
    warnings = find_conflicts([a, b], tz=TZ)
    assert codes(warnings) == ["unit_busy_twice"] and "Phòng VH&TT" in warnings[0].message


def test_background_campaigns_do_not_make_their_unit_busy():
    door_to_door = slot(
        "activity:1", local(1, 7), local(10, 17), kind="door_to_door", unit_ids=(4,), unit_names=("Phòng VH&TT",)
    )
    festival = slot(
        "activity:2", local(5, 7), local(5, 21), kind="festival", unit_ids=(4,), unit_names=("Phòng VH&TT",)
    )
    assert find_conflicts([door_to_door, festival], tz=TZ) == []


def test_a_stop_outside_its_tour_and_a_tour_never_conflicts_with_its_own_stops():
    tour = slot("activity:1", local(24, 7, month=9), local(28, 17, month=9), unit_ids=(2,), unit_names=("Sở",))
    inside = slot(
        "stop:1",
        local(24, 7, month=9),
        local(25, 17, month=9),
        activity_id=1,
        unit_ids=(2,),
        unit_names=("Sở",),
        tour_starts_at=tour.starts_at,
        tour_ends_at=tour.ends_at,
    )
    outside = slot(
        "stop:2",
        local(28, 7, month=9),
        local(29, 17, month=9),
        activity_id=1,
        unit_ids=(3,),
        unit_names=("Trảng Bom",),
        tour_starts_at=tour.starts_at,
        tour_ends_at=tour.ends_at,
    )
    assert codes(find_conflicts([tour, inside, outside], tz=TZ)) == ["stop_outside_tour"]


def test_an_activity_outside_the_plan_period_by_local_date():
    # 31/10 23:30 local is still inside a period ending 31/10, although it is 16:30 UTC that day
    late = slot("activity:1", local(31, 20), local(31, 23, 30))
    assert find_conflicts([late], period_start=date(2024, 9, 15), period_end=date(2024, 10, 31), tz=TZ) == []
    spill = slot("activity:2", local(31, 20), local(1, 1, month=11))
    warnings = find_conflicts([spill], period_start=date(2024, 9, 15), period_end=date(2024, 10, 31), tz=TZ)
    assert codes(warnings) == ["outside_plan_period"]


def test_capacity_over_the_venue():
    over = slot(
        "activity:1", local(5, 8), local(5, 11), capacity=250, venue_id=1, venue_name="Hội trường", venue_capacity=200
    )
    exact = slot(
        "activity:2", local(6, 8), local(6, 11), capacity=200, venue_id=1, venue_name="Hội trường", venue_capacity=200
    )
    warnings = find_conflicts([over, exact], tz=TZ)
    assert codes(warnings) == ["capacity_over_venue"] and "250" in warnings[0].message


def test_warning_keys_are_stable_whatever_the_order():
    a = slot("activity:1", local(5, 8), local(5, 11), venue_id=1, venue_name="A")
    b = slot("activity:2", local(5, 10), local(5, 12), venue_id=1, venue_name="A")
    first, again = find_conflicts([a, b], tz=TZ), find_conflicts([b, a], tz=TZ)
    assert [w.key for w in first] == [w.key for w in again] and len(first) == 1


@pytest.mark.parametrize(
    ("start", "end", "code"),
    [
        (local(5, 10), local(5, 9), "ends_before_start"),
        (local(5, 10), local(5, 10), "ends_before_start"),
        (None, local(5, 10), "time_missing"),
        (datetime(2024, 10, 5, 8), datetime(2024, 10, 5, 9), "time_naive"),
    ],
)
def test_impossible_times_are_errors(start, end, code):
    with pytest.raises(DomainError) as error:
        check_time_range(start, end)
    assert error.value.code == code
