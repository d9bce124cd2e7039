"""Demo plans and activities from seeds 000 (Tân Uyên 2024) and 001 (Đồng Nai 2024).

Where a plan gives only a month ("trong tháng 10/2024"), the demo picks a day inside it."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from app.demo import DemoReport, unit

from .models import Activity, Plan, TourStop, Venue

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def at(day: str, hour: int = 0, minute: int = 0) -> datetime:
    """A local date "dd/mm/yyyy" and time as an aware datetime."""
    d, m, y = (int(part) for part in day.split("/"))
    return datetime(y, m, d, hour, minute, tzinfo=TZ)


TAN_UYEN_THEMES = "\n".join(
    [
        "Phổ cập hạ tầng số và sáng tạo ứng dụng số để phát triển kinh tế số - Động lực mới cho tăng trưởng kinh tế "
        "và năng suất lao động.",
        "Phát triển kinh tế số với 04 trụ cột: Công nghiệp công nghệ thông tin, số hóa các ngành kinh tế, quản trị số, "
        "dữ liệu số - Động lực quan trọng cho phát triển kinh tế - xã hội nhanh và bền vững.",
        "Tân Uyên “vững vàng, bứt phá, tăng tốc” tập trung nâng cao chất lượng chuyển đổi số trên các lĩnh vực.",
    ]
)
TAN_UYEN_SLOGANS = "\n".join(
    [
        "Chuyển đổi số kết sức mạnh - nối thành công.",
        "Dữ liệu đúng, đủ và kịp thời sẽ dẫn đến hành động đúng, không cảm tính.",
        "Bảo đảm an toàn an ninh mạng là then chốt để chuyển đổi số thành công và bền vững.",
    ]
)

CLUSTERS = [
    (
        "Cụm 1",
        "UBND huyện Định Quán",
        [
            "UBND huyện Tân Phú",
            "UBND huyện Vĩnh Cửu",
            "UBND huyện Xuân Lộc",
            "UBND huyện Thống Nhất",
            "UBND thành phố Long Khánh",
        ],
        "24/09/2024",
    ),
    (
        "Cụm 2",
        "UBND huyện Trảng Bom",
        ["UBND thành phố Biên Hòa", "UBND huyện Nhơn Trạch", "UBND huyện Cẩm Mỹ", "UBND huyện Long Thành"],
        "27/09/2024",
    ),
]


def load(session: Session, report: DemoReport) -> None:
    """Plans, venues and the main activities of both seeds."""
    square = report.get_or_create(
        session,
        Venue,
        {"name": "Quảng trường thành phố Tân Uyên"},
        address="Phường Uyên Hưng, thành phố Tân Uyên",
        capacity=3000,
        unit_id=unit(session, "Phường Uyên Hưng").id,
    )
    center = report.get_or_create(
        session,
        Venue,
        {"name": "Trung tâm Tổ chức Hội nghị và sự kiện tỉnh Đồng Nai"},
        address="Thành phố Biên Hòa, tỉnh Đồng Nai",
        capacity=500,
        unit_id=unit(session, "UBND thành phố Biên Hòa").id,
    )
    culture_office = unit(session, "Phòng Văn hóa và Thông tin")
    tan_uyen = report.get_or_create(
        session,
        Plan,
        {"number": "4568/KH-UBND"},
        issued_on=date(2024, 9, 13),
        issuing_unit_id=unit(session, "UBND thành phố Tân Uyên").id,
        title="Tổ chức các hoạt động hưởng ứng Ngày Chuyển đổi số quốc gia, Ngày Chuyển đổi số tỉnh Bình Dương "
        "(10/10) năm 2024",
        themes=TAN_UYEN_THEMES,
        slogans=TAN_UYEN_SLOGANS,
        period_start=date(2024, 9, 15),
        period_end=date(2024, 10, 31),
        peak_start=date(2024, 10, 1),
        peak_end=date(2024, 10, 10),
        lead_unit_id=culture_office.id,
        report_deadline=date(2024, 11, 1),
        status="published",
    )
    activity = _activity_loader(session, report, tan_uyen)
    activity(
        "Ngày hội Chuyển đổi số thành phố Tân Uyên",
        "festival",
        at("05/10/2024", 7, 30),
        at("05/10/2024", 21, 0),
        venue=square,
        lead=culture_office,
        capacity=2000,
        expected_headcount=3000,
        registration_open=True,
        audience="Người dân, doanh nghiệp, cán bộ, công chức, viên chức, đoàn viên thanh niên, học sinh",
        description="Lễ ra mắt Kênh giao tiếp số (Zalo mini app); mô hình khu ấp thông minh; phát động cuộc thi "
        "trực tuyến về an toàn, an ninh thông tin; khen thưởng, biểu dương tập thể, cá nhân; ký kết "
        "thực hiện công tác chuyển đổi số; diễu hành tuyên truyền; không gian trải nghiệm ứng dụng số, "
        "dữ liệu số và trí tuệ nhân tạo.",
        coordinators=[
            "Thành Đoàn Tân Uyên",
            "Công an thành phố Tân Uyên",
            "Điện lực Tân Uyên",
            "Trung tâm Văn hóa – Thể thao và Truyền thanh thành phố",
        ],
    )
    activity(
        "Chiến dịch “đi từng ngõ, gõ từng nhà, hướng dẫn từng người dân”",
        "door_to_door",
        at("01/10/2024", 7, 0),
        at("10/10/2024", 17, 0),
        lead=culture_office,
        audience="Hộ gia đình trên địa bàn các xã, phường",
        description="Tổ công nghệ số cộng đồng hướng dẫn người dân sử dụng dịch vụ công trực tuyến, thanh toán không "
        "dùng tiền mặt, sàn thương mại điện tử, an toàn trên môi trường mạng, cài đặt ứng dụng nTrust, "
        "chữ ký số công cộng, định danh điện tử VNeID.",
        coordinators=["Thành Đoàn Tân Uyên", "Phường Uyên Hưng", "Phường Tân Phước Khánh", "Phường Khánh Bình"],
    )

    dong_nai = report.get_or_create(
        session,
        Plan,
        {"title": "Tổ chức các hoạt động hưởng ứng ngày chuyển đổi số tỉnh Đồng Nai năm 2024"},
        number=None,
        issued_on=None,
        issuing_unit_id=unit(session, "Ủy ban nhân dân tỉnh Đồng Nai").id,
        themes="CHUYỂN ĐỔI SỐ - CHUYỂN ĐỔI XANH",
        slogans="",
        period_start=date(2024, 8, 1),
        period_end=date(2024, 10, 10),
        lead_unit_id=unit(session, "Sở Thông tin và Truyền thông tỉnh Đồng Nai").id,
        report_deadline=date(2024, 10, 31),
        status="published",
    )
    activity = _activity_loader(session, report, dong_nai)
    tour = activity(
        "Chuỗi hành trình phát động thi đua chuyển đổi số theo cụm",
        "cluster_tour",
        at(CLUSTERS[0][3], 7, 30),
        at("28/09/2024", 17, 0),
        lead=unit(session, "Sở Thông tin và Truyền thông tỉnh Đồng Nai"),
        audience="Cán bộ, công chức, doanh nghiệp, đoàn viên thanh niên và nhân dân các huyện, thành phố",
        description="Không gian chính quyền số, kinh tế số, xã hội số; mỗi cụm 2 ngày.",
        coordinators=["Đoàn TNCS Hồ Chí Minh tỉnh Đồng Nai", "Công an tỉnh Đồng Nai", "Hội Tin học tỉnh Đồng Nai"],
    )
    for position, (name, host, participants, first_day) in enumerate(CLUSTERS, start=1):
        d, m, y = (int(p) for p in first_day.split("/"))
        stop = report.get_or_create(
            session,
            TourStop,
            {"activity_id": tour.id, "position": position},
            name=name,
            host_unit_id=unit(session, host).id,
            starts_at=at(first_day, 7, 30),
            ends_at=at(f"{d + 1:02d}/{m:02d}/{y}", 17, 0),
        )
        if not stop.participating_units:
            stop.participating_units = [unit(session, p) for p in participants]
    activity(
        "Chương trình chào mừng Ngày chuyển đổi số quốc gia và Ngày 10/10 chuyển đổi số tỉnh Đồng Nai",
        "ceremony",
        at("10/10/2024", 8, 0),
        at("10/10/2024", 11, 30),
        venue=center,
        lead=unit(session, "Sở Thông tin và Truyền thông tỉnh Đồng Nai"),
        expected_headcount=200,
        capacity=200,
        is_public=False,
        audience="200 cán bộ công chức, doanh nghiệp, đoàn viên thanh niên, học sinh, sinh viên và nhân dân",
        description="Tổng kết hoạt động; công bố kết quả và trao giải các cuộc thi; vinh danh các tập thể, cá nhân "
        "có thành tích xuất sắc; chương trình nghệ thuật “Nhịp sống số - Chuyển đổi xanh vì mục tiêu "
        "phát triển bền vững”.",
        coordinators=["Đoàn TNCS Hồ Chí Minh tỉnh Đồng Nai", "UBND thành phố Biên Hòa"],
    )


def _activity_loader(session: Session, report: DemoReport, plan: Plan):
    def activity(title, kind, starts_at, ends_at, *, lead, venue=None, coordinators=(), **fields) -> Activity:
        record = report.get_or_create(
            session,
            Activity,
            {"plan_id": plan.id, "title": title},
            kind=kind,
            starts_at=starts_at,
            ends_at=ends_at,
            lead_unit_id=lead.id,
            venue_id=venue.id if venue else None,
            **fields,
        )
        if not record.coordinating_units and coordinators:
            record.coordinating_units = [unit(session, name) for name in coordinators]
        return record

    return activity
