from datetime import UTC, date, datetime
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select, text

from app import scheduler
from app.extensions import db
from app.models import AuditEntry, JobRun, JobState
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


# --- rounds open and close under load, every per-minute job due in the same second (issue 22, item 1) ------------


def _compressed_jobs(start: datetime) -> dict:
    """Every interval job every second from the same instant: what a minute of the real schedule does, with every
    job due in the same second, compressed into a few seconds."""
    from dataclasses import replace

    return {
        job_id: replace(spec, trigger_args={"seconds": 1, "start_date": start}) if spec.trigger == "interval" else spec
        for job_id, spec in scheduler.JOBS.items()
    }


def _serve(app):
    """The app over real HTTP in threads, like ``live_server`` but for an app built with its own settings."""
    import threading

    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def test_a_round_opens_and_closes_under_load_with_every_job_due_at_once(make_app, monkeypatch):
    import threading
    import time
    from datetime import timedelta

    import requests

    from app.models import utcnow
    from contests.models import QuizRound, RoundState
    from tests.contests import records

    app = make_app(QUIZ_PARTICIPANT_RATE_LIMIT="100000 per minute", QUIZ_ANSWER_RATE_LIMIT="100000 per minute")
    server = _serve(app)
    live_server = f"http://127.0.0.1:{server.server_port}"
    quiz = records.world(app)
    now = utcnow()
    with app.app_context():
        upcoming = QuizRound(
            contest_id=quiz.contest_id, title="Tuần 3", position=3, opens_at=now + timedelta(seconds=3),
            closes_at=now + timedelta(seconds=7), grace_seconds=0, state=RoundState.SCHEDULED, question_count=4,
            time_limit_seconds=900,
        )  # fmt: skip
        db.session.add(upcoming)
        db.session.commit()
        round_id = upcoming.id
    monkeypatch.setattr(scheduler, "JOBS", _compressed_jobs((now + timedelta(seconds=1)).replace(microsecond=0)))

    stop, statuses = threading.Event(), []

    def visitor(n: int) -> None:
        # Pages read and answers written all along, as a round's opening brings them.
        with requests.Session() as http:
            while not stop.is_set():
                save = http.post(
                    f"{live_server}/contests/api/me/{quiz.token}/rounds/{quiz.open_round_id}/answers",
                    json={"position": 1, "options": [quiz.first_options[n % len(quiz.first_options)]]},
                    timeout=30,
                )
                page = http.get(f"{live_server}/contests/{quiz.contest_id}", timeout=30)
                statuses.extend([save.status_code, page.status_code])

    visitors = [threading.Thread(target=visitor, args=(n,)) for n in range(3)]
    for thread in visitors:
        thread.start()
    assert scheduler.start(app)
    try:
        deadline = time.monotonic() + 25
        while time.monotonic() < deadline:
            with app.app_context():
                state = db.session.scalar(select(QuizRound.state).where(QuizRound.id == round_id))
                db.session.remove()
            if state == RoundState.CLOSED:
                break
            time.sleep(0.2)  # waiting for the scheduler's own clock, not ordering a race
    finally:
        scheduler.shutdown()
        stop.set()
        for thread in visitors:
            thread.join(timeout=30)
        server.shutdown()
    with app.app_context():
        closed = db.session.get(QuizRound, round_id)
        failures = db.session.execute(select(JobRun.job_id, JobRun.message).where(JobRun.ok.is_(False))).all()
        assert closed.opened_at is not None and closed.state == RoundState.CLOSED, failures
        assert failures == []
    assert statuses and all(status < 500 for status in statuses)


# --- a busy database, failures made visible (issue 22, item 1) ----------------------------------------------------


def _locked() -> Exception:
    import sqlite3

    from sqlalchemy.exc import OperationalError

    return OperationalError("UPDATE quiz_rounds SET state=?", {}, sqlite3.OperationalError("database is locked"))


@pytest.fixture
def flaky_job():
    """``flaky_job(outcomes)``: registers ``test.flaky``, whose runs raise or return the given outcomes in turn."""
    registered = []

    def register(outcomes: list):
        calls = []

        @scheduler.scheduled("test.flaky", "interval", "", minutes=1)
        def flaky(session, now):
            calls.append(now)
            outcome = outcomes[min(len(calls), len(outcomes)) - 1]
            if isinstance(outcome, Exception):
                raise outcome
            session.add(_plan("published", date(2024, 10, 31)))
            return scheduler.JobResult(changed=1, message="ok")

        scheduler.register_jobs(SimpleNamespace(flaky=flaky))
        registered.append("test.flaky")
        return calls

    yield register
    for job_id in registered:
        scheduler.JOBS.pop(job_id, None)


def test_a_job_that_meets_a_locked_database_runs_again_within_its_minute(app, flaky_job, monkeypatch):
    pauses = []
    monkeypatch.setattr(scheduler, "_sleep", pauses.append)
    calls = flaky_job([_locked(), _locked(), "ok"])
    with app.app_context():
        result = scheduler.run_job_now("test.flaky", retry_for=scheduler.RETRY_SECONDS, commit=True)
        assert result.ok and len(calls) == 3 and pauses == [0.25, 0.5]
        # Only the run that went through is recorded, and its work is there once.
        assert db.session.execute(select(JobRun.ok, JobRun.changed)).all() == [(True, 1)]
        assert db.session.scalar(select(func.count()).select_from(Plan)) == 1
        assert db.session.get(JobState, "test.flaky").failures_in_a_row == 0


def test_a_database_locked_past_the_minute_is_recorded_as_a_failure(app, flaky_job, monkeypatch):
    clock = iter(range(0, 1000, 10))  # each look at the clock: 10 s later
    monkeypatch.setattr(scheduler, "_clock", lambda: next(clock))
    monkeypatch.setattr(scheduler, "_sleep", lambda seconds: None)
    calls = flaky_job([_locked()])
    with app.app_context():
        result = scheduler.run_job_now("test.flaky", retry_for=scheduler.RETRY_SECONDS, commit=True)
        assert not result.ok and "database is locked" in result.message
        assert 1 < len(calls) <= 5  # tried again, and gave up within its minute
        state = db.session.get(JobState, "test.flaky")
        assert state.failures_in_a_row == 1 and "database is locked" in state.last_error


def test_the_last_failure_stays_visible_after_a_success(app, client, flaky_job, make_user, login):
    flaky_job([ValueError("máy chủ SMS không trả lời"), ValueError("máy chủ SMS không trả lời"), "ok"])
    with app.app_context():
        first = scheduler.run_job_now("test.flaky", now=datetime(2026, 10, 1, 1, 0, tzinfo=UTC), commit=True)
        scheduler.run_job_now("test.flaky", now=datetime(2026, 10, 1, 1, 1, tzinfo=UTC), commit=True)
        state = db.session.get(JobState, "test.flaky")
        assert not first.ok and state.failures_in_a_row == 2
        assert state.last_failure_at == datetime(2026, 10, 1, 1, 1, tzinfo=UTC)
        assert state.last_error == "ValueError: máy chủ SMS không trả lời"
    login(make_user("admin"))
    page = client.get("/admin/jobs?lang=en").get_data(as_text=True)
    assert "Lần lỗi gần nhất:" in page and "01/10/2026 08:01" in page and "2 lần lỗi liên tiếp" in page
    assert "ValueError: máy chủ SMS không trả lời" in page
    with app.app_context():
        assert scheduler.run_job_now("test.flaky", now=datetime(2026, 10, 1, 1, 2, tzinfo=UTC), commit=True).ok
        state = db.session.get(JobState, "test.flaky")
        assert state.failures_in_a_row == 0 and state.last_success_at == datetime(2026, 10, 1, 1, 2, tzinfo=UTC)
    page = client.get("/admin/jobs?lang=en").get_data(as_text=True)
    assert "01/10/2026 08:01" in page and "in a row" not in page  # the failure is still shown, with its time


def test_health_reports_a_job_that_failed_three_times_in_a_row(app, client, flaky_job):
    flaky_job([ValueError("hỏng")] * 3 + ["ok"])
    bodies = []
    with app.app_context():
        for _ in range(4):
            scheduler.run_job_now("test.flaky", commit=True)
            response = client.get("/healthz")
            assert response.status_code == 200
            bodies.append(response.get_json())
    assert [body["status"] for body in bodies] == ["ok", "ok", "degraded", "ok"]
    assert bodies[2]["checks"]["jobs"] == {"status": "failing", "failing": ["test.flaky"]}
    assert bodies[2]["checks"]["database"] == {"status": "ok"}
    assert bodies[3]["checks"]["jobs"] == {"status": "ok"}


def test_scheduler_list_shows_the_last_failure_with_its_time_and_error(app, flaky_job):
    flaky_job([ValueError("database is gone"), "ok"])
    with app.app_context():
        scheduler.run_job_now("test.flaky", now=datetime(2026, 10, 1, 1, 0, tzinfo=UTC), commit=True)
    output = app.test_cli_runner().invoke(args=["scheduler", "list"]).output
    line = next(line for line in output.splitlines() if line.startswith("test.flaky"))
    assert "FAILED" in line
    assert "last failure: 2026-10-01T01:00:00+00:00, 1 in a row: ValueError: database is gone" in output
    with app.app_context():
        scheduler.run_job_now("test.flaky", now=datetime(2026, 10, 1, 1, 1, tzinfo=UTC), commit=True)
    output = app.test_cli_runner().invoke(args=["scheduler", "list"]).output
    assert "last failure: 2026-10-01T01:00:00+00:00: ValueError: database is gone" in output


def test_a_job_every_few_seconds_keeps_history_only_of_runs_that_did_something(app):
    # The fast outbox lane runs every 5 s: an idle run updates its state, not the history (17,000 rows a day).
    with app.app_context():
        for _ in range(3):
            assert scheduler.run_job_now("core.send_fast_messages", commit=True).ok
        assert db.session.scalar(select(func.count()).select_from(JobRun)) == 0
        assert db.session.get(JobState, "core.send_fast_messages").last_success_at is not None
        # A job that keeps every run (the minute's sender) still leaves one row per run.
        scheduler.run_job_now("core.send_messages", commit=True)
        assert db.session.scalars(select(JobRun.job_id)).all() == ["core.send_messages"]
