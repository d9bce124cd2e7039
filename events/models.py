"""Plans, venues, activities and cluster-tour stops."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Column, Date, ForeignKey, Integer, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models import Audited, Unit, UTCDateTime, utcnow


class PlanStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    CLOSED = "closed"


class ActivityKind(enum.StrEnum):
    FESTIVAL = "festival"
    EXHIBITION = "exhibition"
    CLUSTER_TOUR = "cluster_tour"
    CONTEST = "contest"
    DOOR_TO_DOOR = "door_to_door"
    TRAINING = "training"
    CYBER_DRILL = "cyber_drill"
    CASHLESS_DRIVE = "cashless_drive"
    COMMUNICATIONS = "communications"
    CEREMONY = "ceremony"


class Plan(Audited, db.Model):
    """A Kế hoạch: the year's campaign as a government office issued it."""

    __tablename__ = "plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str | None] = mapped_column(String(40))  # "4568/KH-UBND"; a draft may not have one yet
    issued_on: Mapped[date | None] = mapped_column(Date)
    issuing_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    themes: Mapped[str] = mapped_column(Text, default="")  # one message per line
    slogans: Mapped[str] = mapped_column(Text, default="")  # one slogan per line
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    peak_start: Mapped[date | None] = mapped_column(Date)
    peak_end: Mapped[date | None] = mapped_column(Date)
    lead_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"), index=True)
    report_deadline: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(12), default=PlanStatus.DRAFT.value, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    issuing_unit: Mapped[Unit | None] = relationship(foreign_keys=[issuing_unit_id])
    lead_unit: Mapped[Unit | None] = relationship(foreign_keys=[lead_unit_id])
    activities: Mapped[list[Activity]] = relationship(
        back_populates="plan", order_by="Activity.starts_at", cascade="all, delete-orphan"
    )

    __table_args__ = (UniqueConstraint("number", name="uq_plans_number"),)

    @property
    def theme_list(self) -> list[str]:
        return [line.strip() for line in self.themes.splitlines() if line.strip()]

    @property
    def slogan_list(self) -> list[str]:
        return [line.strip() for line in self.slogans.splitlines() if line.strip()]


class Venue(Audited, db.Model):
    __tablename__ = "venues"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    address: Mapped[str] = mapped_column(String(300), default="")
    capacity: Mapped[int | None] = mapped_column(Integer)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="SET NULL"), index=True)

    unit: Mapped[Unit | None] = relationship()


activity_coordinators = Table(
    "activity_coordinators",
    db.metadata,
    Column("activity_id", ForeignKey("activities.id", ondelete="CASCADE"), primary_key=True),
    Column("unit_id", ForeignKey("units.id", ondelete="CASCADE"), primary_key=True),
)


class Activity(Audited, db.Model):
    __tablename__ = "activities"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[str] = mapped_column(String(20), index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    venue_id: Mapped[int | None] = mapped_column(ForeignKey("venues.id", ondelete="SET NULL"), index=True)
    lead_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"), index=True)
    audience: Mapped[str] = mapped_column(String(300), default="")
    expected_headcount: Mapped[int | None] = mapped_column(Integer)
    capacity: Mapped[int | None] = mapped_column(Integer)
    is_public: Mapped[bool] = mapped_column(default=True)
    registration_open: Mapped[bool] = mapped_column(default=False)
    registration_opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    registration_closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    plan: Mapped[Plan] = relationship(back_populates="activities")
    venue: Mapped[Venue | None] = relationship()
    lead_unit: Mapped[Unit | None] = relationship()
    coordinating_units: Mapped[list[Unit]] = relationship(secondary=activity_coordinators, order_by=Unit.name)
    stops: Mapped[list[TourStop]] = relationship(
        back_populates="activity", order_by="TourStop.position", cascade="all, delete-orphan"
    )


tour_stop_participants = Table(
    "tour_stop_participants",
    db.metadata,
    Column("stop_id", ForeignKey("tour_stops.id", ondelete="CASCADE"), primary_key=True),
    Column("unit_id", ForeignKey("units.id", ondelete="CASCADE"), primary_key=True),
)


class TourStop(Audited, db.Model):
    """One stop of a cluster tour: a host unit receives the participating units for a few days."""

    __tablename__ = "tour_stops"

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activities.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(120))
    host_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"), index=True)
    venue_id: Mapped[int | None] = mapped_column(ForeignKey("venues.id", ondelete="SET NULL"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)

    activity: Mapped[Activity] = relationship(back_populates="stops")
    host_unit: Mapped[Unit] = relationship()
    venue: Mapped[Venue | None] = relationship()
    participating_units: Mapped[list[Unit]] = relationship(secondary=tour_stop_participants, order_by=Unit.name)

    __table_args__ = (UniqueConstraint("activity_id", "position", name="uq_tour_stops_activity_position"),)
