"""Documents built in the background (app/documents.py) with a made-up kind: progress, a failure recorded,
one address per kind, expiry; and migration 0015 carrying check-in's badge jobs over."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, timedelta

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from app import documents
from app.extensions import db
from app.models import DocumentJob
from events.models import Activity, Plan

NOW = datetime(2025, 3, 1, 2, 0, tzinfo=UTC)


def _note(fail: bool = False) -> documents.DocumentKind:
    def build(session, job, progress):
        progress.start(4)
        for _ in range(4):
            progress(1)
        if fail:
            raise RuntimeError("no ink")
        return f"note {job.subject_id}".encode()

    return documents.DocumentKind(
        key="test.note", build=build, keep=timedelta(days=2), content_type="text/plain", extension="txt"
    )


def test_a_registered_kind_is_built_kept_found_by_its_kind_only_and_expires(app):
    with app.app_context():
        job = documents.request(db.session, "test.note", 7, user_id=None, now=NOW)
        assert documents.request(db.session, "test.note", 7, user_id=None, now=NOW).id == job.id
        db.session.commit()
        result = documents.build_queued(db.engine, now=lambda: NOW, instance_path=app.instance_path, kinds={})
        assert result.changed == 0  # a kind nobody registered waits
        kinds = {"test.note": _note()}
        assert documents.build_queued(db.engine, now=lambda: NOW, instance_path=app.instance_path, kinds=kinds).changed
        db.session.expire_all()
        built = db.session.get(DocumentJob, job.id)
        assert (built.state, built.done, built.total, built.percent, built.busy) == ("done", 4, 4, 100, False)
        assert built.expires_at == NOW + timedelta(days=2) and built.content_type == "text/plain"
        path = documents.job_path(app.instance_path, built)
        assert path == os.path.join(app.instance_path, "documents", f"document-7-{job.id}.txt")
        with open(path, "rb") as handle:
            assert handle.read() == b"note 7"
        assert documents.find(db.session, "test.note", job.id).id == job.id
        assert documents.find(db.session, "checkin.badges", job.id) is None  # another kind's address: not found
        assert documents.prune(db.session, NOW + timedelta(days=1), instance_path=app.instance_path).changed == 0
        assert documents.prune(db.session, NOW + timedelta(days=3), instance_path=app.instance_path).changed == 1
        db.session.commit()
        assert not os.path.exists(path) and db.session.get(DocumentJob, job.id) is None


def test_a_failed_build_is_recorded_and_expires_too(app):
    with app.app_context():
        job = documents.request(db.session, "test.note", 1, user_id=None, now=NOW)
        db.session.commit()
        with pytest.raises(RuntimeError):
            documents.build_job(db.engine, job.id, now=lambda: NOW, instance_path=app.instance_path, kind=_note(True))
        db.session.expire_all()
        failed = db.session.get(DocumentJob, job.id)
        assert (failed.state, failed.error, failed.file_name) == ("failed", "RuntimeError: no ink", None)
        assert failed.expires_at == NOW + timedelta(days=2)


def test_migration_0015_carries_badge_jobs_over_and_back(app):
    with app.app_context():
        plan = Plan(title="K", status="published", period_start=date(2024, 9, 1), period_end=date(2024, 10, 31))
        activity = Activity(plan=plan, title="A", kind="festival", starts_at=NOW, ends_at=NOW + timedelta(hours=1))
        db.session.add_all([plan, activity])
        db.session.commit()
        activity_id = activity.id
        db.session.remove()
        downgrade(revision="0014_checkin_scan_trust")
        with db.engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO badge_jobs (id, activity_id, state, total, done, file_name, error, created_at,"
                    " finished_at) VALUES (5, :activity, 'done', 23, 23, 'badges-3-5.pdf', '', :now, :now)"
                ),
                {"now": NOW, "activity": activity_id},
            )
        upgrade()
        db.session.remove()
        job = db.session.get(DocumentJob, 5)
        assert (job.kind, job.subject_id, job.state, job.total, job.file_name) == (
            "checkin.badges", activity_id, "done", 23, "badges/badges-3-5.pdf"
        )  # fmt: skip
        assert job.expires_at == NOW + timedelta(days=7)
        fresh = documents.request(db.session, "checkin.badges", activity_id, user_id=None, now=NOW)
        db.session.commit()
        fresh_id = fresh.id
        assert fresh_id > 5  # PostgreSQL's sequence follows the copied ids
        db.session.remove()
        downgrade(revision="0014_checkin_scan_trust")
        with db.engine.connect() as conn:
            rows = conn.execute(text("SELECT id, activity_id, file_name FROM badge_jobs ORDER BY id")).all()
        assert [tuple(row) for row in rows] == [(5, activity_id, "badges-3-5.pdf"), (fresh_id, activity_id, None)]
        upgrade()
