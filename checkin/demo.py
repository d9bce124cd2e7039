"""Demo checkpoints: the festival's entrance and the booths of its exhibition spaces (seeds 000 and 001)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.demo import DemoReport, unit
from events.models import Activity

from .models import Checkpoint

BOOTHS = [
    ("Cổng chính", "entrance", "Đón khách, quét vé QR", "Thành Đoàn Tân Uyên"),
    (
        "Không gian chính quyền số",
        "booth",
        "Thu thập dữ liệu dân cư; dịch vụ công trực tuyến; định danh điện tử VNeID",
        "Công an thành phố Tân Uyên",
    ),
    (
        "Không gian kinh tế số",
        "booth",
        "Mua bán trực tuyến sản phẩm OCOP; phiên chợ không dùng tiền mặt",
        "Phòng Kinh tế",
    ),
    (
        "Không gian xã hội số",
        "booth",
        "Nhận diện và phòng chống lừa đảo trên không gian mạng; cài đặt nTrust",
        "Phòng Văn hóa và Thông tin",
    ),
    (
        "Không gian trải nghiệm ứng dụng số, dữ liệu số và trí tuệ nhân tạo",
        "booth",
        "Giới thiệu sản phẩm, nền tảng công nghệ số tại dx.gov.vn",
        "Trung tâm Văn hóa – Thể thao và Truyền thanh thành phố",
    ),
]


def load(session: Session, report: DemoReport) -> None:
    """Checkpoints of the Tân Uyên festival."""
    festival = session.scalar(select(Activity).where(Activity.title == "Ngày hội Chuyển đổi số thành phố Tân Uyên"))
    for position, (name, kind, description, host) in enumerate(BOOTHS):
        report.get_or_create(
            session,
            Checkpoint,
            {"activity_id": festival.id, "name": name},
            kind=kind,
            description=description,
            position=position,
            host_unit_id=unit(session, host).id,
        )
