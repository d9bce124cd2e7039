"""The way back to one's own attempts on another device: one-time codes sent to the phone or e-mail on file."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models import UTCDateTime


class ReturnCode(db.Model):
    """One code asked for a phone of a contest from one client address. A row is written whether or not the phone
    took part (``participant_id`` None, nothing sent), so that the answers, the tries and the limits are the same
    for a stranger's phone and a participant's. Only the keyed hash of the code is kept; the phone and the address
    as keyed hashes too. The limits count these rows per (phone, address) and per address."""

    __tablename__ = "quiz_return_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contests.id", ondelete="CASCADE"))
    participant_id: Mapped[int | None] = mapped_column(
        ForeignKey("quiz_participants.id", ondelete="CASCADE"), index=True
    )
    phone_hash: Mapped[str] = mapped_column(String(64))
    address_hash: Mapped[str] = mapped_column(String(64))
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    tries: Mapped[int] = mapped_column(Integer, default=0)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        Index("ix_quiz_return_codes_phone_address", "phone_hash", "address_hash", "created_at"),
        Index("ix_quiz_return_codes_address", "address_hash", "created_at"),
    )

    def __repr__(self) -> str:
        return f"<ReturnCode {self.id}>"
