"""Checkpoints (the entrances, exits and booths where volunteers scan tickets), who scans where, and every scan.

A ticket is a registration (``events.models.Registration``): its id is the ticket id, it is valid while the
registration is confirmed, and a cancelled registration is a revoked ticket."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    ColumnElement,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    and_,
    exists,
    or_,
    select,
)
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models import Audited, LabelledEnum, Role, Unit, User, UserRole, UTCDateTime, enum_column, utcnow
from app.scopes import Scoped
from events.models import Activity


class CheckpointKind(LabelledEnum):
    ENTRANCE = "entrance"
    EXIT = "exit"
    BOOTH = "booth"

    @classmethod
    def _labels(cls):
        return {cls.ENTRANCE: _l("Entrance"), cls.EXIT: _l("Exit"), cls.BOOTH: _l("Booth")}


class CheckpointRule(LabelledEnum):
    """How often one ticket may be admitted at a checkpoint."""

    ONCE = "once"
    ONCE_PER_DAY = "once_per_day"
    EVERY_TIME = "every_time"

    @classmethod
    def _labels(cls):
        return {cls.ONCE: _l("Once"), cls.ONCE_PER_DAY: _l("Once a day"), cls.EVERY_TIME: _l("Every time")}


class ScanVerdict(LabelledEnum):
    """What a scan gave: the machine-readable reason scanners and the API share."""

    ADMITTED = "admitted"
    ALREADY_CHECKED_IN = "already_checked_in"
    REVOKED = "revoked"
    OTHER_ACTIVITY = "other_activity"
    OTHER_DAY = "other_day"
    UNKNOWN = "unknown"  # bad signature or format, or no such ticket
    EXPIRED = "expired"
    ACTIVITY_CANCELLED = "activity_cancelled"  # the activity was cancelled: every ticket of it is revoked
    # A scan queued offline whose phone time lies outside what the server can trust (before the phone's last
    # sync, or ahead of the server): kept for the organizers to review, never admitted.
    FLAGGED = "flagged"

    @classmethod
    def _labels(cls):
        return {
            cls.ADMITTED: _l("Valid"),
            cls.ALREADY_CHECKED_IN: _l("Already checked in"),
            cls.REVOKED: _l("Ticket revoked"),
            cls.OTHER_ACTIVITY: _l("Ticket of another activity"),
            cls.OTHER_DAY: _l("Not today's ticket"),
            cls.UNKNOWN: _l("Unknown ticket"),
            cls.EXPIRED: _l("Ticket expired"),
            cls.ACTIVITY_CANCELLED: _l("Activity cancelled"),
            cls.FLAGGED: _l("Held for review"),
        }


class Checkpoint(Scoped, Audited, db.Model):
    """An entrance, exit or booth of an activity. Its scope: organizers (and admins) work at every checkpoint, a
    volunteer only at those they are assigned to (``CheckpointAssignment``); elsewhere it is not found."""

    __tablename__ = "checkpoints"
    not_found_message = _l("This checkpoint does not exist.")

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activities.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[CheckpointKind] = mapped_column(enum_column(CheckpointKind, 20), default=CheckpointKind.BOOTH)
    rule: Mapped[CheckpointRule] = mapped_column(
        enum_column(CheckpointRule, 20), default=CheckpointRule.ONCE, server_default=CheckpointRule.ONCE.value
    )
    description: Mapped[str] = mapped_column(Text, default="")
    host_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="SET NULL"))
    position: Mapped[int] = mapped_column(Integer, default=0)

    activity: Mapped[Activity] = relationship()
    host_unit: Mapped[Unit | None] = relationship()

    __table_args__ = (UniqueConstraint("activity_id", "name", name="uq_checkpoints_activity_name"),)

    @classmethod
    def _scope(cls, user, write: bool):
        if user.is_organizer:
            return True
        return exists().where(CheckpointAssignment.checkpoint_id == cls.id, CheckpointAssignment.user_id == user.id)

    @classmethod
    def scannable_by(cls, user_id: int, session_version: int) -> ColumnElement[bool]:
        """SQL: the account that a signed session names (``app.auth.session_account``) may scan at this checkpoint
        now: its session still current (``User.session_is_current``), a scanner's role (the scan API's 403) and the
        checkpoint in its scope (``_scope``: an organizer's or admin's everywhere, a volunteer's where assigned).
        The same three checks as ``current_user``, the API's role check and ``get_in_scope``, made inside the
        statement that admits a scan, so that the gate loads no account (checkin.api.api_scan)."""

        def holds(*roles: Role) -> ColumnElement[bool]:
            return exists().where(UserRole.user_id == user_id, UserRole.role.in_(roles))

        assigned = exists().where(CheckpointAssignment.checkpoint_id == cls.id, CheckpointAssignment.user_id == user_id)
        return and_(
            User.session_is_current(user_id, session_version),
            or_(holds(Role.ADMIN, Role.ORGANIZER), and_(holds(Role.VOLUNTEER), assigned)),
        )

    @classmethod
    def activity_scope(cls, user, write: bool = False):
        """Check-in's scope over events' activities (for ``get_in_scope(..., rule=Checkpoint.activity_scope)``):
        organizers reach every activity, a volunteer those with a checkpoint of theirs (its walk-in desk)."""
        decided = cls._scope(user, write)
        if isinstance(decided, bool):
            return decided
        return Activity.id.in_(select(cls.activity_id).where(decided))


class CheckpointAssignment(Audited, db.Model):
    """A volunteer assigned to scan at a checkpoint; a volunteer scans nowhere else."""

    __tablename__ = "checkpoint_assignments"

    id: Mapped[int] = mapped_column(primary_key=True)
    checkpoint_id: Mapped[int] = mapped_column(ForeignKey("checkpoints.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)

    checkpoint: Mapped[Checkpoint] = relationship()
    user: Mapped[User] = relationship()

    __table_args__ = (UniqueConstraint("checkpoint_id", "user_id", name="uq_checkpoint_assignments_point_user"),)


class Scan(Scoped, db.Model):
    """One scan at a checkpoint, admitted or refused; every scan is kept (the log is the record).

    ``admission_slot`` is what an admission takes under the checkpoint's rule: the ticket id for "once",
    "<ticket id>:<local day>" for "once per day", nothing for "every time" and for refusals. Its unique
    constraint per checkpoint is what admits a ticket once when two phones scan it at the same moment; an
    undo gives the slot back. ``(device_id, nonce)`` is unique so that a scan sent again is stored once; it is
    answered again only to the same scanner account, at the same checkpoint, with the same token
    (``token_digest``).

    ``scanned_at`` is when the scan counts: the server's time for an online scan, the phone's for a scan queued
    offline when it lies within the bound the server trusts. ``device_time`` is what the phone said.

    Its scope is its checkpoint's: whoever may scan there may see (and undo) its scans."""

    __tablename__ = "scans"
    not_found_message = _l("This scan does not exist.")

    id: Mapped[int] = mapped_column(primary_key=True)
    checkpoint_id: Mapped[int] = mapped_column(ForeignKey("checkpoints.id", ondelete="CASCADE"))
    # The registration scanned; None when the token named no ticket (bad signature, unknown id).
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("registrations.id", ondelete="SET NULL"), index=True)
    device_id: Mapped[str] = mapped_column(String(64))
    nonce: Mapped[str] = mapped_column(String(64))
    scanned_at: Mapped[datetime] = mapped_column(UTCDateTime)  # when it counts (see above)
    device_time: Mapped[datetime | None] = mapped_column(UTCDateTime)  # the phone's clock, as sent
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)  # the server's clock
    verdict: Mapped[ScanVerdict] = mapped_column(enum_column(ScanVerdict, 20))
    admitted: Mapped[bool] = mapped_column(default=False)
    offline: Mapped[bool] = mapped_column(default=False)
    client_verdict: Mapped[str | None] = mapped_column(String(20))  # what an offline scanner showed
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    undone_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    admission_slot: Mapped[str | None] = mapped_column(String(40))
    # The first 128 bits of SHA-256 of the token as read (a typed code in its printed form), in hex; None for
    # scans stored before it was kept.
    token_digest: Mapped[str | None] = mapped_column(String(32))

    checkpoint: Mapped[Checkpoint] = relationship()
    user: Mapped[User | None] = relationship()

    @hybrid_property
    def counts(self) -> bool:
        """An admission that stands: admitted and not undone (what counts, the "inside now" and the visitors)."""
        return self.admitted and self.undone_at is None

    @counts.inplace.expression
    @classmethod
    def _counts_expression(cls):
        return and_(cls.admitted.is_(True), cls.undone_at.is_(None))

    @classmethod
    def _scope(cls, user, write: bool):
        decided = Checkpoint._scope(user, write)
        if isinstance(decided, bool):
            return decided
        return cls.checkpoint_id.in_(select(Checkpoint.id).where(decided))

    __table_args__ = (
        UniqueConstraint("checkpoint_id", "admission_slot", name="uq_scans_checkpoint_slot"),
        UniqueConstraint("device_id", "nonce", name="uq_scans_device_nonce"),
        Index("ix_scans_checkpoint_scanned", "checkpoint_id", "scanned_at"),
    )
