"""Scheduled jobs: one list, fixed ids, one process.

Every job is a function ``job(session, now) -> JobResult`` that is idempotent: run twice, it changes nothing
the second time. A feature marks its jobs with ``@scheduled`` in its ``jobs.py`` and registers that module with
``register_jobs`` when its blueprint is set up; that is the only way a job enters the list. The scheduler
itself runs in exactly one process (``make run``'s server, or ``flask scheduler run`` in production); a lock
(a PostgreSQL advisory lock, or a file lock for SQLite) makes a second starter step aside.
"""

from __future__ import annotations

import fcntl
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import Connection, delete, func, inspect, select, text

from .extensions import db
from .models import JobRun, utcnow

log = logging.getLogger(__name__)

JOBSTORE_TABLE = "apscheduler_jobs"
_LOCK_KEY = 1010_2024  # the advisory-lock id; any constant shared by all processes of one deployment


@dataclass
class JobResult:
    changed: int = 0
    message: str = ""  # or a lazy translation, rendered when the run is recorded
    ok: bool = True


@dataclass(frozen=True)
class JobSpec:
    id: str
    func: Callable[..., JobResult]
    trigger: str  # "interval" or "cron"
    trigger_args: dict = field(default_factory=dict)
    description: str = ""


JOBS: dict[str, JobSpec] = {}
_state: dict = {"app": None, "scheduler": None, "lock": None}


def scheduled(job_id: str, trigger: str, description, **trigger_args):
    """Mark ``func(session, now) -> JobResult`` as the job ``job_id`` ("interval" or "cron" ``trigger`` with
    APScheduler's arguments, e.g. ``hour=2, minute=30``). Nothing runs until ``register_jobs`` takes it."""

    def mark(func):
        func.job_spec = JobSpec(job_id, func, trigger, trigger_args, description)
        return func

    return mark


def register_jobs(module) -> None:
    """Add (or replace) every ``@scheduled`` function of ``module`` in the one list; ids are their identity in
    the job store."""
    for value in vars(module).values():
        spec = getattr(value, "job_spec", None)
        if isinstance(spec, JobSpec):
            JOBS[spec.id] = spec


def job_ids() -> list[str]:
    return list(JOBS)


def prune_job_runs(session, now: datetime, keep_days: int = 90) -> JobResult:
    """Forget job runs older than ``keep_days`` so the history stays small."""
    count = session.execute(delete(JobRun).where(JobRun.started_at < now - timedelta(days=keep_days))).rowcount or 0
    return JobResult(changed=count, message=_l("%(count)s old runs removed", count=count))


def run_job_now(job_id: str, now: datetime | None = None) -> JobResult:
    """Run one job in the current app context and record the run; the caller's session is committed by the job
    runner (scheduled runs) or by the caller (a run started from the admin page)."""
    spec = JOBS[job_id]
    now = now or utcnow()
    run = JobRun(job_id=job_id, started_at=now)
    try:
        with db.session.begin_nested():
            result = spec.func(db.session, now)
    except Exception as error:  # a failed job is recorded, not fatal to the scheduler
        log.exception("job %s failed", job_id)
        result = JobResult(ok=False, message=f"{type(error).__name__}: {error}"[:500])
    run.ok, run.message, run.changed, run.finished_at = result.ok, str(result.message)[:500], result.changed, utcnow()
    db.session.add(run)
    return result


def execute(job_id: str) -> None:
    """Entry point the job store keeps by reference: runs the job inside the app and commits, only while this
    process still holds the scheduler lock."""
    app = _state["app"]
    if not lock_is_held():
        _lost_lock(job_id)
        return
    with app.app_context():
        try:
            run_job_now(job_id)
            db.session.commit()
        finally:
            db.session.remove()


def job_statuses() -> list[dict]:
    """Each registered job with its schedule, last run and next run, for the admin page."""
    next_runs: dict[str, datetime | None] = {}
    if inspect(db.engine).has_table(JOBSTORE_TABLE):
        query = text(f"SELECT id, next_run_time FROM {JOBSTORE_TABLE}")  # noqa: S608 (a constant name)
        for job_id, ts in db.session.execute(query):
            next_runs[job_id] = datetime.fromtimestamp(ts, UTC) if ts is not None else None
    latest = select(JobRun.job_id, func.max(JobRun.id).label("run_id")).group_by(JobRun.job_id).subquery()
    last_runs = {
        run.job_id: run for run in db.session.scalars(select(JobRun).join(latest, JobRun.id == latest.c.run_id))
    }
    return [
        {
            "spec": spec,
            "last_run": last_runs.get(job_id),
            "next_run": next_runs.get(job_id),
            "scheduled": job_id in next_runs,
        }
        for job_id, spec in JOBS.items()
    ]


def lock_is_held() -> bool:
    """Whether this process still holds the scheduler lock. A PostgreSQL advisory lock belongs to a connection:
    when that connection drops (a database restart, a network cut) the lock is gone and another scheduler may
    have taken it. The file lock on SQLite lasts as long as the process."""
    lock = _state.get("lock")
    if lock is None:
        return False
    if not isinstance(lock, Connection):
        return True
    try:
        held = lock.execute(
            text(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid() AND granted"
                " AND classid = 0 AND objid = :k AND objsubid = 1"
            ),
            {"k": _LOCK_KEY},
        ).scalar()
        lock.rollback()
    except Exception:  # noqa: BLE001 (a dead connection in any form means the lock is gone)
        log.exception("scheduler lock: its database connection is gone")
        return False
    return bool(held)


def _lost_lock(job_id: str) -> None:
    """Stop scheduling in this process: without the lock, another process may be running the same jobs."""
    log.error("scheduler lock lost; job %s not run and this scheduler stops (start it again to retry)", job_id)
    scheduler, lock = _state.get("scheduler"), _state.get("lock")
    if scheduler is not None and scheduler.running:
        scheduler.shutdown(wait=False)
    if lock is not None:
        try:
            lock.close()
        except Exception:  # noqa: BLE001 (closing a dead connection may fail; it is discarded either way)
            log.debug("closing the lost scheduler lock failed", exc_info=True)
    _state.update(scheduler=None, lock=None)


def _acquire_lock(app):
    """Hold a lock for the life of the process; None when another process already runs the scheduler."""
    if db.engine.dialect.name == "postgresql":
        conn = db.engine.connect()
        if conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": _LOCK_KEY}).scalar():
            conn.commit()
            return conn
        conn.close()
        return None
    os.makedirs(app.instance_path, exist_ok=True)
    handle = open(os.path.join(app.instance_path, "scheduler.lock"), "w")  # noqa: SIM115 (held for the process life)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        return None
    return handle


def build_scheduler(app, blocking: bool = False):
    """An APScheduler whose jobs live in the app's database, with every registered job added under its fixed id."""
    from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
    from apscheduler.schedulers.background import BackgroundScheduler
    from apscheduler.schedulers.blocking import BlockingScheduler

    cls = BlockingScheduler if blocking else BackgroundScheduler
    scheduler = cls(
        jobstores={"default": SQLAlchemyJobStore(engine=db.engine, tablename=JOBSTORE_TABLE)},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600},
        timezone=app.config["TIMEZONE"],
    )
    for spec in JOBS.values():
        scheduler.add_job(
            execute,
            spec.trigger,
            args=[spec.id],
            id=spec.id,
            name=spec.id,
            replace_existing=True,
            **spec.trigger_args,
        )
    return scheduler


def start(app, blocking: bool = False) -> bool:
    """Start the scheduler in this process if no other process runs it; returns whether it started."""
    with app.app_context():
        lock = _acquire_lock(app)
        if lock is None:
            log.warning("scheduler already running in another process; not starting here")
            return False
        _state.update(app=app, lock=lock)
        scheduler = build_scheduler(app, blocking=blocking)
        _state["scheduler"] = scheduler
    scheduler.start()  # blocks when blocking=True
    return True


def shutdown() -> None:
    scheduler = _state.get("scheduler")
    if scheduler is not None and scheduler.running:
        scheduler.shutdown(wait=False)
    lock = _state.get("lock")
    if hasattr(lock, "invalidate"):
        # A session-level advisory lock lives as long as its connection: closing would hand the connection, lock
        # and all, back to the pool; invalidating really closes it, so the lock is free for the next scheduler.
        lock.invalidate()
    elif lock is not None:
        lock.close()
    _state.update(scheduler=None, lock=None)
