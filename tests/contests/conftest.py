"""A quiz to test with: an online contest, a bank spread over topics and difficulties, an open round, and a quick
way to make participants and attempts with given answers."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest

from app.models import Unit
from contests.models import (
    AttemptAnswer,
    AttemptQuestion,
    Contest,
    Participant,
    Question,
    QuestionOption,
    QuizAttempt,
    QuizRound,
    QuizTopic,
)

NOW = datetime(2027, 10, 4, 2, 0, tzinfo=UTC)  # 09:00 in Hồ Chí Minh City
SECRET = "khoa-bi-mat-kiem-thu"  # noqa: S105 (tests only)


@dataclass
class Quiz:
    session: object
    contest: Contest
    round: QuizRound
    ward: Unit
    questions: list[Question] = field(default_factory=list)
    _phones: int = 0

    def participant(self, name: str = "Nguyễn Văn An", **fields) -> Participant:
        self._phones += 1
        phone = fields.pop("phone", f"09{self._phones:08d}")
        person = Participant(
            contest_id=self.contest.id,
            full_name=name,
            phone=phone,
            phone_hash=f"hash-{phone}",
            phone_last4=phone[-4:],
            ward_unit_id=fields.pop("ward_unit_id", self.ward.id),
            birth_year=1990,
            consent_at=NOW,
            return_token=f"token-{phone}",
            **fields,
        )
        self.session.add(person)
        self.session.flush()
        return person

    def attempt(
        self,
        *,
        correct: int,
        total: int | None = None,
        taken_s: float | None = None,
        prediction: int | None = None,
        submitted_s: float | None = None,
        started: datetime = NOW,
        person: Participant | None = None,
        round: QuizRound | None = None,
        number: int = 1,
    ) -> QuizAttempt:
        """An attempt whose first ``correct`` of ``total`` questions were answered right (the rest wrong)."""
        quiz_round = round or self.round
        total = quiz_round.question_count if total is None else total
        person = person or self.participant()
        attempt = QuizAttempt(
            round_id=quiz_round.id,
            participant_id=person.id,
            number=number,
            seed=1,
            question_total=total,
            started_at=started,
            deadline_at=started + timedelta(seconds=quiz_round.time_limit_seconds),
            submitted_at=started + timedelta(seconds=submitted_s) if submitted_s is not None else None,
            last_answer_at=started + timedelta(seconds=taken_s) if taken_s is not None else None,
            time_taken_ms=int(taken_s * 1000) if taken_s is not None else None,
            prediction=prediction,
            prize_tied=False,
            disqualification_reason="",
        )
        self.session.add(attempt)
        self.session.flush()
        for position, question in enumerate(self.questions[:total], start=1):
            right = position <= correct
            self.session.add(
                AttemptQuestion(
                    attempt_id=attempt.id,
                    position=position,
                    question_id=question.id,
                    option_order=[o.id for o in question.options],
                )
            )
            chosen = [o.id for o in question.options if o.is_correct == right][:1]
            self.session.add(
                AttemptAnswer(
                    attempt_id=attempt.id,
                    question_id=question.id,
                    chosen_option_ids=chosen,
                    is_correct=right,
                    saved_at=started + timedelta(seconds=(taken_s or total) * position / total),
                )
            )
        self.session.flush()
        return attempt


def add_bank(session, contest: Contest, spread: dict[tuple[str, str], int], *, multiple_every: int = 0):
    """Questions per (topic name, difficulty); every ``multiple_every``-th one is a multiple-answer question
    (options 1 and 3 correct), the others single-answer (option 2 correct)."""
    questions, n = [], 0
    for (topic_name, difficulty), count in spread.items():
        topic = session.query(QuizTopic).filter_by(name=topic_name).one_or_none()
        if topic is None:
            topic = QuizTopic(name=topic_name)
            session.add(topic)
            session.flush()
        for _ in range(count):
            n += 1
            multiple = bool(multiple_every) and n % multiple_every == 0
            keys = {1, 3} if multiple else {2}
            question = Question(
                contest_id=contest.id,
                topic_id=topic.id,
                difficulty=difficulty,
                text=f"Câu hỏi {n} ({topic_name}, {difficulty})",
                multiple=multiple,
                explanation=f"Giải thích câu {n}",
                source="Cẩm nang phòng chống lừa đảo trực tuyến",
                options=[QuestionOption(position=p, text=f"Phương án {p}", is_correct=p in keys) for p in range(1, 5)],
            )
            session.add(question)
            questions.append(question)
    session.flush()
    return questions


@pytest.fixture
def quiz(session):
    ward = Unit(name="Phường Uyên Hưng", kind="ward")
    session.add(ward)
    contest = Contest(title="An toàn thông tin", kind="online_quiz", is_published=True)
    session.add(contest)
    session.flush()
    questions = add_bank(
        session,
        contest,
        {("Tin nhắn lừa đảo", "easy"): 4, ("Tin nhắn lừa đảo", "hard"): 2, ("Mật khẩu", "medium"): 4},
        multiple_every=5,
    )
    quiz_round = QuizRound(
        contest_id=contest.id,
        title="Tuần 1",
        position=1,
        opens_at=NOW - timedelta(hours=1),
        closes_at=NOW + timedelta(days=7),
        question_count=5,
        time_limit_seconds=600,
        grace_seconds=15,
        state="open",
    )
    session.add(quiz_round)
    session.flush()
    return Quiz(session=session, contest=contest, round=quiz_round, ward=ward, questions=questions)


@pytest.fixture
def organizer(client, sign_in, quiz):
    """The test client signed in as the quiz's organizer (each module's ``quiz`` fixture); returns the client."""
    sign_in(client, quiz.organizer_id)
    return client
