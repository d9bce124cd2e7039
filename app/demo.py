"""The demo campaign, from the seeds: Tân Uyên 2024 (seed 000) and Đồng Nai 2024 (seed 001).

The core loads the unit tree and one account per role; each feature registers a loader for its own records
(architecture rule 3). Every record is found by a natural key before it is created, so a second run
changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import Role, Unit, User


@dataclass
class DemoReport:
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


def load_demo(session: Session, password: str, progress: Callable[[str], None] = lambda label: None) -> DemoReport:
    """Load the demo campaign; returns what was created and the demo logins."""
    report = DemoReport()
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
