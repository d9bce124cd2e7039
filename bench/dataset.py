"""A province's campaign for the load runs, built as plain rows and written with bulk inserts.

``build(now, size)`` makes the rows (deterministic for a given ``now`` and ``seed``); ``load(session, rows)``
writes them with ``session.execute(insert(Model), rows)`` in chunks, reporting progress. The dates follow
``now``: the current month and the five after it hold the activities, the month after the current one is the
busiest (60 activities at full size) and holds the activities the registration scenarios write to, so their
registration is open whenever the bench runs."""

from __future__ import annotations

import random
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from app.models import Unit, UnitKind
from events.models import (
    Activity,
    ActivityKind,
    AudienceGroup,
    Plan,
    PlanStatus,
    ProgrammeItem,
    Registration,
    RegistrationStatus,
    TourStop,
    Venue,
    activity_coordinators,
    tour_stop_participants,
)

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
CHUNK = 2000
# Activities per month from the current one on; the second month is the busiest.
MONTH_SHARES = (50, 60, 55, 50, 45, 40)
HUGE_CAPACITY = 100_000_000
RACE_CAPACITY = 100

DISTRICTS = (
    "Biên Hòa", "Long Khánh", "Nhơn Trạch", "Trảng Bom", "Thống Nhất",
    "Cẩm Mỹ", "Long Thành", "Xuân Lộc", "Định Quán", "Tân Phú",
)  # fmt: skip
WARD_WORDS = (
    "An", "Bình", "Phước", "Tân", "Long", "Hòa", "Thạnh", "Xuân", "Phú", "Hưng", "Lộc", "Thành", "Đông",
    "Tây", "Nam", "Bắc", "Trung", "Hiệp", "Lợi", "Quang",
)  # fmt: skip
SURNAMES = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ")
GIVEN = ("Văn An", "Thị Bình", "Minh Châu", "Quốc Dũng", "Thu Hà", "Gia Huy", "Ngọc Lan", "Thanh Sơn")


@dataclass(frozen=True)
class Size:
    units: int = 500
    plans: int = 3
    activities: int = 300
    registrations: int = 50_000
    venues: int = 40
    tours: int = 20  # cluster tours in the first plan, each with `stops_per_tour` stops
    stops_per_tour: int = 5
    programme_per_activity: int = 3

    @classmethod
    def small(cls) -> Size:
        """A few rows of everything, for the bench's own tests."""
        return cls(units=40, activities=36, registrations=300, venues=5, tours=2, stops_per_tour=3)


@dataclass
class Dataset:
    """Rows per model, in insert order, and the ids the scenarios need."""

    tables: list[tuple[object, list[dict]]] = field(default_factory=list)
    main_plan_id: int = 1
    busiest_month: date | None = None
    api_activity_id: int = 0
    form_activity_id: int = 0
    race_activity_id: int = 0
    page_activity_id: int = 0

    def rows(self, model) -> list[dict]:
        for table, rows in self.tables:
            if table is model:
                return rows
        raise KeyError(model)

    @property
    def total_rows(self) -> int:
        return sum(len(rows) for _, rows in self.tables)


def _month_start(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=TZ).astimezone(UTC)


def _month_shares(total: int) -> list[int]:
    """Activities per month: the full-size shares, scaled to ``total``, the busiest month kept the busiest."""
    scale = total / sum(MONTH_SHARES)
    counts = [max(1, int(share * scale)) for share in MONTH_SHARES]
    counts[1] += total - sum(counts)
    return counts


def build(now: datetime, size: Size = Size(), seed: int = 10_10) -> Dataset:  # noqa: C901 (one linear recipe)
    rng = random.Random(seed)
    data = Dataset()
    today = now.astimezone(TZ).date()
    first_month = _month_start(today, 0)
    data.busiest_month = _month_start(today, 1)

    # Units: the province, its districts, their wards (province → districts → wards).
    districts = min(len(DISTRICTS), max(1, size.units // 40))
    units = [{"id": 1, "name": "Tỉnh Đồng Nai", "short_name": "Đồng Nai", "kind": UnitKind.PROVINCE.value,
              "parent_id": None, "created_at": now}]  # fmt: skip
    for index in range(districts):
        units.append({"id": 2 + index, "name": f"Huyện {DISTRICTS[index]}", "short_name": DISTRICTS[index],
                      "kind": UnitKind.DISTRICT.value, "parent_id": 1, "created_at": now})  # fmt: skip
    district_ids = [row["id"] for row in units[1:]]
    for index in range(size.units - len(units)):
        parent = district_ids[index % districts]
        word = WARD_WORDS[index % len(WARD_WORDS)] + " " + WARD_WORDS[(index // len(WARD_WORDS)) % len(WARD_WORDS)]
        kind = "Phường" if index % 3 == 0 else "Xã"
        units.append({"id": len(units) + 1, "name": f"{kind} {word} {index + 1}", "short_name": None,
                      "kind": UnitKind.WARD.value, "parent_id": parent, "created_at": now})  # fmt: skip
    ward_ids = [row["id"] for row in units if row["kind"] == UnitKind.WARD.value]
    data.tables.append((Unit, units))

    venues = []
    for index in range(size.venues):
        area = ward_ids[(index * 7) % len(ward_ids)]
        venues.append({"id": index + 1, "name": f"Nhà văn hóa số {index + 1}", "address": f"{index + 1} Đường 30/4",
                       "capacity": 300 + 50 * (index % 10), "unit_id": area,
                       "directions": "Gần chợ; gửi xe phía sau nhà văn hóa."})  # fmt: skip
    data.tables.append((Venue, venues))

    last_month_end = _month_start(today, len(MONTH_SHARES)) - timedelta(days=1)
    plans = []
    titles = ("Kế hoạch tổ chức Ngày Chuyển đổi số tỉnh", "Kế hoạch Ngày Chuyển đổi số khối giáo dục",
              "Kế hoạch Ngày Chuyển đổi số khối doanh nghiệp")  # fmt: skip
    for index in range(size.plans):
        plans.append({"id": index + 1, "number": f"{4568 + index}/KH-UBND", "issued_on": first_month,
                      "issuing_unit_id": 1, "title": f"{titles[index % len(titles)]} {today.year}",
                      "themes": "Chuyển đổi số toàn dân\nDữ liệu số – tài nguyên mới",
                      "slogans": "Chuyển đổi số vì người dân", "period_start": first_month,
                      "period_end": last_month_end, "peak_start": data.busiest_month,
                      "peak_end": data.busiest_month + timedelta(days=9), "lead_unit_id": 1,
                      "report_deadline": last_month_end + timedelta(days=15), "status": PlanStatus.PUBLISHED,
                      "auto_close": True, "created_at": now, "updated_at": now})  # fmt: skip
    data.tables.append((Plan, plans))

    # Activities: per month, spread over its days; the first plan takes two thirds (its feed is the big one).
    kinds = [kind for kind in ActivityKind if kind != ActivityKind.CLUSTER_TOUR]
    groups = [group.value for group in AudienceGroup]
    activities, programme, stops, coordinators, participants = [], [], [], [], []
    tours_left = size.tours
    future_in_busiest: list[int] = []
    for month_index, count in enumerate(_month_shares(size.activities)):
        month = _month_start(today, month_index)
        days = (_month_start(today, month_index + 1) - month).days
        for number in range(count):
            activity_id = len(activities) + 1
            plan_id = 1 if size.plans == 1 or activity_id % 3 != 0 else 2 + (activity_id // 3) % (size.plans - 1)
            day = month + timedelta(days=min(days - 6, number * days // count))
            tour = plan_id == 1 and tours_left > 0 and activity_id % 4 == 1
            kind = ActivityKind.CLUSTER_TOUR if tour else kinds[activity_id % len(kinds)]
            starts = _local(day, 7 + activity_id % 10)
            if tour:
                tours_left -= 1
                ends = _local(day + timedelta(days=size.stops_per_tour - 1), 17)
            elif kind == ActivityKind.EXHIBITION:
                ends = _local(day + timedelta(days=2), 17)
            else:
                ends = starts + timedelta(hours=2 + activity_id % 4)
            venue = venues[activity_id % len(venues)]
            takes_registration = kind in (ActivityKind.FESTIVAL, ActivityKind.TRAINING, ActivityKind.CONTEST,
                                          ActivityKind.CEREMONY, ActivityKind.CYBER_DRILL)  # fmt: skip
            audience = rng.sample(groups, 2)
            activities.append({
                "id": activity_id, "plan_id": plan_id,
                "title": f"{kind.label} – {venue['name']} ({activity_id})",
                "description": "Hướng dẫn người dân cài đặt VNeID, thanh toán không dùng tiền mặt và dịch vụ công "
                               "trực tuyến.\nMang theo điện thoại thông minh.",
                "kind": kind, "starts_at": starts, "ends_at": ends, "venue_id": venue["id"],
                "lead_unit_id": district_ids[activity_id % districts],
                "audience": "Người dân, học sinh", "audience_groups": "," + ",".join(audience) + ",",
                "area_unit_id": venue["unit_id"], "what_to_bring": "Căn cước công dân gắn chip",
                "expected_headcount": 200, "capacity": 600 if takes_registration else None, "seats_taken": 0,
                "is_public": True, "registration_open": takes_registration,
                "registration_opens_at": now - timedelta(days=20) if takes_registration else None,
                "registration_closes_at": starts - timedelta(hours=1) if takes_registration else None,
                "cancelled": activity_id % 50 == 0, "accepted_warnings": [], "sequence": activity_id % 3,
                "created_at": now, "updated_at": now,
            })  # fmt: skip
            if month_index == 1 and not tour and kind != ActivityKind.EXHIBITION and activity_id % 50:
                future_in_busiest.append(activity_id)
            for position in range(size.programme_per_activity):
                programme.append(
                    {
                        "id": len(programme) + 1,
                        "activity_id": activity_id,
                        "stop_id": None,
                        "position": position,
                        "title": f"Tiết mục {position + 1}",
                        "description": "",
                        "starts_at": starts + timedelta(minutes=30 * position),
                        "ends_at": starts + timedelta(minutes=30 * position + 25),
                        "responsible_unit_id": ward_ids[(activity_id + position) % len(ward_ids)],
                    }
                )
            for offset in (3, 11):
                unit_id = ward_ids[(activity_id * offset) % len(ward_ids)]
                if {"activity_id": activity_id, "unit_id": unit_id} not in coordinators[-2:]:
                    coordinators.append({"activity_id": activity_id, "unit_id": unit_id})
            if tour:
                for position in range(size.stops_per_tour):
                    stop_id = len(stops) + 1
                    stop_day = day + timedelta(days=position)
                    stops.append({"id": stop_id, "activity_id": activity_id, "position": position + 1,
                                  "name": f"Cụm {position + 1}", "host_unit_id": district_ids[position % districts],
                                  "venue_id": venues[(activity_id + position) % len(venues)]["id"],
                                  "starts_at": _local(stop_day, 8), "ends_at": _local(stop_day, 17)})  # fmt: skip
                    for unit_id in {ward_ids[(stop_id * k) % len(ward_ids)] for k in (1, 5, 9)}:
                        participants.append({"stop_id": stop_id, "unit_id": unit_id})
    data.tables.extend([(Activity, activities), (TourStop, stops), (ProgrammeItem, programme),
                        (activity_coordinators, coordinators), (tour_stop_participants, participants)])  # fmt: skip

    # The scenarios' activities: in the busiest month (always in the future), taking registrations.
    data.api_activity_id, data.form_activity_id, data.race_activity_id = future_in_busiest[:3]
    data.page_activity_id = future_in_busiest[3] if len(future_in_busiest) > 3 else future_in_busiest[0]
    for activity_id, capacity in ((data.api_activity_id, HUGE_CAPACITY), (data.form_activity_id, HUGE_CAPACITY),
                                  (data.race_activity_id, RACE_CAPACITY)):  # fmt: skip
        row = activities[activity_id - 1]
        row.update(capacity=capacity, registration_open=True, registration_opens_at=now - timedelta(days=20),
                   registration_closes_at=row["starts_at"] - timedelta(hours=1))  # fmt: skip

    # Registrations: spread over the activities that take them (not the scenarios' own), mostly confirmed.
    reserved = {data.api_activity_id, data.form_activity_id, data.race_activity_id}
    targets = [row for row in activities if row["registration_open"] and row["id"] not in reserved]
    registrations = []
    for index in range(size.registrations):
        activity = targets[index % len(targets)]
        status = RegistrationStatus.CANCELLED if index % 20 == 19 else RegistrationStatus.CONFIRMED
        if status == RegistrationStatus.CONFIRMED and activity["seats_taken"] >= activity["capacity"]:
            status = RegistrationStatus.WAITLISTED
        if status == RegistrationStatus.CONFIRMED:
            activity["seats_taken"] += 1
        registrations.append({
            "id": index + 1, "activity_id": activity["id"],
            "name": f"{SURNAMES[index % len(SURNAMES)]} {GIVEN[(index // 7) % len(GIVEN)]}",
            "phone": f"03{index:08d}", "ward_unit_id": ward_ids[index % len(ward_ids)],
            "email": f"nguoidan{index}@example.vn" if index % 4 == 0 else None,
            "consent_at": now - timedelta(days=1), "status": status, "token": secrets.token_urlsafe(24),
            "created_at": now - timedelta(days=1), "promoted_at": None,
            "cancelled_at": now - timedelta(hours=2) if status == RegistrationStatus.CANCELLED else None,
        })  # fmt: skip
    data.tables.append((Registration, registrations))
    return data


def _target(model):
    return model.__table__ if hasattr(model, "__table__") else model


def load(session: Session, data: Dataset, progress: Callable[[int], None] = lambda n: None) -> dict[str, int]:
    """Write every row with bulk inserts (chunks of CHUNK), calling ``progress(rows)`` after each chunk; then move
    PostgreSQL's id sequences past the ids given. Commits. Returns the row count per table."""
    counts = {}
    for model, rows in data.tables:
        for start in range(0, len(rows), CHUNK):
            chunk = rows[start : start + CHUNK]
            statement = insert(model) if hasattr(model, "__mapper__") else insert(_target(model))
            session.execute(statement, chunk)
            progress(len(chunk))
        counts[_target(model).name] = len(rows)
    if session.get_bind().dialect.name == "postgresql":
        for model, _rows in data.tables:
            table = _target(model)
            if "id" in table.c and table.c.id.autoincrement in (True, "auto") and table.c.id.primary_key:
                highest = select(func.max(table.c.id)).scalar_subquery()
                session.execute(select(func.setval(func.pg_get_serial_sequence(table.name, "id"), highest)))
    session.commit()
    return counts


def registration_counts(session: Session, activity_id: int) -> dict[str, int]:
    """Registrations of ``activity_id`` by status, plus ``seats_taken`` (the race's check)."""
    rows = session.execute(
        select(Registration.status, func.count())
        .where(Registration.activity_id == activity_id)
        .group_by(Registration.status)
    ).all()
    counts = {str(getattr(status, "value", status)): count for status, count in rows}
    counts["seats_taken"] = session.scalar(select(Activity.seats_taken).where(Activity.id == activity_id))
    return counts
