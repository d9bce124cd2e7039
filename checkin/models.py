"""Checkpoints: the entrances and booths where volunteers scan tickets."""

from __future__ import annotations

import enum

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models import Audited, Unit, enum_column
from events.models import Activity


class CheckpointKind(enum.StrEnum):
    ENTRANCE = "entrance"
    BOOTH = "booth"


class Checkpoint(Audited, db.Model):
    __tablename__ = "checkpoints"

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activities.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[CheckpointKind] = mapped_column(enum_column(CheckpointKind, 20), default=CheckpointKind.BOOTH)
    description: Mapped[str] = mapped_column(Text, default="")
    host_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="SET NULL"))
    position: Mapped[int] = mapped_column(Integer, default=0)

    activity: Mapped[Activity] = relationship()
    host_unit: Mapped[Unit | None] = relationship()

    __table_args__ = (UniqueConstraint("activity_id", "name", name="uq_checkpoints_activity_name"),)
