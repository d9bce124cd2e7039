"""Demo contests from seeds 000 and 001."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.demo import DemoReport, unit
from events.models import Plan

from .models import Contest


def load(session: Session, report: DemoReport) -> None:
    """The online information-security contest (Tân Uyên) and two of Đồng Nai's contests. The quiz is launched at
    the festival, so it moves with the festival's day (``app.demo.DemoCalendar``); the others keep their dates."""
    cal = report.calendar
    tan_uyen = session.scalar(select(Plan).where(Plan.number == "4568/KH-UBND"))
    dong_nai = session.scalar(select(Plan).where(Plan.title.like("%tỉnh Đồng Nai năm 2024%")))
    report.get_or_create(
        session,
        Contest,
        {"title": "Cuộc thi trực tuyến tìm hiểu về an toàn, an ninh thông tin"},
        plan_id=tan_uyen.id,
        kind="online_quiz",
        is_published=True,
        organizer_unit_id=unit(session, "Phòng Văn hóa và Thông tin").id,
        audience="Người dân, cán bộ, công chức, viên chức, học sinh trên địa bàn thành phố",
        opens_at=cal.on_weekday("05/10/2024", 9, 0),
        closes_at=cal.on_weekday("25/10/2024", 23, 59),
        description="Phát động tại Ngày hội Chuyển đổi số thành phố.",
    )
    report.get_or_create(
        session,
        Contest,
        {"title": "Cuộc thi sáng tạo vẽ tranh, video clip truyền thông bằng AI"},
        plan_id=dong_nai.id,
        kind="juried",
        is_published=True,
        organizer_unit_id=unit(session, "Sở Thông tin và Truyền thông tỉnh Đồng Nai").id,
        audience="Đoàn viên thanh niên và học sinh, sinh viên các trường tiểu học, THCS, THPT trên địa bàn tỉnh",
        opens_at=cal.at("15/08/2024", 8, 0),
        closes_at=cal.at("30/09/2024", 17, 0),
    )
    report.get_or_create(
        session,
        Contest,
        {"title": "Giải thưởng mạng xã hội (Social Network Awards)"},
        plan_id=dong_nai.id,
        kind="public_vote",
        is_published=True,
        organizer_unit_id=unit(session, "Sở Thông tin và Truyền thông tỉnh Đồng Nai").id,
        audience="Fanpage, kênh Zalo, YouTube, TikTok lan tỏa hình ảnh Đồng Nai trên nền tảng số",
        opens_at=cal.at("01/09/2024", 8, 0),
        closes_at=cal.at("05/10/2024", 17, 0),
    )
