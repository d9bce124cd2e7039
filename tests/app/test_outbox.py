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
