"""Documents built in the background (a badge sheet today; reports and certificates next), with their progress
in the database so that any worker shows it and the scheduler's one process builds them.

A feature registers each kind of document it offers (``documents.register(DocumentKind(...))`` when its
blueprint is set up): its key, how to build one (``build(session, job, progress) -> bytes``, reading the record
``job.subject_id`` names), its content type and how long a built file is kept. A view asks for one with
``request`` (a double click gets the same job), may build a short one at once with ``build_job``, and shows the
job's state and percentage; the ``core.build_documents`` job builds the rest, ``core.prune_documents`` deletes
them, file and row, once expired. The fonts every PDF builder uses (DejaVu, with their licence) are in
``FONTS``.

The functions take an engine or a session, ``now`` and the instance folder: no Flask import, any process may
run them."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from .models import DocumentJob, DocumentJobState
from .scheduler import JobResult

log = logging.getLogger(__name__)

FONTS = Path(__file__).resolve().parent / "fonts"
# A document "being built" for this long was left by a process that died; it is built again.
STALE_AFTER = timedelta(minutes=30)
FINISHED = (DocumentJobState.DONE, DocumentJobState.FAILED)
PROGRESS_STEPS = 50  # progress is written about this many times while a document is built


class Progress:
    """What a builder reports while it works: ``start(total)`` once it knows how many items it will draw, then
    ``progress(n)`` after each n items. Written to the job's row on its own connection every ~2 %, so the page
    that shows it (on any worker) moves."""

    def __init__(self, session: Session, job_id: int) -> None:
        self._session, self._job_id = session, job_id
        self.total = 0
        self.built = 0
        self._step = 1

    def start(self, total: int) -> None:
        self.total, self._step = total, max(1, total // PROGRESS_STEPS)
        self._session.execute(update(DocumentJob).where(DocumentJob.id == self._job_id).values(total=total))
        self._session.commit()

    def __call__(self, n: int = 1) -> None:
        self.built += n
        if self.built % self._step == 0:
            self._session.execute(update(DocumentJob).where(DocumentJob.id == self._job_id).values(done=self.built))
            self._session.commit()


# build(session, job, progress) -> the document's bytes; raises when the subject is gone or anything fails.
Builder = Callable[[Session, DocumentJob, Progress], bytes]


@dataclass(frozen=True)
class DocumentKind:
    """How a feature's kind of document is built, named, stored and kept."""

    key: str  # "checkin.badges": the feature, then the document
    build: Builder
    keep: timedelta  # a built (or failed) document is deleted this long after it finished
    content_type: str = "application/pdf"
    extension: str = "pdf"
    folder: str = "documents"  # under the instance folder
    file_prefix: str = "document"


class DocumentRegistry:
    """The kinds of document features offer, by key (like the providers of app/providers.py)."""

    def __init__(self) -> None:
        self._kinds: dict[str, DocumentKind] = {}

    def register(self, kind: DocumentKind) -> None:
        """Register (or replace, on a second app in the same process) the kind ``kind.key``."""
        self._kinds[kind.key] = kind

    def get(self, key: str) -> DocumentKind | None:
        return self._kinds.get(key)

    def all(self) -> dict[str, DocumentKind]:
        return dict(self._kinds)


documents = DocumentRegistry()


def job_path(instance_path: str, job: DocumentJob) -> str | None:
    """Where a built document's file is, under the instance folder; None before it is built."""
    return os.path.join(instance_path, job.file_name) if job.file_name else None


def request(session: Session, kind: str, subject_id: int | None, *, user_id: int | None, now: datetime) -> DocumentJob:
    """Queue a document of ``kind`` for ``subject_id``; one already waiting or being built for the same subject
    is returned instead of a second one (a double click, two people at once). The caller checks that the
    subject exists and that the user may see it."""
    pending = session.scalar(
        select(DocumentJob)
        .where(
            DocumentJob.kind == kind,
            DocumentJob.subject_id == subject_id,
            DocumentJob.state.in_([DocumentJobState.QUEUED, DocumentJobState.RUNNING]),
        )
        .order_by(DocumentJob.id)
        .limit(1)
    )
    if pending is not None:
        return pending
    job = DocumentJob(
        kind=kind, subject_id=subject_id, requested_by_id=user_id, state=DocumentJobState.QUEUED, created_at=now
    )
    session.add(job)
    session.flush()
    return job


def recent(session: Session, kind: str, subject_id: int | None, limit: int = 5) -> list[DocumentJob]:
    """The latest documents of ``kind`` for ``subject_id``, newest first."""
    return list(
        session.scalars(
            select(DocumentJob)
            .where(DocumentJob.kind == kind, DocumentJob.subject_id == subject_id)
            .order_by(DocumentJob.id.desc())
            .limit(limit)
        )
    )


def find(session: Session, kind: str, job_id: int) -> DocumentJob | None:
    """The job ``job_id`` if it is a document of ``kind`` (a badge address never serves another feature's
    document); the caller checks the user's scope on its subject."""
    job = session.get(DocumentJob, job_id)
    return job if job is not None and job.kind == kind else None


def build_job(
    engine: Engine, job_id: int, *, now: Callable[[], datetime], instance_path: str, kind: DocumentKind
) -> bool:
    """Claim the queued job ``job_id`` (a compare-and-set, so two runners never build one job) and build its
    file with ``kind``'s builder, committing progress on its own connection. True when this call built it. The
    file is written beside its final name and renamed, so a half-written file is never served. A failure is
    recorded on the job (state failed, the error) and raised again."""
    with Session(engine) as session:
        claimed = session.execute(
            update(DocumentJob)
            .where(DocumentJob.id == job_id, DocumentJob.state == DocumentJobState.QUEUED)
            .values(state=DocumentJobState.RUNNING, started_at=now(), done=0)
        ).rowcount
        session.commit()
        if claimed != 1:
            return False
        job = session.get(DocumentJob, job_id)
        try:
            progress = Progress(session, job_id)
            data = kind.build(session, job, progress)
            folder = os.path.join(instance_path, kind.folder)
            os.makedirs(folder, exist_ok=True)
            name = f"{kind.file_prefix}-{job.subject_id}-{job_id}.{kind.extension}"
            temporary = os.path.join(folder, name + ".part")
            with open(temporary, "wb") as handle:
                handle.write(data)
            os.replace(temporary, os.path.join(folder, name))
            session.refresh(job)
            finished = now()
            total = progress.total or progress.built
            job.total, job.done, job.file_name = total, total, f"{kind.folder}/{name}"
            job.content_type, job.state = kind.content_type, DocumentJobState.DONE
            job.finished_at, job.expires_at = finished, finished + kind.keep
            session.commit()
        except Exception as error:
            session.rollback()
            finished = now()
            session.execute(
                update(DocumentJob)
                .where(DocumentJob.id == job_id)
                .values(
                    state=DocumentJobState.FAILED,
                    error=f"{type(error).__name__}: {error}"[:500],
                    finished_at=finished,
                    expires_at=finished + kind.keep,
                )
            )
            session.commit()
            raise
    return True


def build_queued(
    engine: Engine, *, now: Callable[[], datetime], instance_path: str, kinds: Mapping[str, DocumentKind]
) -> JobResult:
    """Build every queued document of ``kinds``, oldest first (a kind no feature registered waits). Idempotent:
    a built document is not queued any more. One left "being built" for longer than ``STALE_AFTER`` (its
    process died: a restart, a deploy) is queued again first. A failure is logged and the others still built."""
    keys = list(kinds)
    with Session(engine) as session:
        session.execute(
            update(DocumentJob)
            .where(
                DocumentJob.kind.in_(keys),
                DocumentJob.state == DocumentJobState.RUNNING,
                DocumentJob.started_at < now() - STALE_AFTER,
            )
            .values(state=DocumentJobState.QUEUED, done=0)
        )
        session.commit()
        queued = list(
            session.execute(
                select(DocumentJob.id, DocumentJob.kind)
                .where(DocumentJob.kind.in_(keys), DocumentJob.state == DocumentJobState.QUEUED)
                .order_by(DocumentJob.id)
            )
        )
    built = 0
    for job_id, key in queued:
        try:
            built += build_job(engine, job_id, now=now, instance_path=instance_path, kind=kinds[key])
        except Exception:  # noqa: BLE001 (recorded on the job as failed; the others still get built)
            log.exception("document %s (%s) failed", job_id, key)
    return JobResult(changed=built, message=_l("%(count)s documents built", count=built))


def prune(session: Session, now: datetime, *, instance_path: str) -> JobResult:
    """Delete the documents whose time is up (built or failed, past ``expires_at``), their files with them: a
    document holds personal data; build it again if needed. Idempotent."""
    old = list(
        session.scalars(select(DocumentJob).where(DocumentJob.state.in_(FINISHED), DocumentJob.expires_at < now))
    )
    for job in old:
        path = job_path(instance_path, job)
        if path and os.path.exists(path):
            os.remove(path)
        session.delete(job)
    return JobResult(changed=len(old), message=_l("%(count)s expired documents deleted", count=len(old)))
