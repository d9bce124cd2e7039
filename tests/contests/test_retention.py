"""Retention of participants' personal data: a year (QUIZ_RETENTION_DAYS) after a contest's last round closed,
names, phones and e-mails are erased; wards, years of birth, scores and ranks stay; one audit entry per contest;
a second run changes nothing."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from app import cache
from app.models import AuditEntry, OutboxMessage
from contests import PUBLIC_CACHE, jobs
from contests.models import Contest, Participant, QuizAttempt, QuizRound
from contests.services.participants import retention

from .conftest import NOW


def _closed_contest(quiz):
    """The fixture's round taken by two participants (one by e-mail) and closed by the job, which queues the
    "results are out" messages; returns the two participants and the moment the round closed."""
    first = quiz.attempt(correct=5, prediction=1, taken_s=300, submitted_s=300)
    second = quiz.attempt(
        correct=3, prediction=1, taken_s=300, submitted_s=300, person=quiz.participant(email="an@example.vn")
    )
    closed = quiz.round.closes_at + timedelta(seconds=16)
    assert jobs.close_rounds(quiz.session, closed).changed == 1
    return first.participant, second.participant, closed


def _other_contest(quiz, closed_at):
    contest = Contest(title="Tìm hiểu chuyển đổi số", kind="online_quiz", is_published=True)
    quiz.session.add(contest)
    quiz.session.flush()
    quiz.session.add(
        QuizRound(
            contest_id=contest.id, title="Vòng 1", position=1, opens_at=closed_at - timedelta(days=7),
            closes_at=closed_at, closed_at=closed_at, question_count=5, time_limit_seconds=600, state="closed",
        )
    )  # fmt: skip
    person = Participant(
        contest_id=contest.id, full_name="Trần Văn Bình", phone="0977000111", phone_hash="hash-0977000111",
        phone_last4="0111", ward_unit_id=quiz.ward.id, birth_year=1975, consent_at=NOW, return_token="token-binh",
    )  # fmt: skip
    quiz.session.add(person)
    quiz.session.flush()
    return contest, person


def _audit(session):
    return session.scalars(select(AuditEntry).where(AuditEntry.action == "erase").order_by(AuditEntry.id)).all()


def test_a_year_after_the_last_round_closed_participants_are_erased_but_their_results_stay(quiz):
    first, second, closed = _closed_contest(quiz)
    other, later = _other_contest(quiz, closed + timedelta(days=100))
    ranks_before = dict(quiz.session.execute(select(QuizAttempt.participant_id, QuizAttempt.rank)).all())
    scores_before = dict(quiz.session.execute(select(QuizAttempt.participant_id, QuizAttempt.score)).all())
    assert quiz.session.scalar(select(func.count(OutboxMessage.id))) == 2
    phones = [first.phone, second.phone]

    just_before = closed + timedelta(days=365) - timedelta(seconds=1)
    assert retention.erase_expired_participants(quiz.session, just_before, retention_days=365).changed == 0
    kept_pages = cache.version(quiz.session, PUBLIC_CACHE)
    result = retention.erase_expired_participants(quiz.session, closed + timedelta(days=365), retention_days=365)
    assert result.changed == 2
    assert cache.version(quiz.session, PUBLIC_CACHE) > kept_pages  # the kept results pages drop the names too
    quiz.session.expire_all()

    for person in (first, second):
        erased = quiz.session.get(Participant, person.id)
        assert (erased.full_name, erased.phone, erased.phone_last4, erased.email) == ("", "", "", None)
        assert erased.phone_hash.startswith("erased:") and erased.cccd_hash is None and erased.device_hash is None
        assert (erased.ward_unit_id, erased.birth_year) == (quiz.ward.id, 1990)
    assert dict(quiz.session.execute(select(QuizAttempt.participant_id, QuizAttempt.rank)).all()) == ranks_before
    assert dict(quiz.session.execute(select(QuizAttempt.participant_id, QuizAttempt.score)).all()) == scores_before
    assert quiz.session.scalar(select(func.count(OutboxMessage.id))) == 0  # the queued names and numbers too
    # The other contest closed later: its participant is kept until its own year is over.
    assert quiz.session.get(Participant, later.id).full_name == "Trần Văn Bình"

    (entry,) = _audit(quiz.session)
    assert (entry.entity, entry.entity_id, entry.changes["count"]) == ("Participant", f"contest:{quiz.contest.id}", 2)
    assert not any(phone in str(entry.changes) for phone in phones) and "Nguyễn" not in str(entry.changes)

    # Idempotent: the next night finds nobody left in the first contest and writes nothing.
    again = retention.erase_expired_participants(quiz.session, closed + timedelta(days=366), retention_days=365)
    assert again.changed == 0 and len(_audit(quiz.session)) == 1

    result = retention.erase_expired_participants(quiz.session, closed + timedelta(days=465), retention_days=365)
    assert result.changed == 1
    assert [e.entity_id for e in _audit(quiz.session)] == [f"contest:{quiz.contest.id}", f"contest:{other.id}"]


def test_a_contest_with_a_round_still_to_come_is_not_erased(quiz):
    _first, _second, closed = _closed_contest(quiz)
    quiz.session.add(
        QuizRound(
            contest_id=quiz.contest.id, title="Tuần 2", position=2, opens_at=closed + timedelta(days=400),
            closes_at=closed + timedelta(days=407), question_count=5, time_limit_seconds=600, state="scheduled",
        )
    )  # fmt: skip
    quiz.session.flush()
    later = closed + timedelta(days=370)
    assert retention.contests_past_retention(quiz.session, later, retention_days=365) == []
    assert retention.erase_expired_participants(quiz.session, later, retention_days=365).changed == 0


def test_the_job_reads_the_retention_from_the_configuration(quiz, app):
    first, _second, closed = _closed_contest(quiz)
    app.config["QUIZ_RETENTION_DAYS"] = 30
    assert jobs.erase_participants(quiz.session, closed + timedelta(days=29)).changed == 0
    assert jobs.erase_participants(quiz.session, closed + timedelta(days=30)).changed == 2
    quiz.session.expire_all()
    assert quiz.session.get(Participant, first.id).phone == ""


def test_the_default_retention_is_a_year(app):
    assert app.config["QUIZ_RETENTION_DAYS"] == 365
