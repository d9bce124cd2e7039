"""Contests."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, String, Text, and_, or_, select
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models import Audited, LabelledEnum, Unit, UTCDateTime, enum_column, utcnow
from events.models import Plan


class ContestKind(LabelledEnum):
    ONLINE_QUIZ = "online_quiz"
    JURIED = "juried"
    PUBLIC_VOTE = "public_vote"
    GAMESHOW = "gameshow"
    ESPORTS = "esports"
    LIVESTREAM = "livestream"

    @classmethod
    def _labels(cls):
        return {
            cls.ONLINE_QUIZ: _l("Online quiz"),
            cls.JURIED: _l("Juried contest"),
            cls.PUBLIC_VOTE: _l("Public vote"),
            cls.GAMESHOW: _l("Gameshow"),
            cls.ESPORTS: _l("E-sports tournament"),
            cls.LIVESTREAM: _l("Livestream selling"),
        }


class ContestPhase(LabelledEnum):
    """Where a contest stands for a visitor (``contests.services.contest_phase``), in the order the list shows."""

    OPEN = "open"
    UPCOMING = "upcoming"
    CLOSED = "closed"

    @classmethod
    def _labels(cls):
        return {cls.UPCOMING: _l("Upcoming"), cls.OPEN: _l("Open now"), cls.CLOSED: _l("Closed")}


class Contest(Audited, db.Model):
    __tablename__ = "contests"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("plans.id", ondelete="SET NULL"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    kind: Mapped[ContestKind] = mapped_column(enum_column(ContestKind, 20), index=True)
    description: Mapped[str] = mapped_column(Text, default="")
    audience: Mapped[str] = mapped_column(String(300), default="")
    organizer_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="SET NULL"), index=True)
    opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    is_published: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    plan: Mapped[Plan | None] = relationship()
    organizer_unit: Mapped[Unit | None] = relationship()

    @property
    def is_quiz(self) -> bool:
        """An online quiz: it has rounds, a question bank and participants of its own."""
        return self.kind == ContestKind.ONLINE_QUIZ

    @hybrid_property
    def is_public(self) -> bool:
        """Citizens may see it: published, and not part of a plan that is still a draft."""
        return self.is_published and (self.plan is None or self.plan.is_public)

    @is_public.inplace.expression
    @classmethod
    def _is_public_expression(cls):
        return and_(
            cls.is_published.is_(True),
            or_(cls.plan_id.is_(None), cls.plan_id.in_(select(Plan.id).where(Plan.is_public))),
        )
