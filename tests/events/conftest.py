"""Fixtures of the events tests. (Helpers may append fixtures below; keep each one self-contained.)"""

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from app.extensions import db
from app.models import Unit
from events.models import Plan, Venue

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def local(day: str, hour: int = 0, minute: int = 0) -> datetime:
    """A local "dd/mm/yyyy" date and time as an aware datetime."""
    d, m, y = (int(part) for part in day.split("/"))
    return datetime(y, m, d, hour, minute, tzinfo=TZ)


@dataclass
class Campaign:
    plan_id: int
    city_id: int
    ward_id: int
    office_id: int
    police_id: int
    youth_id: int
    square_id: int
    hall_id: int


@pytest.fixture
def campaign(app) -> Campaign:
    """A published Tân Uyên 2024 plan with a few units and two venues (committed)."""
    with app.app_context():
        province = Unit(name="Tỉnh Bình Dương", kind="province")
        city = Unit(name="Thành phố Tân Uyên", kind="district", parent=province)
        ward = Unit(name="Phường Uyên Hưng", kind="ward", parent=city)
        office = Unit(name="Phòng Văn hóa và Thông tin", kind="department", parent=city)
        police = Unit(name="Công an thành phố Tân Uyên", kind="department", parent=city)
        youth = Unit(name="Thành Đoàn Tân Uyên", kind="organisation", parent=city)
        square = Venue(
            name="Quảng trường thành phố",
            capacity=3000,
            unit=ward,
            address="Phường Uyên Hưng",
            directions="Cổng chính đường ĐT746",
        )
        hall = Venue(name="Hội trường UBND thành phố", capacity=200, unit=ward)
        plan = Plan(
            number="4568/KH-UBND",
            title="Hưởng ứng Ngày Chuyển đổi số 2024",
            status="published",
            period_start=date(2024, 9, 15),
            period_end=date(2024, 10, 31),
            peak_start=date(2024, 10, 1),
            peak_end=date(2024, 10, 10),
            lead_unit=office,
            report_deadline=date(2024, 11, 1),
        )
        db.session.add_all([province, city, ward, office, police, youth, square, hall, plan])
        db.session.commit()
        return Campaign(plan.id, city.id, ward.id, office.id, police.id, youth.id, square.id, hall.id)
