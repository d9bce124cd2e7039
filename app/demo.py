"""The demo campaign, from the seeds: Tân Uyên 2024 (seed 000) and Đồng Nai 2024 (seed 001).

The core loads the unit tree and one account per role; each feature registers a loader for its own records
(architecture rule 3). Every record is found by a natural key before it is created, so a second run
changes nothing.

The seeds are the 2024 campaign. ``DemoCalendar`` moves their dates to another campaign year (the coming 10/10
season, by default) so that a newcomer's calendar is not empty: a date the plan writes as a date (its period, the
peak 01/10–10/10, a deadline, the door-to-door campaign) keeps its day and month and changes year; a day the demo
picked inside a month or a length (the festival on a Saturday, the market drive on a Sunday, the tour's stops)
keeps its weekday, and moves by whole weeks to the day nearest the same day and month. Texts are kept as written.
These are pure functions: the command reads the clock and the zone and passes them in."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import Role, Unit, User

SEED_YEAR = 2024  # the year of the seeds' campaigns (Tân Uyên and Đồng Nai)
CAMPAIGN_DAY = (10, 10)  # Digital Transformation Day: the day each campaign year turns around


def campaign_year(today: date) -> int:
    """The next campaign year: the first year whose 10/10 is ``today`` or later (on 11/10 it is next year's)."""
    month, day = CAMPAIGN_DAY
    return today.year if today <= date(today.year, month, day) else today.year + 1


def _with_year(value, year: int):
    """``value`` in ``year``, the same day and month; 29/02 becomes 28/02 in a year without it."""
    try:
        return value.replace(year=year)
    except ValueError:  # 29/02 into a common year
        return value.replace(year=year, day=28)


def week_offset(from_year: int, to_year: int) -> timedelta:
    """Whole weeks that take the campaign's day (10/10) of ``from_year`` nearest to that of ``to_year``: 52 or 53
    per year. One offset for the whole campaign, so every span keeps its length and its order (a period that
    crosses 29/02 or a new year does not shrink or swap)."""
    month, day = CAMPAIGN_DAY
    days = (date(to_year, month, day) - date(from_year, month, day)).days
    return timedelta(weeks=round(days / 7))


def shift(value, from_year: int, to_year: int, *, keep_weekday: bool = False):
    """A date or datetime of the ``from_year`` campaign moved to the ``to_year`` campaign. With ``keep_weekday``
    by whole weeks (a Saturday stays a Saturday, at most 3 or 4 days from the same day and month); otherwise by
    whole calendar years (the same day and month; a period crossing a new year stays across it). Aware datetimes
    keep their local time."""
    if keep_weekday:
        return value + week_offset(from_year, to_year)
    return _with_year(value, value.year + to_year - from_year)


@dataclass(frozen=True)
class DemoCalendar:
    """The seeds' dates placed in ``year``, for loaders: ``date``/``at`` for dates the plan writes (calendar
    years), ``on_weekday`` for the days the demo picked (whole weeks), and ``opening`` for a registration window
    that must be open at ``now`` (the moment the demo is loaded) so that a newcomer can register today."""

    year: int = SEED_YEAR
    now: datetime | None = None
    tz: ZoneInfo = field(default_factory=lambda: ZoneInfo("Asia/Ho_Chi_Minh"))

    def _local(self, day: str, hour: int = 0, minute: int = 0) -> datetime:
        d, m, y = (int(part) for part in day.split("/"))
        return datetime(y, m, d, hour, minute, tzinfo=self.tz)

    def date(self, day: str) -> date:
        """A plan's date "dd/mm/yyyy" in the demo's year."""
        return shift(self._local(day).date(), SEED_YEAR, self.year)

    def at(self, day: str, hour: int = 0, minute: int = 0) -> datetime:
        """A date the plan writes (its day and month matter), at a local time, in the demo's year."""
        return shift(self._local(day, hour, minute), SEED_YEAR, self.year)

    def on_weekday(self, day: str, hour: int = 0, minute: int = 0) -> datetime:
        """A day the demo picked (its weekday matters), at a local time, moved by whole weeks."""
        return shift(self._local(day, hour, minute), SEED_YEAR, self.year, keep_weekday=True)

    def opening(self, moved: datetime) -> datetime:
        """A registration window's opening: ``moved``, or the start of ``now``'s local day if that is earlier,
        so that the window is open on the day the demo is loaded."""
        if self.now is None:
            return moved
        today = datetime.combine(self.now.astimezone(self.tz).date(), datetime.min.time(), tzinfo=self.tz)
        return min(moved, today)


@dataclass
class DemoReport:
    calendar: DemoCalendar = field(default_factory=DemoCalendar)
    created: int = 0
    existing: int = 0
    logins: list[tuple[str, str]] = field(default_factory=list)

    def get_or_create(self, session: Session, model, lookup: dict, **defaults):
        """The record matching ``lookup``, created with ``defaults`` when missing."""
        found = session.scalar(select(model).filter_by(**lookup))
        if found is not None:
            self.existing += 1
            return found
        record = model(**lookup, **defaults)
        session.add(record)
        session.flush()
        self.created += 1
        return record


DemoLoader = Callable[[Session, DemoReport], None]
_loaders: dict[str, DemoLoader] = {}


def register_loader(name: str, loader: DemoLoader) -> None:
    """Features add their demo records here; loaders run in registration order after the core's."""
    _loaders[name] = loader


def unit(session: Session, name: str) -> Unit:
    """A demo unit by its exact name (loaders use it to find hosts and lead units)."""
    found = session.scalar(select(Unit).where(Unit.name == name))
    if found is None:
        raise LookupError(f"demo unit {name!r} is missing")
    return found


# (name, short name, kind, children)
UNIT_TREE = [
    (
        "Tỉnh Bình Dương",
        "Bình Dương",
        "province",
        [
            ("Sở Thông tin và Truyền thông tỉnh Bình Dương", "Sở TT&TT Bình Dương", "department", []),
            (
                "Thành phố Tân Uyên",
                "TP. Tân Uyên",
                "district",
                [
                    ("UBND thành phố Tân Uyên", "UBND TP. Tân Uyên", "department", []),
                    ("Phòng Văn hóa và Thông tin", "Phòng VH&TT", "department", []),
                    ("Phòng Kinh tế", None, "department", []),
                    ("Phòng Tài chính – Kế hoạch", "Phòng TC-KH", "department", []),
                    ("Phòng Nội vụ", None, "department", []),
                    ("Phòng Giáo dục và Đào tạo", "Phòng GD&ĐT", "department", []),
                    ("Công an thành phố Tân Uyên", "Công an TP", "department", []),
                    ("Trung tâm Văn hóa – Thể thao và Truyền thanh thành phố", "TT VH-TT&TT", "department", []),
                    ("Thành Đoàn Tân Uyên", "Thành Đoàn", "organisation", []),
                    ("Ủy ban Mặt trận Tổ quốc Việt Nam thành phố Tân Uyên", "UBMTTQ TP", "organisation", []),
                    ("Điện lực Tân Uyên", None, "enterprise", []),
                    (
                        "Phường Uyên Hưng",
                        None,
                        "ward",
                        [
                            ("Khu phố 1", None, "hamlet", []),
                            ("Khu phố 2", None, "hamlet", []),
                        ],
                    ),
                    ("Phường Tân Phước Khánh", None, "ward", []),
                    ("Phường Khánh Bình", None, "ward", []),
                    ("Phường Tân Hiệp", None, "ward", []),
                    ("Phường Hội Nghĩa", None, "ward", []),
                    ("Phường Phú Chánh", None, "ward", []),
                    ("Phường Tân Vĩnh Hiệp", None, "ward", []),
                    ("Phường Vĩnh Tân", None, "ward", []),
                    ("Phường Thạnh Phước", None, "ward", []),
                    ("Xã Bạch Đằng", None, "ward", []),
                    ("Xã Thạnh Hội", None, "ward", []),
                ],
            ),
        ],
    ),
    (
        "Tỉnh Đồng Nai",
        "Đồng Nai",
        "province",
        [
            ("Ủy ban nhân dân tỉnh Đồng Nai", "UBND tỉnh Đồng Nai", "department", []),
            ("Sở Thông tin và Truyền thông tỉnh Đồng Nai", "Sở TT&TT Đồng Nai", "department", []),
            ("Đoàn TNCS Hồ Chí Minh tỉnh Đồng Nai", "Tỉnh Đoàn Đồng Nai", "organisation", []),
            ("Công an tỉnh Đồng Nai", None, "department", []),
            ("Hội Tin học tỉnh Đồng Nai", None, "organisation", []),
            ("UBND huyện Định Quán", None, "district", []),
            ("UBND huyện Tân Phú", None, "district", []),
            ("UBND huyện Vĩnh Cửu", None, "district", []),
            ("UBND huyện Xuân Lộc", None, "district", []),
            ("UBND huyện Thống Nhất", None, "district", []),
            ("UBND thành phố Long Khánh", None, "district", []),
            ("UBND huyện Trảng Bom", None, "district", []),
            ("UBND thành phố Biên Hòa", None, "district", []),
            ("UBND huyện Nhơn Trạch", None, "district", []),
            ("UBND huyện Cẩm Mỹ", None, "district", []),
            ("UBND huyện Long Thành", None, "district", []),
        ],
    ),
]

# (email, name, role, unit)
DEMO_USERS = [
    ("admin@dxday.example", "Quản trị hệ thống", Role.ADMIN, "Phòng Văn hóa và Thông tin"),
    ("tochuc@dxday.example", "Nguyễn Thị Thu Hà", Role.ORGANIZER, "Phòng Văn hóa và Thông tin"),
    ("baocao@dxday.example", "Trần Văn Minh", Role.UNIT_REPORTER, "Phường Uyên Hưng"),
    ("tinhnguyen@dxday.example", "Lê Hoàng Nam", Role.VOLUNTEER, "Thành Đoàn Tân Uyên"),
    ("giamkhao@dxday.example", "Phạm Thị Lan", Role.JUROR, "Sở Thông tin và Truyền thông tỉnh Đồng Nai"),
    ("thamdinh@dxday.example", "Võ Quốc Bảo", Role.APPRAISER, "Phòng Nội vụ"),
]


def _load_units(session: Session, report: DemoReport, nodes, parent: Unit | None = None) -> None:
    for name, short_name, kind, children in nodes:
        record = report.get_or_create(
            session, Unit, {"name": name, "parent_id": parent.id if parent else None}, short_name=short_name, kind=kind
        )
        _load_units(session, report, children, record)


def load_demo(
    session: Session,
    password: str,
    progress: Callable[[str], None] = lambda label: None,
    *,
    calendar: DemoCalendar | None = None,
) -> DemoReport:
    """Load the demo campaign, its dates placed by ``calendar`` (the seeds' own 2024 dates without one); returns
    what was created and the demo logins. Records already there are left as they are, dates included."""
    report = DemoReport(calendar=calendar or DemoCalendar())
    progress("units")
    _load_units(session, report, UNIT_TREE)
    progress("accounts")
    for email, name, role, unit_name in DEMO_USERS:
        user = session.scalar(select(User).where(User.email == email))
        if user is None:
            user = User(email=email, name=name, unit_id=unit(session, unit_name).id)
            user.set_roles([role.value])
            user.set_password(password)
            session.add(user)
            report.created += 1
        else:
            report.existing += 1
        report.logins.append((email, role.value))
    session.flush()
    for name, loader in _loaders.items():
        progress(name)
        loader(session, report)
    session.flush()
    return report
