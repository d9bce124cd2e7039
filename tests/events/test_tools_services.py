"""Organizers' tools, as pure functions: which activities tie up their lead office, what a warning names, how
names and people are ordered, and how the registration list is searched and counted. No app, no database."""

from datetime import datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from events.services.conflicts import Slot, find_conflicts
from events.services.registration import (
    filter_registrations,
    person_sort_key,
    vietnamese_sort_key,
    ward_counts,
)

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
OFFICE = dict(unit_ids=(7,), unit_names=("Phòng Văn hóa và Thông tin",))


def at(day: int, hour: int = 0, month: int = 10) -> datetime:
    return datetime(2024, month, day, hour, tzinfo=TZ)


def test_two_festivals_led_by_the_same_office_still_warn_but_a_long_online_contest_does_not():
    contest = Slot(
        "activity:1", "Cuộc thi trực tuyến An toàn thông tin", at(15, 0, 9), at(31, 23), 1, "contest", **OFFICE
    )
    festival = Slot("activity:2", "Ngày hội Chuyển đổi số", at(5, 7), at(5, 21), 2, "festival", **OFFICE)
    fair = Slot("activity:3", "Hội chợ không dùng tiền mặt", at(5, 8), at(5, 12), 3, "festival", **OFFICE)
    assert find_conflicts([contest, festival], tz=TZ) == []
    (warning,) = find_conflicts([contest, festival, fair], tz=TZ)
    assert warning.code == "unit_busy_twice" and "Phòng Văn hóa và Thông tin" in warning.message
    assert warning.activity_ids == {2, 3}


def test_a_warning_names_the_activities_and_stops_it_is_about():
    festival = Slot("activity:2", "Ngày hội Chuyển đổi số", at(5, 7), at(5, 21), 2, "festival", **OFFICE)
    stop = Slot("stop:9", "Hành trình – Cụm 1", at(5, 8), at(5, 17), 4, "cluster_tour", **OFFICE)
    (warning,) = find_conflicts([festival, stop], tz=TZ)
    assert warning.named == [("activity", 2, "Ngày hội Chuyển đổi số"), ("stop", 9, "Hành trình – Cụm 1")]


def test_vietnamese_order_puts_dinh_quan_before_xuan_loc():
    names = ["Xuân Lộc", "Định Quán", "Biên Hòa", "Đồng Xoài", "Cẩm Mỹ", "Dầu Tiếng"]
    assert sorted(names, key=vietnamese_sort_key) == [
        "Biên Hòa",
        "Cẩm Mỹ",
        "Dầu Tiếng",
        "Định Quán",
        "Đồng Xoài",
        "Xuân Lộc",
    ]


def test_people_are_ordered_by_given_name_then_family_name():
    people = ["Trần Văn Bình", "Nguyễn Thị An", "Lê Anh", "Đỗ Quang Vinh", "Phạm Thị Thu Hương"]
    assert sorted(people, key=person_sort_key) == [
        "Nguyễn Thị An",
        "Lê Anh",
        "Trần Văn Bình",
        "Phạm Thị Thu Hương",
        "Đỗ Quang Vinh",
    ]


def _registration(name, phone, ward=None, status="confirmed"):
    return SimpleNamespace(name=name, phone=phone, ward=ward, status=status)


def test_search_ignores_accents_and_case_and_matches_part_of_a_phone():
    rows = [
        (_registration("Nguyễn Thị Hương", "0903112233"), None),
        (_registration("Đỗ Quang Vinh", "0355667788"), None),
        (_registration("Bùi Minh Khoa", "0977889900"), None),
    ]
    names = lambda found: [r.name for r, _position in found]  # noqa: E731
    assert names(filter_registrations(rows, "huong")) == ["Nguyễn Thị Hương"]
    assert names(filter_registrations(rows, "DO QUANG")) == ["Đỗ Quang Vinh"]
    assert names(filter_registrations(rows, "6677")) == ["Đỗ Quang Vinh"]
    assert names(filter_registrations(rows, "035 566")) == ["Đỗ Quang Vinh"]  # spaces typed in a phone
    assert names(filter_registrations(rows, "+84 977")) == ["Bùi Minh Khoa"]  # the international form
    assert names(filter_registrations(rows, "  ")) == names(rows)
    assert filter_registrations(rows, "Trần") == []


def test_ward_counts_are_in_vietnamese_order_and_leave_out_cancellations():
    xuan_loc = SimpleNamespace(id=1, name="Xã Xuân Lộc")
    dinh_quan = SimpleNamespace(id=2, name="Xã Định Quán")
    rows = [
        (_registration("A", "0903112233", xuan_loc), None),
        (_registration("B", "0903112234", xuan_loc), None),
        (_registration("C", "0903112235", dinh_quan), None),
        (_registration("D", "0903112236", dinh_quan, status="cancelled"), None),
        (_registration("E", "0903112237", None, status="waitlisted"), 1),
    ]
    counts = ward_counts(rows)
    assert [(c.name, c.count) for c in counts] == [("Xã Định Quán", 1), ("Xã Xuân Lộc", 2), ("", 1)]
    assert [c.percent for c in counts] == [50, 100, 50]  # of the largest, for the bars
