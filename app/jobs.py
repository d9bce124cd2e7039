"""The core's scheduled jobs, registered when the core blueprint is set up (like every feature's)."""

from flask_babel import lazy_gettext as _l

from . import documents
from .extensions import db
from .models import Lane, utcnow
from .outbox import prune_sent, send_due
from .scheduler import JobResult, prune_job_runs, scheduled
from .submissions import prune_submission_keys


@scheduled("core.prune_job_runs", "cron", _l("Remove job-run history older than 90 days"), hour=3, minute=15)
def forget_old_job_runs(session, now):
    return prune_job_runs(session, now)


@scheduled(
    "core.prune_submission_keys", "cron", _l("Forget form submission keys older than two days"), hour=3, minute=45
)
def forget_old_submission_keys(session, now):
    return prune_submission_keys(session, now)


@scheduled("core.send_messages", "interval", _l("Send the e-mails and SMS waiting in the outbox"), minutes=1)
def send_messages(session, now):
    return send_due(db.engine, now)


@scheduled(
    "core.send_fast_messages",
    "interval",
    _l("Send the one-time codes waiting in the outbox"),
    keep_idle_runs=False,
    seconds=5,
)
def send_fast_messages(session, now):
    return send_due(db.engine, now, batch=50, lane=Lane.FAST)


@scheduled("core.prune_messages", "cron", _l("Delete messages sent more than 30 days ago"), hour=3, minute=30)
def forget_old_messages(session, now):
    return prune_sent(session, now)


@scheduled("core.build_documents", "interval", _l("Build the documents people asked for (badge sheets…)"), seconds=20)
def build_documents(session, now):
    from flask import current_app  # here: register_jobs reads this module's names, a proxy among them would fail

    # Each document's times are read as it is built (a long sheet takes minutes), hence the clock, not ``now``.
    return documents.build_queued(
        db.engine, now=utcnow, instance_path=current_app.instance_path, kinds=documents.documents.all()
    )


@scheduled("core.prune_documents", "cron", _l("Delete built documents past their retention"), hour=3, minute=50)
def prune_documents(session, now):
    from flask import current_app

    return documents.prune(session, now, instance_path=current_app.instance_path)


@scheduled("core.sweep_uploads", "cron", _l("Delete uploaded files no record names any more"), hour=4, minute=10)
def sweep_uploads(session, now):
    from flask import current_app

    from .uploads import sweep

    count = sweep(session, current_app.instance_path, now=now)
    return JobResult(changed=count, message=_l("%(count)s unused files deleted", count=count))
