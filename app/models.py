"""Models every feature uses: the unit tree, users and their roles, the audit trail."""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_login import AnonymousUserMixin, UserMixin
from sqlalchemy import (
    JSON,
    ColumnElement,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    Integer,
    String,
    TypeDecorator,
    UniqueConstraint,
    exists,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from .extensions import db


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """A timestamp stored in UTC and always returned timezone-aware, on SQLite as on PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are refused: pass a timezone-aware value")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Audited:
    """Mixin: every insert, update and delete of the model writes an AuditEntry (see app/audit.py)."""

    __audit_exclude__: tuple[str, ...] = ()


def enum_column(enum_class: type[enum.Enum], length: int) -> Enum:
    """An enum column stored as its values in a VARCHAR (no native type), so SQLite and PostgreSQL share one
    migration; reading it gives the enum member back."""
    return Enum(
        enum_class,
        native_enum=False,
        create_constraint=False,
        length=length,
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )


_LABEL_TABLES: dict[type, dict] = {}


class LabelledEnum(enum.StrEnum):
    """A StrEnum whose members carry their interface label (one table per enum, in the catalogue)."""

    @property
    def label(self):
        table = _LABEL_TABLES.get(type(self))
        if table is None:  # built once per enum: the labels are lazy, translated when shown
            table = _LABEL_TABLES[type(self)] = self._labels()
        return table[self]

    @classmethod
    def choices(cls) -> list[tuple[str, object]]:
        """(value, label) pairs in declaration order, for select boxes and filters."""
        return [(member.value, member.label) for member in cls]

    @classmethod
    def _labels(cls) -> dict:
        raise NotImplementedError


class UnitKind(LabelledEnum):
    PROVINCE = "province"
    DISTRICT = "district"
    WARD = "ward"
    HAMLET = "hamlet"
    DEPARTMENT = "department"
    ORGANISATION = "organisation"
    SCHOOL = "school"
    ENTERPRISE = "enterprise"

    @classmethod
    def _labels(cls):
        return {
            cls.PROVINCE: _l("Province / centrally-run city"),
            cls.DISTRICT: _l("District / city / town"),
            cls.WARD: _l("Ward / commune"),
            cls.HAMLET: _l("Hamlet / neighbourhood"),
            cls.DEPARTMENT: _l("Department / office"),
            cls.ORGANISATION: _l("Organisation / association"),
            cls.SCHOOL: _l("School"),
            cls.ENTERPRISE: _l("Enterprise"),
        }


class Unit(Audited, db.Model):
    __tablename__ = "units"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    short_name: Mapped[str | None] = mapped_column(String(80))
    kind: Mapped[UnitKind] = mapped_column(enum_column(UnitKind, 20), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    parent: Mapped[Unit | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Unit]] = relationship(back_populates="parent", order_by="Unit.name")

    __table_args__ = (UniqueConstraint("parent_id", "name", name="uq_units_parent_name"),)

    def __repr__(self) -> str:
        return f"<Unit {self.id} {self.name!r}>"

    @property
    def label(self) -> str:
        return self.short_name or self.name


class Role(LabelledEnum):
    ADMIN = "admin"
    ORGANIZER = "organizer"
    UNIT_REPORTER = "unit_reporter"
    VOLUNTEER = "volunteer"
    JUROR = "juror"
    APPRAISER = "appraiser"

    @classmethod
    def _labels(cls):
        return {
            cls.ADMIN: _l("Administrator"),
            cls.ORGANIZER: _l("Organizer"),
            cls.UNIT_REPORTER: _l("Unit reporter"),
            cls.VOLUNTEER: _l("Volunteer"),
            cls.JUROR: _l("Juror"),
            cls.APPRAISER: _l("Appraiser"),
        }


class UserRole(Audited, db.Model):
    __tablename__ = "user_roles"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[Role] = mapped_column(enum_column(Role, 20), primary_key=True)


class User(Audited, UserMixin, db.Model):
    __tablename__ = "users"
    __audit_exclude__ = ("password_hash", "phone")  # personal data stays out of the trail

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str] = mapped_column(String(254), unique=True)
    phone: Mapped[str | None] = mapped_column(String(15), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="SET NULL"), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    locale: Mapped[str | None] = mapped_column(String(5))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Part of the id kept in session and remember-me cookies: raising it signs the account out everywhere.
    session_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    unit: Mapped[Unit | None] = relationship()
    role_rows: Mapped[list[UserRole]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by=UserRole.role
    )

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    def get_id(self) -> str:
        """Flask-Login's "alternative id": the cookies hold ``id:session_version``, so a cookie issued before
        the version was raised (password change, "sign out everywhere") no longer signs anyone in."""
        return f"{self.id}:{self.session_version or 0}"

    @classmethod
    def session_is_current(cls, user_id: int, version: int) -> ColumnElement[bool]:
        """SQL: a cookie holding ``user_id:version`` still signs that account in (``app.auth.load_user``'s check,
        for a statement that makes it without loading the account)."""
        return exists().where(cls.id == user_id, cls.session_version == version)

    def end_all_sessions(self) -> None:
        """Invalidate every session and remember-me cookie of this account, on every device."""
        self.session_version = (self.session_version or 0) + 1

    @property
    def roles(self) -> set[str]:
        return {row.role for row in self.role_rows}

    def set_roles(self, roles) -> None:
        wanted = {Role(r).value for r in roles}
        self.role_rows = [row for row in self.role_rows if row.role in wanted] + [
            UserRole(role=r) for r in sorted(wanted - self.roles)
        ]

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles & set(roles))

    @property
    def is_organizer(self) -> bool:
        """Organizers (and admins) plan the campaign and see what is not public yet."""
        return self.has_role(Role.ADMIN, Role.ORGANIZER)

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)


class Visitor(AnonymousUserMixin):
    """Whoever is not signed in: a citizen. Answers the same questions as a User, always with no."""

    is_organizer = False
    roles: frozenset[str] = frozenset()

    def has_role(self, *roles: str) -> bool:
        return False


class AuditEntry(db.Model):
    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    action: Mapped[str] = mapped_column(String(10))  # create, update, delete
    entity: Mapped[str] = mapped_column(String(60), index=True)
    entity_id: Mapped[str] = mapped_column(String(40))
    changes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    actor: Mapped[User | None] = relationship()


class JobRun(db.Model):
    """One run of a scheduled job, so the admin page can show when each job last ran and how it went."""

    __tablename__ = "job_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[str] = mapped_column(String(60), index=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ok: Mapped[bool] = mapped_column(default=False)
    message: Mapped[str] = mapped_column(String(500), default="")
    changed: Mapped[int] = mapped_column(Integer, default=0)


class JobState(db.Model):
    """Where each job stands, one row per job updated with every run: the last success and the last failure with
    its error, and how many runs in a row have failed. ``/healthz``, the admin page and ``flask scheduler list``
    read it in one small query instead of searching months of ``job_runs``."""

    __tablename__ = "job_states"

    job_id: Mapped[str] = mapped_column(String(60), primary_key=True)
    last_run_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_success_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_failure_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str] = mapped_column(String(500), default="")
    failures_in_a_row: Mapped[int] = mapped_column(Integer, default=0)


class SubmissionKey(db.Model):
    """A form submission already carried out: the same form sent twice (a double click, a reload, a retry on a
    slow connection) finds its key here and is shown the first result instead of writing again."""

    __tablename__ = "submission_keys"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    result_url: Mapped[str] = mapped_column(String(500), default="")


class MessageState(enum.StrEnum):
    PENDING = "pending"  # waiting for its (next) attempt
    SENDING = "sending"  # claimed by one sender; no other sender may take it
    SENT = "sent"
    FAILED = "failed"  # gave up after the last attempt


class Channel(enum.StrEnum):
    EMAIL = "email"
    SMS = "sms"


class Lane(enum.StrEnum):
    """Which sender job drains a message: ``fast`` for what a person is waiting for on the screen (a one-time
    code, drained every few seconds), ``normal`` for everything else (every minute)."""

    NORMAL = "normal"
    FAST = "fast"


class OutboxMessage(db.Model):
    """A message to a person, written in the transaction that causes it and sent later by the outbox job, once.

    ``template`` names ``templates/messages/<template>.txt``; ``payload`` holds the plain values it needs (no
    rendered text, so a message is written in the person's ``locale`` when it is sent); ``dedupe_key`` makes the
    same news enqueued twice (a replayed request, a job run twice) one message."""

    __tablename__ = "outbox_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[Channel] = mapped_column(enum_column(Channel, 10))
    recipient: Mapped[str] = mapped_column(String(254))
    template: Mapped[str] = mapped_column(String(60))
    locale: Mapped[str] = mapped_column(String(5), default="vi")
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    dedupe_key: Mapped[str | None] = mapped_column(String(120), unique=True)
    # What the message is about ("Registration:12"), so purging a person's data purges their messages too.
    subject_ref: Mapped[str | None] = mapped_column(String(60), index=True)
    state: Mapped[MessageState] = mapped_column(enum_column(MessageState, 10), default=MessageState.PENDING, index=True)
    lane: Mapped[Lane] = mapped_column(enum_column(Lane, 10), default=Lane.NORMAL, server_default=Lane.NORMAL.value)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    # Each lane's sender finds its due messages without walking the other lane's backlog.
    __table_args__ = (Index("ix_outbox_messages_due", "lane", "state", "next_attempt_at"),)


class ContentVersion(db.Model):
    """A counter per kind of public content ("events"), raised in the same transaction as any change to it, so a
    cached page or feed built from an older version is never served again once the change is committed."""

    __tablename__ = "content_versions"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0)


class StoredFile(db.Model):
    """An uploaded file (app/uploads.py): its bytes are stored once per content under the instance folder
    (``uploads/ab/cd/<sha256>``), so two rows may share one file; the file is deleted with the last row naming its
    hash. ``kind`` is what its content proved it to be (never its name or the browser's word); ``use`` is the
    upload policy it was accepted under; ``original_name`` is the sender's file name, NFC and sanitised, for
    the download's name only."""

    __tablename__ = "stored_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(10))
    use: Mapped[str] = mapped_column(String(40))
    original_name: Mapped[str] = mapped_column(String(255), default="")
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class DocumentJobState(LabelledEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"

    @classmethod
    def _labels(cls):
        return {
            cls.QUEUED: _l("Waiting"),
            cls.RUNNING: _l("Being built"),
            cls.DONE: _l("Ready to download"),
            cls.FAILED: _l("Failed"),
        }


class DocumentJob(db.Model):
    """A document (a badge sheet, later a report or certificates) built in the background (app/documents.py).
    ``kind`` names the builder a feature registered; ``subject_id`` the record it is built for (an activity's
    badges), read by that builder. State and progress live here, not in a worker's memory, so any worker shows
    the page and the scheduler's one process builds it. ``file_name`` is the built file's path relative to the
    instance folder; it is deleted with the row at ``expires_at`` (documents hold people's names)."""

    __tablename__ = "document_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[int | None] = mapped_column(Integer)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    state: Mapped[DocumentJobState] = mapped_column(
        enum_column(DocumentJobState, 10), default=DocumentJobState.QUEUED, index=True
    )
    total: Mapped[int] = mapped_column(Integer, default=0)
    done: Mapped[int] = mapped_column(Integer, default=0)
    file_name: Mapped[str | None] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100), default="application/pdf")
    error: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)

    __table_args__ = (Index("ix_document_jobs_kind_subject", "kind", "subject_id"),)

    @property
    def percent(self) -> int:
        if self.state == DocumentJobState.DONE:
            return 100
        return 100 * self.done // self.total if self.total else 0

    @property
    def busy(self) -> bool:
        """Waiting or being built: the page showing it refreshes itself."""
        return self.state in (DocumentJobState.QUEUED, DocumentJobState.RUNNING)
