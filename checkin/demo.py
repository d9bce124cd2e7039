"""Demo checkpoints: the festival's entrance and exit and the booths of its exhibition spaces (seeds 000 and 001),
each with its rule; the demo volunteer is assigned to scan at all of them."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.demo import DemoReport, unit
from app.models import User
from events.models import Activity

from .models import Checkpoint, CheckpointAssignment, CheckpointKind, CheckpointRule

DEMO_VOLUNTEER = "tinhnguyen@dxday.example"

# The entrance admits a ticket once a day and the exit counts every pass (the pair gives "inside now"); a booth
# counts every visit.
RULES = {
    CheckpointKind.ENTRANCE: CheckpointRule.ONCE_PER_DAY,
    CheckpointKind.EXIT: CheckpointRule.EVERY_TIME,
    CheckpointKind.BOOTH: CheckpointRule.EVERY_TIME,
}

BOOTHS = [
    ("Cổng chính", "entrance", "Đón khách, quét vé QR", "Thành Đoàn Tân Uyên"),
    ("Cổng ra", "exit", "Quét vé khi khách ra về", "Thành Đoàn Tân Uyên"),
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
    volunteer = session.scalar(select(User).where(User.email == DEMO_VOLUNTEER))
    for position, (name, kind, description, host) in enumerate(BOOTHS):
        point = report.get_or_create(
            session,
            Checkpoint,
            {"activity_id": festival.id, "name": name},
            kind=kind,
            rule=RULES[CheckpointKind(kind)],
            description=description,
            position=position,
            host_unit_id=unit(session, host).id,
        )
        if volunteer is not None:
            report.get_or_create(session, CheckpointAssignment, {"checkpoint_id": point.id, "user_id": volunteer.id})
