from datetime import UTC, date, datetime
from types import SimpleNamespace

import pytest
from sqlalchemy import select, text

from app import scheduler
from app.extensions import db
from app.models import AuditEntry, JobRun
from events.models import Plan


def _plan(status: str, period_end: date) -> Plan:
    return Plan(
        title="Kế hoạch thử",
        number=f"{period_end.isoformat()}/{status}",
        period_start=date(2024, 9, 15),
        period_end=period_end,
        status=status,
    )


def test_every_job_has_a_fixed_id_in_one_list(app):
    assert "core.prune_job_runs" in scheduler.job_ids()
    assert "events.close_finished_plans" in scheduler.job_ids()


def test_closing_finished_plans_is_idempotent_and_audited(app):
    with app.app_context():
        db.session.add_all(
            [
                _plan("published", date(2024, 10, 31)),
                _plan("published", date(2024, 11, 30)),
                _plan("draft", date(2024, 10, 1)),
            ]
        )
        db.session.commit()
        # 01/11/2024 00:30 in Hồ Chí Minh City is still 31/10 in UTC: the local date decides.
        now = datetime(2024, 10, 31, 17, 30, tzinfo=UTC)
        first = scheduler.run_job_now("events.close_finished_plans", now)
        db.session.commit()
        second = scheduler.run_job_now("events.close_finished_plans", now)
        db.session.commit()
        assert (first.changed, second.changed) == (1, 0)
        statuses = dict(db.session.execute(select(Plan.number, Plan.status)).all())
        assert statuses == {
            "2024-10-31/published": "closed",
            "2024-11-30/published": "published",
            "2024-10-01/draft": "draft",
        }
        audit = db.session.scalars(
            select(AuditEntry).where(AuditEntry.entity == "Plan", AuditEntry.action == "update")
        ).all()
        assert len(audit) == 1 and audit[0].actor_id is None and audit[0].changes["status"] == ["published", "closed"]
        runs = db.session.scalars(select(JobRun).order_by(JobRun.id)).all()
        assert [(r.job_id, r.ok, r.changed) for r in runs] == [
            ("events.close_finished_plans", True, 1),
            ("events.close_finished_plans", True, 0),
        ]


def test_a_failing_job_is_recorded_and_changes_nothing(app):
    @scheduler.scheduled("test.broken", "interval", "", hours=1)
    def broken(session, now):
        session.add(_plan("published", date(2024, 1, 1)))
        session.flush()
        raise ValueError("dữ liệu hỏng")

    scheduler.register_jobs(SimpleNamespace(broken=broken))
    try:
        with app.app_context():
            result = scheduler.run_job_now("test.broken")
            db.session.commit()
            assert not result.ok and "dữ liệu hỏng" in result.message
            assert db.session.scalar(select(Plan.id)) is None
            assert db.session.scalar(select(JobRun.ok).where(JobRun.job_id == "test.broken")) is False
    finally:
        scheduler.JOBS.pop("test.broken")


def test_admin_page_shows_last_and_next_run_and_runs_a_job(app, client, make_user, login):
    login(make_user("admin"))
    page = client.get("/admin/jobs").get_data(as_text=True)
    assert "events.close_finished_plans" in page and "chưa chạy lần nào" in page
    assert "bộ lập lịch chưa khởi động" in page
    started = scheduler.start(app)  # one process holds the scheduler; jobs land in the database job store
    try:
        assert started
        assert scheduler.start(app) is False  # a second starter steps aside
        page = client.get("/admin/jobs").get_data(as_text=True)
        assert "bộ lập lịch chưa khởi động" not in page
    finally:
        scheduler.shutdown()
    with app.app_context():
        statuses = {s["spec"].id: s for s in scheduler.job_statuses()}
    assert statuses["core.prune_job_runs"]["next_run"] is not None
    assert statuses["core.prune_job_runs"]["next_run"].tzinfo is not None
    response = client.post("/admin/jobs", data={"job_id": "core.prune_job_runs"}, follow_redirects=True)
    assert response.status_code == 200
    with app.app_context():
        assert db.session.scalar(select(JobRun.job_id)) == "core.prune_job_runs"
    assert client.post("/admin/jobs", data={"job_id": "khong-co"}).status_code == 404


def test_a_plan_reopened_on_purpose_is_not_closed_again(app):
    from events.services import plans

    with app.app_context():
        plan = _plan("published", date(2024, 10, 31))
        db.session.add(plan)
        db.session.commit()
        now = datetime(2024, 11, 2, tzinfo=UTC)
        assert scheduler.run_job_now("events.close_finished_plans", now).changed == 1
        plans.set_plan_status(plan, "published")  # the organizer reopens it to import late results
        db.session.commit()
        assert scheduler.run_job_now("events.close_finished_plans", now).changed == 0
        assert plan.status == "published"


def test_a_scheduler_that_lost_its_lock_stops_instead_of_running_jobs_twice(app, caplog):
    """On PostgreSQL the lock lives on one connection; when that connection drops, another scheduler may take
    over, so this one must not run another job."""
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("the SQLite file lock cannot be lost while the process lives")
    assert scheduler.start(app)
    try:
        assert scheduler.lock_is_held()
        scheduler.execute("core.prune_job_runs")  # with the lock: runs and is recorded
        with app.app_context():
            assert db.session.scalars(select(JobRun.job_id)).all() == ["core.prune_job_runs"]
            pid = scheduler._state["lock"].execute(text("SELECT pg_backend_pid()")).scalar()
            scheduler._state["lock"].rollback()
            db.session.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
            db.session.commit()
        assert not scheduler.lock_is_held()
        scheduler.execute("core.prune_job_runs")  # without it: not run, and the scheduler stops
        with app.app_context():
            assert len(db.session.scalars(select(JobRun.job_id)).all()) == 1
        assert "scheduler lock lost" in caplog.text
        assert scheduler._state["scheduler"] is None
        assert scheduler.start(app)  # the lock is free again: a (re)started scheduler takes it
    finally:
        scheduler.shutdown()
