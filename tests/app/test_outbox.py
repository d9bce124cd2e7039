"""The outbox's batch enqueue (a round's "results are out" for every participant): each message once, whatever
was queued before; payload, times and recipients kept exactly, on SQLite and on PostgreSQL (whose batches go as
one JSON document through json_to_recordset)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from app import outbox
from app.models import OutboxMessage

NOW = datetime(2026, 10, 10, 7, 30, tzinfo=UTC)


def _message(n: int, **payload) -> outbox.Outgoing:
    return outbox.Outgoing(
        to=outbox.recipients(email=f"nguoi{n}@example.vn" if n % 2 else None, phone=f"09120000{n:02d}"),
        payload={"name": f"Nguyễn Thị Ánh {n}", "round_title": "Tuần 1 “An toàn”", **payload},
        locale="vi" if n % 3 else "en",
        dedupe_key=f"quiz-results:7:{n}",
        subject_ref=f"Participant:{n}",
    )


def test_a_batch_is_queued_once_with_everything_kept(session):
    assert outbox.enqueue_many(session, "quiz_results", [_message(1)], now=NOW) == 1
    written = outbox.enqueue_many(session, "quiz_results", [_message(n, nested={"a": [1, 2]}) for n in range(1, 6)],
                                  now=NOW)  # fmt: skip
    assert written == 4  # number 1 was queued already: skipped, not doubled
    assert outbox.enqueue_many(session, "quiz_results", [_message(n) for n in range(1, 6)], now=NOW) == 0
    rows = session.scalars(select(OutboxMessage).order_by(OutboxMessage.dedupe_key)).all()
    assert [m.dedupe_key for m in rows] == [f"quiz-results:7:{n}:{c}" for n in range(1, 6) for c in
                                            (("email",) if n % 2 else ("sms",))]  # fmt: skip
    fifth = rows[-1]
    assert fifth.payload == {"name": "Nguyễn Thị Ánh 5", "round_title": "Tuần 1 “An toàn”", "nested": {"a": [1, 2]}}
    assert (fifth.channel, fifth.recipient, fifth.locale, fifth.subject_ref) == (
        "email", "nguoi5@example.vn", "vi", "Participant:5")  # fmt: skip
    assert (fifth.state, fifth.attempts, fifth.last_error) == ("pending", 0, "")
    assert fifth.next_attempt_at == NOW and fifth.created_at == NOW


def test_the_fast_lane_has_its_own_job_every_few_seconds_and_the_normal_job_leaves_it_alone(app, caplog):
    """A one-time code must arrive within seconds: its job drains only the fast lane, every 5 s; the minute job
    drains the rest and never waits behind (nor sends) a code."""
    from app import scheduler
    from app.extensions import db
    from app.models import Lane

    fast_spec = scheduler.JOBS["core.send_fast_messages"]
    assert (fast_spec.trigger, fast_spec.trigger_args) == ("interval", {"seconds": 5})
    with app.app_context():
        for lane, phone in ((Lane.NORMAL, "0912000001"), (Lane.FAST, "0912000002")):
            outbox.enqueue(db.session, to=outbox.recipients(email=None, phone=phone), template="quiz_return_code",
                           payload={"code": "482913", "contest_title": "An toàn", "minutes": 5}, locale="vi",
                           now=NOW, dedupe_key=f"lane-{lane}", lane=lane)  # fmt: skip
        db.session.commit()
        with caplog.at_level("INFO", logger="app.outbox"):
            assert scheduler.run_job_now("core.send_fast_messages", NOW).changed == 1
            db.session.commit()
            sent = {m.recipient: m for m in db.session.scalars(select(OutboxMessage))}
            assert (sent["0912000002"].state, sent["0912000001"].state) == ("sent", "pending")
            assert sent["0912000002"].payload == {}  # the code is not kept once sent
            assert scheduler.run_job_now("core.send_messages", NOW).changed == 1
            db.session.commit()
    lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith("SMS to")]
    assert lines[0].startswith("SMS to 0912000002") and "482913" in lines[0]  # the dev log shows the code
    assert lines[1].startswith("SMS to 0912000001")


def test_the_outbox_jobs_report_in_the_reader_s_language(app):
    """The jobs page shows "0 sent, 0 failed" translated: the jobs' messages are lazy translations."""
    from flask_babel import LazyString, force_locale

    from app.extensions import db

    with app.app_context():
        sent = outbox.send_due(db.engine, NOW)
        pruned = outbox.prune_sent(db.session, NOW)
        assert isinstance(sent.message, LazyString) and isinstance(pruned.message, LazyString)
        with app.test_request_context(), force_locale("en"):
            assert (str(sent.message), str(pruned.message)) == ("0 sent, 0 failed", "0 old messages removed")
