"""Plans, venues, activities and cluster-tour stops."""

from __future__ import annotations

import enum
from datetime import date, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    and_,
    select,
    text,
    true,
)
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models import Audited, LabelledEnum, Unit, UTCDateTime, enum_column, utcnow


class PlanStatus(LabelledEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    CLOSED = "closed"

    @classmethod
    def _labels(cls):
        return {cls.DRAFT: _l("Draft"), cls.PUBLISHED: _l("Published"), cls.CLOSED: _l("Closed")}

    @property
    def allowed_next(self) -> frozenset[PlanStatus]:
        """What may follow: a draft is published; a published plan is closed or withdrawn; a closed one reopened."""
        return _PLAN_TRANSITIONS[self]


_PLAN_TRANSITIONS = {
    PlanStatus.DRAFT: frozenset({PlanStatus.PUBLISHED}),
    PlanStatus.PUBLISHED: frozenset({PlanStatus.CLOSED, PlanStatus.DRAFT}),
    PlanStatus.CLOSED: frozenset({PlanStatus.PUBLISHED}),
}
# Citizens see published plans and, after the campaign, closed ones; drafts stay with the organizers.
PUBLIC_PLAN_STATUSES = (PlanStatus.PUBLISHED, PlanStatus.CLOSED)


class ActivityKind(LabelledEnum):
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

    @classmethod
    def _labels(cls):
        return {
            cls.FESTIVAL: _l("Fair / festival"),
            cls.EXHIBITION: _l("Exhibition space"),
            cls.CLUSTER_TOUR: _l("Cluster tour"),
            cls.CONTEST: _l("Contest"),
            cls.DOOR_TO_DOOR: _l("Door-to-door campaign"),
            cls.TRAINING: _l("Training class"),
            cls.CYBER_DRILL: _l("Cybersecurity drill"),
            cls.CASHLESS_DRIVE: _l("Cashless-payment drive"),
            cls.COMMUNICATIONS: _l("Communications"),
            cls.CEREMONY: _l("Ceremony"),
        }


class AudienceGroup(LabelledEnum):
    """Who an activity is for; the public calendar filters on these."""

    CITIZENS = "citizens"
    STUDENTS = "students"
    CIVIL_SERVANTS = "civil_servants"
    ENTERPRISES = "enterprises"
    YOUTH = "youth"
    ELDERLY = "elderly"

    @classmethod
    def _labels(cls):
        return {
            cls.CITIZENS: _l("Residents"),
            cls.STUDENTS: _l("Pupils and students"),
            cls.CIVIL_SERVANTS: _l("Civil servants"),
            cls.ENTERPRISES: _l("Enterprises"),
            cls.YOUTH: _l("Youth Union members"),
            cls.ELDERLY: _l("Older people"),
        }


class RegistrationStatus(enum.StrEnum):
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"


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
    status: Mapped[PlanStatus] = mapped_column(enum_column(PlanStatus, 12), default=PlanStatus.DRAFT, index=True)
    # The scheduler closes a published plan once its period is over, unless an organizer reopened it on purpose.
    auto_close: Mapped[bool] = mapped_column(default=True, server_default=true())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    issuing_unit: Mapped[Unit | None] = relationship(foreign_keys=[issuing_unit_id])
    lead_unit: Mapped[Unit | None] = relationship(foreign_keys=[lead_unit_id])
    activities: Mapped[list[Activity]] = relationship(
        back_populates="plan", order_by="Activity.starts_at", cascade="all, delete-orphan"
    )

    __table_args__ = (UniqueConstraint("number", name="uq_plans_number"),)

    @hybrid_property
    def is_public(self) -> bool:
        """Citizens may see the plan (and its public activities): it is published, or closed after the campaign."""
        return self.status in PUBLIC_PLAN_STATUSES

    @is_public.inplace.expression
    @classmethod
    def _is_public_expression(cls):
        return cls.status.in_(PUBLIC_PLAN_STATUSES)

    def is_visible_to(self, user) -> bool:
        """Organizers see every plan; everyone else only public ones."""
        return self.is_public or getattr(user, "is_organizer", False)

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
    directions: Mapped[str] = mapped_column(Text, default="")  # map-free: landmarks, parking, bus lines

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
    kind: Mapped[ActivityKind] = mapped_column(enum_column(ActivityKind, 20), index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    venue_id: Mapped[int | None] = mapped_column(ForeignKey("venues.id", ondelete="SET NULL"), index=True)
    lead_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"), index=True)
    audience: Mapped[str] = mapped_column(String(300), default="")
    # Audience groups as ",citizens,students," so one LIKE filters on SQLite and PostgreSQL alike.
    audience_groups: Mapped[str] = mapped_column(String(200), default="")
    # Where it happens (district or ward), for the calendar's area filter; defaults to the venue's unit.
    area_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="SET NULL"), index=True)
    what_to_bring: Mapped[str] = mapped_column(Text, default="")
    expected_headcount: Mapped[int | None] = mapped_column(Integer)
    capacity: Mapped[int | None] = mapped_column(Integer)
    # Confirmed registrations, kept by an atomic conditional UPDATE so concurrent sign-ups never overbook.
    seats_taken: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    is_public: Mapped[bool] = mapped_column(default=True)
    registration_open: Mapped[bool] = mapped_column(default=False)
    registration_opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    registration_closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled: Mapped[bool] = mapped_column(default=False)
    # Conflict warnings an organizer accepted explicitly (their stable keys), so they stop nagging.
    accepted_warnings: Mapped[list[str]] = mapped_column(JSON, default=list)
    # iCalendar SEQUENCE: bumped on every change a subscriber's calendar must pick up.
    sequence: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    plan: Mapped[Plan] = relationship(back_populates="activities")
    venue: Mapped[Venue | None] = relationship()
    lead_unit: Mapped[Unit | None] = relationship(foreign_keys=[lead_unit_id])
    area_unit: Mapped[Unit | None] = relationship(foreign_keys=[area_unit_id])
    coordinating_units: Mapped[list[Unit]] = relationship(secondary=activity_coordinators, order_by=Unit.name)
    stops: Mapped[list[TourStop]] = relationship(
        back_populates="activity", order_by="TourStop.position", cascade="all, delete-orphan"
    )
    programme: Mapped[list[ProgrammeItem]] = relationship(
        back_populates="activity", order_by="ProgrammeItem.starts_at", cascade="all, delete-orphan"
    )

    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint("capacity IS NULL OR capacity >= 0", name="capacity_not_negative"),
        CheckConstraint(
            "seats_taken >= 0 AND (capacity IS NULL OR seats_taken <= capacity)", name="seats_within_capacity"
        ),
    )

    @hybrid_property
    def is_visible(self) -> bool:
        """Citizens may see it: marked public, in a public plan. Cancelled ones stay visible (as cancelled)."""
        return self.is_public and self.plan.is_public

    @is_visible.inplace.expression
    @classmethod
    def _is_visible_expression(cls):
        return and_(cls.is_public.is_(True), cls.plan_id.in_(select(Plan.id).where(Plan.is_public)))

    def is_visible_to(self, user) -> bool:
        """Organizers see every activity; everyone else only visible ones."""
        return self.is_visible or getattr(user, "is_organizer", False)

    @property
    def audience_group_list(self) -> list[str]:
        return [code for code in self.audience_groups.split(",") if code]

    @property
    def is_multi_day(self) -> bool:
        return self.ends_at - self.starts_at > timedelta(hours=24)


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

    programme: Mapped[list[ProgrammeItem]] = relationship(
        back_populates="stop", order_by="ProgrammeItem.starts_at", cascade="all"
    )

    __table_args__ = (
        UniqueConstraint("activity_id", "position", name="uq_tour_stops_activity_position"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
    )


class ProgrammeItem(Audited, db.Model):
    """A slot in an activity's (or a tour stop's) programme: the launch, the commendations, the parade…"""

    __tablename__ = "programme_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activities.id", ondelete="CASCADE"), index=True)
    stop_id: Mapped[int | None] = mapped_column(ForeignKey("tour_stops.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    responsible_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="SET NULL"))

    activity: Mapped[Activity] = relationship(back_populates="programme")
    stop: Mapped[TourStop | None] = relationship(back_populates="programme")
    responsible_unit: Mapped[Unit | None] = relationship()


class Registration(Audited, db.Model):
    """A citizen's seat (or waitlist place) at an activity. The token is the ticket's secret: the
    confirmation page, the cancel link and the check-in QR code all carry it."""

    __tablename__ = "registrations"
    __audit_exclude__ = ("token", "name", "phone", "email")  # personal data stays out of the audit trail

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activities.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    phone: Mapped[str] = mapped_column(String(15))  # normalised 0xxxxxxxxx
    ward_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="SET NULL"))
    email: Mapped[str | None] = mapped_column(String(254))
    locale: Mapped[str] = mapped_column(String(5), default="vi", server_default="vi")  # the language of its messages
    consent_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[RegistrationStatus] = mapped_column(enum_column(RegistrationStatus, 12), index=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    promoted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    activity: Mapped[Activity] = relationship()
    ward: Mapped[Unit | None] = relationship()

    __table_args__ = (
        # One live registration per phone per activity; a cancelled one does not block signing up again.
        Index(
            "uq_registrations_live_phone",
            "activity_id",
            "phone",
            unique=True,
            postgresql_where=text("status <> 'cancelled'"),
            sqlite_where=text("status <> 'cancelled'"),
        ),
        Index("ix_registrations_waitlist", "activity_id", "status", "id"),
    )
