"""Fixtures of the events tests. (Helpers may append fixtures below; keep each one self-contained.)"""

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from app.extensions import db
from app.models import Unit
from events.models import Plan, Venue
from tests import factories

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


# --- registration (issue 3): an activity open for sign-ups, and wards in two districts ------------------------


@dataclass
class RegistrationSetup:
    plan_id: int
    ward_id: int  # Phường Uyên Hưng, Thành phố Tân Uyên
    other_ward_id: int  # Phường Phú Cường, Thành phố Thủ Dầu Một
    hall_id: int
    make_activity: object  # (capacity=5, starts_at=None, **fields) -> activity id


@pytest.fixture
def registration_setup(app, campaign) -> RegistrationSetup:
    """The campaign plus a second district's ward, and a factory of activities open for registration whose start
    defaults to 30 days from the real clock (views read the clock; services get ``now`` from the test)."""
    from datetime import UTC, timedelta

    with app.app_context():
        province = db.session.get(Unit, campaign.city_id).parent
        tdm = Unit(name="Thành phố Thủ Dầu Một", kind="district", parent=province)
        phu_cuong = Unit(name="Phường Phú Cường", kind="ward", parent=tdm)
        db.session.add_all([tdm, phu_cuong])
        db.session.commit()
        other_ward_id = phu_cuong.id

    def make_activity(capacity=5, starts_at=None, **fields) -> int:
        start = starts_at or datetime.now(UTC).replace(microsecond=0) + timedelta(days=30)
        values = {
            "plan": campaign.plan_id,
            "title": "Lớp tập huấn kỹ năng số cho người dân",
            "kind": "training",
            "starts_at": start,
            "ends_at": start + timedelta(hours=3),
            "venue_id": campaign.hall_id,
            "capacity": capacity,
            "registration_open": True,
            **fields,
        }
        with app.app_context():
            activity = factories.make_activity(**values)
            db.session.add(activity)
            db.session.commit()
            return activity.id

    return RegistrationSetup(campaign.plan_id, campaign.ward_id, other_ward_id, campaign.hall_id, make_activity)


# --- public calendar and feeds (issue 3): activities of every shape the calendar must place ------------------


@dataclass
class CalendarSetup:
    plan_id: int
    draft_plan_id: int
    province_id: int
    city_id: int  # Thành phố Tân Uyên (district)
    ward_id: int  # Phường Uyên Hưng, in Tân Uyên
    other_ward_id: int  # Phường Khánh Bình, in Tân Uyên
    ben_cat_id: int  # Thị xã Bến Cát (another district)
    my_phuoc_id: int  # Phường Mỹ Phước, in Bến Cát
    office_id: int
    youth_id: int
    festival_id: int  # 05/10/2024 07:30–21:00 at the square, registration open, programme, what to bring
    campaign_id: int  # door to door, 01/10 07:00 – 10/10/2024 17:00 in Khánh Bình
    night_id: int  # 18:00–23:00 UTC on 09/10/2024, i.e. 10/10 01:00–06:00 locally, in Mỹ Phước
    tour_id: int  # cluster tour 24/09–28/09/2024, stops 24–25 (Tân Uyên) and 27–28 (Bến Cát)
    stop_ids: tuple[int, int]
    cancelled_id: int  # cashless drive 06/10/2024, cancelled, in Uyên Hưng
    internal_id: int  # ceremony 10/10/2024, is_public False
    draft_activity_id: int  # in a draft plan


@pytest.fixture
def calendar_setup(app, campaign) -> CalendarSetup:
    """The campaign plus a second district, and public, cancelled, internal and draft activities (committed)."""
    from datetime import UTC

    from events.models import ProgrammeItem, TourStop

    with app.app_context():
        city = db.session.get(Unit, campaign.city_id)
        khanh_binh = Unit(name="Phường Khánh Bình", kind="ward", parent_id=city.id)
        ben_cat = Unit(name="Thị xã Bến Cát", kind="district", parent_id=city.parent_id)
        db.session.add_all([khanh_binh, ben_cat])
        db.session.flush()
        my_phuoc = Unit(name="Phường Mỹ Phước", kind="ward", parent=ben_cat)
        culture_house = Venue(name="Nhà văn hóa phường Mỹ Phước", unit=my_phuoc, address="Đường NA3, Mỹ Phước")
        draft = Plan(
            title="Kế hoạch dự thảo năm 2025",
            status="draft",
            period_start=date(2024, 10, 1),
            period_end=date(2024, 10, 31),
        )
        db.session.add_all([khanh_binh, ben_cat, my_phuoc, culture_house, draft])
        db.session.flush()

        def make(**fields):
            activity = factories.make_activity(fields.pop("plan_id", campaign.plan_id), **fields)
            db.session.add(activity)
            return activity

        festival = make(
            title="Ngày hội Chuyển đổi số thành phố Tân Uyên",
            kind="festival",
            starts_at=local("05/10/2024", 7, 30),
            ends_at=local("05/10/2024", 21, 0),
            venue_id=campaign.square_id,
            lead_unit_id=campaign.office_id,
            audience="Người dân, doanh nghiệp, học sinh",
            audience_groups=",citizens,students,",
            what_to_bring="Căn cước công dân gắn chip và điện thoại thông minh",
            description="Lễ ra mắt Kênh giao tiếp số; không gian trải nghiệm ứng dụng số.",
            capacity=2000,
            registration_open=True,
        )
        festival.coordinating_units = [db.session.get(Unit, campaign.youth_id)]
        festival.programme = [
            ProgrammeItem(
                title="Đón tiếp đại biểu", starts_at=local("05/10/2024", 7, 30), ends_at=local("05/10/2024", 8, 0)
            ),
            ProgrammeItem(
                title="Lễ ra mắt Kênh giao tiếp số",
                starts_at=local("05/10/2024", 8, 0),
                ends_at=local("05/10/2024", 9, 0),
                responsible_unit_id=campaign.office_id,
            ),
        ]
        door_to_door = make(
            title="Chiến dịch “đi từng ngõ, gõ từng nhà, hướng dẫn từng người dân”",
            kind="door_to_door",
            starts_at=local("01/10/2024", 7, 0),
            ends_at=local("10/10/2024", 17, 0),
            area_unit_id=khanh_binh.id,
            lead_unit_id=campaign.office_id,
            audience_groups=",citizens,elderly,",
        )
        night = make(
            title="Cuộc thi trực tuyến tìm hiểu an toàn thông tin",
            kind="contest",
            starts_at=datetime(2024, 10, 9, 18, 0, tzinfo=UTC),
            ends_at=datetime(2024, 10, 9, 23, 0, tzinfo=UTC),
            venue_id=culture_house.id,
            audience_groups=",students,",
        )
        tour = make(
            title="Chuỗi hành trình phát động thi đua chuyển đổi số theo cụm",
            kind="cluster_tour",
            starts_at=local("24/09/2024", 7, 30),
            ends_at=local("28/09/2024", 17, 0),
            lead_unit_id=campaign.office_id,
        )
        tour.stops = [
            TourStop(
                position=1,
                name="Cụm 1",
                host_unit_id=city.id,
                starts_at=local("24/09/2024", 7, 30),
                ends_at=local("25/09/2024", 17, 0),
            ),
            TourStop(
                position=2,
                name="Cụm 2",
                host_unit_id=ben_cat.id,
                starts_at=local("27/09/2024", 7, 30),
                ends_at=local("28/09/2024", 17, 0),
                participating_units=[my_phuoc],
            ),
        ]
        cancelled = make(
            title="Phiên chợ không dùng tiền mặt",
            kind="cashless_drive",
            starts_at=local("06/10/2024", 6, 0),
            ends_at=local("06/10/2024", 11, 0),
            area_unit_id=campaign.ward_id,
            cancelled=True,
            sequence=1,
        )
        internal = make(
            title="Chương trình chào mừng nội bộ",
            kind="ceremony",
            starts_at=local("10/10/2024", 8, 0),
            ends_at=local("10/10/2024", 11, 30),
            venue_id=campaign.hall_id,
            is_public=False,
        )
        drafted = make(
            plan_id=draft.id,
            title="Hoạt động của kế hoạch dự thảo",
            kind="training",
            starts_at=local("07/10/2024", 8, 0),
            ends_at=local("07/10/2024", 11, 0),
            venue_id=campaign.square_id,
        )
        db.session.commit()
        return CalendarSetup(
            plan_id=campaign.plan_id,
            draft_plan_id=draft.id,
            province_id=city.parent_id,
            city_id=city.id,
            ward_id=campaign.ward_id,
            other_ward_id=khanh_binh.id,
            ben_cat_id=ben_cat.id,
            my_phuoc_id=my_phuoc.id,
            office_id=campaign.office_id,
            youth_id=campaign.youth_id,
            festival_id=festival.id,
            campaign_id=door_to_door.id,
            night_id=night.id,
            tour_id=tour.id,
            stop_ids=(tour.stops[0].id, tour.stops[1].id),
            cancelled_id=cancelled.id,
            internal_id=internal.id,
            draft_activity_id=drafted.id,
        )
