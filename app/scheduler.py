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
import threading
import time
from collections.abc import Callable
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import Connection, delete, func, insert, inspect, select, text, update
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from .extensions import db
from .models import JobRun, JobState, utcnow

log = logging.getLogger(__name__)

JOBSTORE_TABLE = "apscheduler_jobs"
_LOCK_KEY = 1010_2024  # the advisory-lock id; any constant shared by all processes of one deployment
# A run that meets a busy database tries again, pausing 0.25 s, 0.5 s, … up to 2 s, within its minute.
RETRY_SECONDS = 45.0
RETRY_FIRST_PAUSE = 0.25
RETRY_MAX_PAUSE = 2.0
FAILING_AFTER = 3  # failed runs in a row after which /healthz says the job is failing
_PG_BUSY = {"40001", "40P01", "55P03"}  # serialization failure, deadlock, lock not available
_WRITER = threading.Lock()
_clock, _sleep = time.monotonic, time.sleep  # replaced by tests that play out a busy minute


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
    # False for a job that runs every few seconds: a run that changed nothing is kept in its job state only, not
    # as one more history row (the fast outbox lane would add 17,000 rows a day).
    keep_idle_runs: bool = True


JOBS: dict[str, JobSpec] = {}
_state: dict = {"app": None, "scheduler": None, "lock": None}


def scheduled(job_id: str, trigger: str, description, *, keep_idle_runs: bool = True, **trigger_args):
    """Mark ``func(session, now) -> JobResult`` as the job ``job_id`` ("interval" or "cron" ``trigger`` with
    APScheduler's arguments, e.g. ``hour=2, minute=30``). Nothing runs until ``register_jobs`` takes it.
    ``keep_idle_runs=False``: a successful run that changed nothing leaves no history row."""

    def mark(func):
        func.job_spec = JobSpec(job_id, func, trigger, trigger_args, description, keep_idle_runs)
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


def run_job_now(
    job_id: str, now: datetime | None = None, *, retry_for: float = 0.0, commit: bool = False, guard=nullcontext
) -> JobResult:
    """Run one job in the current app context and record the run (its ``job_runs`` row and its ``job_states``
    line), committing when ``commit`` (else the caller commits). A failed job changes nothing: its transaction is
    rolled back before the failure is recorded. A run that meets a busy database ("database is locked" on SQLite,
    a deadlock or serialization failure on PostgreSQL) runs again after a pause (0.25 s, doubling up to 2 s) for
    up to ``retry_for`` seconds; only its final outcome is recorded. Each attempt runs inside ``guard()``, which
    the scheduler uses to keep its jobs to one writer at a time; pauses are taken outside it."""
    give_up_at = _clock() + retry_for
    pause = RETRY_FIRST_PAUSE
    while True:
        with guard():
            started = now or utcnow()
            result, error = _attempt(job_id, started, commit)
        if error is None:
            return result
        if _clock() + pause >= give_up_at:
            log.error("job %s: the database stayed busy; giving up until its next run", job_id)
            with guard():
                result = JobResult(ok=False, message=f"{type(error).__name__}: {error}"[:500])
                record_run(job_id, started, result)
                if commit:
                    _commit_or_log(job_id)
            return result
        log.warning("job %s met a busy database; trying again in %.2f s", job_id, pause)
        _sleep(pause)
        pause = min(pause * 2, RETRY_MAX_PAUSE)


def _attempt(job_id: str, started: datetime, commit: bool) -> tuple[JobResult | None, Exception | None]:
    """One run of the job and its record: its outcome, or the error when the database was busy (the caller tries
    again). No savepoint around the job: on SQLite a SAVEPOINT opens a
    read transaction whose snapshot goes stale as soon as a request writes, and its first write then fails at
    once with "database is locked"; without it, pysqlite begins the transaction at the first write, which waits
    for the lock (``busy_timeout``)."""
    try:
        try:
            result = JOBS[job_id].func(db.session, started)
            db.session.flush()
        except Exception as error:  # a failed job is recorded, not fatal to the scheduler
            db.session.rollback()
            if database_busy(error):
                return None, error
            log.exception("job %s failed", job_id)
            result = JobResult(ok=False, message=f"{type(error).__name__}: {error}"[:500])
        record_run(job_id, started, result)
        if commit:
            db.session.commit()
    except Exception as error:
        db.session.rollback()
        if database_busy(error):
            return None, error
        raise
    return result, None


def _commit_or_log(job_id: str) -> None:
    try:
        db.session.commit()
    except Exception:  # noqa: BLE001 (the next run records again)
        db.session.rollback()
        log.exception("job %s: even its failure could not be recorded", job_id)


def record_run(job_id: str, started: datetime, result: JobResult) -> None:
    """Add the run to the session: its history row, and its job's state (last success, or last failure with its
    error and one more failure in a row). An idle run of a job that keeps no idle runs updates its state only."""
    message = str(result.message)[:500]
    finished = utcnow()
    spec = JOBS.get(job_id)
    if not result.ok or result.changed or spec is None or spec.keep_idle_runs:
        db.session.add(
            JobRun(job_id=job_id, started_at=started, finished_at=finished, ok=result.ok, message=message,
                   changed=result.changed)
        )  # fmt: skip
    table = JobState.__table__
    if result.ok:
        values = {"last_run_at": started, "last_success_at": started, "failures_in_a_row": 0}
    else:
        values = {
            "last_run_at": started,
            "last_failure_at": started,
            "last_error": message,
            "failures_in_a_row": table.c.failures_in_a_row + 1,
        }
    connection = db.session.connection()
    if connection.execute(update(table).where(table.c.job_id == job_id).values(**values)).rowcount:
        return
    first = {**values, "failures_in_a_row": 0 if result.ok else 1}
    try:
        with connection.begin_nested():
            connection.execute(insert(table).values({"job_id": job_id, "last_error": "", **first}))
    except IntegrityError:  # another process recorded this job's first run meanwhile
        connection.execute(update(table).where(table.c.job_id == job_id).values(**values))


def database_busy(error: BaseException) -> bool:
    """Whether ``error`` says the database was busy rather than the job wrong: trying again may succeed."""
    if not isinstance(error, OperationalError | DBAPIError):
        return False
    if getattr(getattr(error, "orig", None), "sqlstate", None) in _PG_BUSY:
        return True
    text_ = str(getattr(error, "orig", error)).lower()
    return "database is locked" in text_ or "database table is locked" in text_


def execute(job_id: str) -> None:
    """Entry point the job store keeps by reference: runs the job inside the app and commits, only while this
    process still holds the scheduler lock. On SQLite the jobs of this process write one at a time (two jobs due in
    the same second would otherwise trip over each other), and a run that meets the database busy with requests
    tries again within its minute."""
    app = _state["app"]
    if not lock_is_held():
        _lost_lock(job_id)
        return
    with app.app_context():
        try:
            run_job_now(job_id, retry_for=RETRY_SECONDS, commit=True, guard=_one_writer)
        finally:
            db.session.remove()


@contextmanager
def _one_writer():
    """On SQLite, one job at a time in this process (the file has one writer); PostgreSQL runs them side by side."""
    if db.engine.dialect.name != "sqlite":
        yield
        return
    with _WRITER:
        yield


def job_statuses() -> list[dict]:
    """Each registered job with its schedule, last run, last failure and next run, for the admin page and the
    command line."""
    next_runs: dict[str, datetime | None] = {}
    if inspect(db.engine).has_table(JOBSTORE_TABLE):
        query = text(f"SELECT id, next_run_time FROM {JOBSTORE_TABLE}")  # noqa: S608 (a constant name)
        for job_id, ts in db.session.execute(query):
            next_runs[job_id] = datetime.fromtimestamp(ts, UTC) if ts is not None else None
    latest = select(JobRun.job_id, func.max(JobRun.id).label("run_id")).group_by(JobRun.job_id).subquery()
    last_runs = {
        run.job_id: run for run in db.session.scalars(select(JobRun).join(latest, JobRun.id == latest.c.run_id))
    }
    states = {state.job_id: state for state in db.session.scalars(select(JobState))}
    return [
        {
            "spec": spec,
            "last_run": last_runs.get(job_id),
            "state": states.get(job_id),
            "next_run": next_runs.get(job_id),
            "scheduled": job_id in next_runs,
        }
        for job_id, spec in JOBS.items()
    ]


def failing_jobs(session, in_a_row: int = FAILING_AFTER) -> list[str]:
    """The registered jobs whose last ``in_a_row`` runs all failed (for ``/healthz``)."""
    found = session.scalars(
        select(JobState.job_id).where(JobState.failures_in_a_row >= in_a_row).order_by(JobState.job_id)
    )
    return [job_id for job_id in found if job_id in JOBS]


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
