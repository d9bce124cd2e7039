"""The online quiz: rounds of a contest, the question bank (topics, versioned questions and their options), the
citizens who take part, their attempts with the questions drawn for them and their saved answers, and the flags
raised for an organizer's review.

What the quiz must never lose or leak is held by the schema itself: one attempt per participant and number
(``uq_quiz_attempts_participant_round_number``), one answer per attempt and question (the primary key), one
participant per phone and per CCCD in a contest (keyed hashes, unique); the CCCD itself is never stored."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models import Audited, LabelledEnum, Unit, User, UTCDateTime, enum_column, utcnow

# No prize below this share of the questions right, whatever the rank: half, unless the round says otherwise.
DEFAULT_PRIZE_MIN_PERCENT = 50


class RoundState(LabelledEnum):
    DRAFT = "draft"
    SCHEDULED = "scheduled"
    OPEN = "open"
    CLOSED = "closed"

    @classmethod
    def _labels(cls):
        return {
            cls.DRAFT: _l("Draft"),
            cls.SCHEDULED: _l("Scheduled"),
            cls.OPEN: _l("Open"),
            cls.CLOSED: _l("Closed"),
        }


# Citizens see a round once it is scheduled; a draft stays with the organizers.
VISIBLE_ROUND_STATES = (RoundState.SCHEDULED, RoundState.OPEN, RoundState.CLOSED)


class Prize(LabelledEnum):
    """The prizes a round hands out, best first (the declaration order is the order of the prize table)."""

    FIRST = "first"
    SECOND = "second"
    THIRD = "third"
    CONSOLATION = "consolation"

    @classmethod
    def _labels(cls):
        return {
            cls.FIRST: _l("First prize"),
            cls.SECOND: _l("Second prize"),
            cls.THIRD: _l("Third prize"),
            cls.CONSOLATION: _l("Consolation prize"),
        }


PRIZE_ORDER = tuple(Prize)  # best first
# How many of each prize a round hands out by default (the rules these contests publish).
DEFAULT_PRIZE_TABLE = {Prize.FIRST: 1, Prize.SECOND: 2, Prize.THIRD: 3, Prize.CONSOLATION: 5}


class Difficulty(LabelledEnum):
    EASY = "easy"
    MEDIUM = "medium"
    HARD = "hard"

    @classmethod
    def _labels(cls):
        return {cls.EASY: _l("Easy"), cls.MEDIUM: _l("Medium"), cls.HARD: _l("Hard")}


class FlagKind(LabelledEnum):
    TOO_FAST = "too_fast"
    IDENTICAL_ANSWERS = "identical_answers"
    SHARED_DEVICE = "shared_device"

    @classmethod
    def _labels(cls):
        return {
            cls.TOO_FAST: _l("Implausibly fast"),
            cls.IDENTICAL_ANSWERS: _l("Same answers and timing as another participant"),
            cls.SHARED_DEVICE: _l("Many identities from one device"),
        }


class QuizRound(Audited, db.Model):
    """A round ("tuần", "kỳ") of an online quiz: open between two times, with its own draw size, time limit,
    attempts per person, prize table and prediction question. Closing freezes its results: the ranks and prizes
    on the attempts and the number of all-correct participants that the prediction tie-break used."""

    __tablename__ = "quiz_rounds"

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contests.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(Integer, default=1)
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime)
    question_count: Mapped[int] = mapped_column(Integer, default=20)
    time_limit_seconds: Mapped[int] = mapped_column(Integer, default=1200)
    # Seconds after an attempt's deadline during which answers sent before it are still accepted (the network).
    grace_seconds: Mapped[int] = mapped_column(Integer, default=15)
    attempts_allowed: Mapped[int] = mapped_column(Integer, default=1)
    prize_table: Mapped[dict] = mapped_column(JSON, default=lambda: dict(DEFAULT_PRIZE_TABLE))
    # A prize needs at least this percentage of the attempt's questions right (a 0/5 entrant wins nothing).
    prize_min_percent: Mapped[int] = mapped_column(Integer, default=DEFAULT_PRIZE_MIN_PERCENT, server_default="50")
    # The round's own pool: the topics it draws from (empty: every topic of the bank). Read with the round, so a
    # start that draws needs no query more; weekly rounds ("Tuần 1", "Tuần 2", …) each get their own topics.
    pool_topic_ids: Mapped[list[int]] = mapped_column(JSON, default=list, server_default="[]")
    asks_prediction: Mapped[bool] = mapped_column(default=True)
    state: Mapped[RoundState] = mapped_column(enum_column(RoundState, 10), default=RoundState.DRAFT, index=True)
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Frozen at close: the actual number of participants who answered every question right, and how many ranked.
    all_correct_count: Mapped[int | None] = mapped_column(Integer)
    ranked_count: Mapped[int | None] = mapped_column(Integer)
    # When the flags job (or an organizer's "detect now") last looked at the round's attempts: a round closed
    # since then is due for a last look, an open one every few minutes.
    flags_checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    contest = relationship("Contest")

    __table_args__ = (UniqueConstraint("contest_id", "position", name="uq_quiz_rounds_contest_position"),)

    def __repr__(self) -> str:
        return f"<QuizRound {self.id} {self.title!r} {self.state}>"

    @hybrid_property
    def is_closed(self) -> bool:
        """Its results are frozen and public: rank, prize, the correct answers and explanations may be shown."""
        return self.state == RoundState.CLOSED

    @property
    def is_upcoming(self) -> bool:
        """Not opened yet (scheduled, or a draft): its page says when it opens."""
        return self.state in (RoundState.DRAFT, RoundState.SCHEDULED)

    @hybrid_property
    def is_visible(self) -> bool:
        """Citizens may see it (on its contest's page, to take it, its results): scheduled, open or closed."""
        return self.state in VISIBLE_ROUND_STATES

    @is_visible.inplace.expression
    @classmethod
    def _is_visible_expression(cls):
        return cls.state.in_(VISIBLE_ROUND_STATES)

    def accepts_attempts(self, now: datetime) -> bool:
        """A participant may start (or go on with) an attempt at ``now``."""
        return self.state == RoundState.OPEN and self.opens_at <= now < self.closes_at

    def prize_min_score(self, question_total: int) -> int:
        """The fewest right answers out of ``question_total`` that may win a prize (rounded up)."""
        return -(-(self.prize_min_percent or 0) * question_total // 100)

    @property
    def prizes(self) -> list[tuple[Prize, int]]:
        """The prize table as (prize, how many) pairs, best prize first; unknown keys are ignored."""
        table = self.prize_table or {}
        return [(prize, int(table.get(prize, 0) or 0)) for prize in PRIZE_ORDER if int(table.get(prize, 0) or 0) > 0]


class QuizTopic(Audited, db.Model):
    __tablename__ = "quiz_topics"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    position: Mapped[int] = mapped_column(Integer, default=0)

    def __repr__(self) -> str:
        return f"<QuizTopic {self.id} {self.name!r}>"


class Question(Audited, db.Model):
    """A question of the bank (a contest's own, or shared when ``contest_id`` is empty). A question that an open
    round has drawn is never edited in place: the edit is a new version, this one ``replaced_by`` it and inactive,
    so attempts keep the exact text and options they were shown and graded on."""

    __tablename__ = "quiz_questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int | None] = mapped_column(ForeignKey("contests.id", ondelete="CASCADE"))
    topic_id: Mapped[int] = mapped_column(ForeignKey("quiz_topics.id", ondelete="RESTRICT"), index=True)
    difficulty: Mapped[Difficulty] = mapped_column(enum_column(Difficulty, 10), default=Difficulty.MEDIUM)
    text: Mapped[str] = mapped_column(Text)
    multiple: Mapped[bool] = mapped_column(default=False)
    explanation: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(500), default="")
    # The picture's stored name (see contests/services/images.py) and its description for screen readers.
    image_path: Mapped[str | None] = mapped_column(String(300))
    image_alt: Mapped[str] = mapped_column(String(300), default="", server_default="")
    version: Mapped[int] = mapped_column(Integer, default=1)
    # Inactive: replaced by a newer version (``replaced_by_id``) or retired by an organizer (no replacement).
    replaced_by_id: Mapped[int | None] = mapped_column(ForeignKey("quiz_questions.id", ondelete="SET NULL"))
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    topic: Mapped[QuizTopic] = relationship()
    options: Mapped[list[QuestionOption]] = relationship(
        back_populates="question", cascade="all, delete-orphan", order_by="QuestionOption.position"
    )
    replaced_by: Mapped[Question | None] = relationship(remote_side=[id])

    __table_args__ = (Index("ix_quiz_questions_bank", "contest_id", "is_active", "topic_id", "difficulty"),)

    def __repr__(self) -> str:
        return f"<Question {self.id} v{self.version}>"

    @property
    def is_retired(self) -> bool:
        """Taken out of the bank by an organizer (not replaced by a newer version): drawn by no round."""
        return not self.is_active and self.replaced_by_id is None

    @property
    def correct_option_ids(self) -> list[int]:
        return sorted(option.id for option in self.options if option.is_correct)


class PublishedQuestion(db.Model):
    """A question whose answer and explanation a closed round of the contest has published (every question drawn
    in any of its attempts): never drawn again in that contest. Written when the round closes; a new version of
    the question inherits it (the same answer, reworded)."""

    __tablename__ = "quiz_published_questions"

    contest_id: Mapped[int] = mapped_column(ForeignKey("contests.id", ondelete="CASCADE"), primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("quiz_questions.id", ondelete="CASCADE"), primary_key=True)
    round_id: Mapped[int | None] = mapped_column(ForeignKey("quiz_rounds.id", ondelete="SET NULL"))


class QuestionOption(Audited, db.Model):
    __tablename__ = "quiz_options"

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("quiz_questions.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(String(1000))
    is_correct: Mapped[bool] = mapped_column(default=False)

    question: Mapped[Question] = relationship(back_populates="options")

    __table_args__ = (UniqueConstraint("question_id", "position", name="uq_quiz_options_question_position"),)


class Participant(db.Model):
    """A citizen registered for a contest. Identity is the keyed hash (HMAC-SHA256 with the server's secret) of the
    normalised phone and, when given, of the CCCD; only the last 4 digits of the CCCD are kept, for display. The
    phone itself is kept (normalised, 0xxxxxxxxx) to tell the person that results are out."""

    __tablename__ = "quiz_participants"

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contests.id", ondelete="CASCADE"))
    full_name: Mapped[str] = mapped_column(String(120))
    phone: Mapped[str] = mapped_column(String(15))
    phone_hash: Mapped[str] = mapped_column(String(64))
    phone_last4: Mapped[str] = mapped_column(String(4))
    cccd_hash: Mapped[str | None] = mapped_column(String(64))
    cccd_last4: Mapped[str | None] = mapped_column(String(4))
    email: Mapped[str | None] = mapped_column(String(254))
    ward_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="SET NULL"), index=True)
    birth_year: Mapped[int] = mapped_column(Integer)
    locale: Mapped[str] = mapped_column(String(5), default="vi")
    consent_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    device_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    # A random value the signed return link/cookie carries; replacing it revokes every link given out before.
    return_token: Mapped[str] = mapped_column(String(64), unique=True)

    ward: Mapped[Unit | None] = relationship()

    __table_args__ = (
        UniqueConstraint("contest_id", "phone_hash", name="uq_quiz_participants_contest_phone"),
        UniqueConstraint("contest_id", "cccd_hash", name="uq_quiz_participants_contest_cccd"),
    )

    def __repr__(self) -> str:
        return f"<Participant {self.id}>"

    @property
    def masked_phone(self) -> str:
        """The phone as a public list shows it: 0xxx xxx 1234 → "*******1234"."""
        return "******" + self.phone_last4


class QuizAttempt(db.Model):
    """One participant's attempt at a round. The server owns its deadline (start + limit, never past the round's
    close); ``time_taken_ms`` runs from the start to the last change of an answer. Score, rank and prize are
    written when the round closes (score also at submit) and stay frozen."""

    __tablename__ = "quiz_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("quiz_rounds.id", ondelete="CASCADE"))
    participant_id: Mapped[int] = mapped_column(ForeignKey("quiz_participants.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer, default=1)
    seed: Mapped[int] = mapped_column(BigInteger)
    question_total: Mapped[int] = mapped_column(Integer, default=0)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    deadline_at: Mapped[datetime] = mapped_column(UTCDateTime)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_answer_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    time_taken_ms: Mapped[int | None] = mapped_column(Integer)
    prediction: Mapped[int | None] = mapped_column(Integer)
    device_hash: Mapped[str | None] = mapped_column(String(64))
    score: Mapped[int | None] = mapped_column(Integer)
    rank: Mapped[int | None] = mapped_column(Integer)
    prize: Mapped[Prize | None] = mapped_column(enum_column(Prize, 20))
    # The rank is shared by a tie group that straddles a prize boundary: the organizer decides, the app never does.
    prize_tied: Mapped[bool] = mapped_column(default=False)
    disqualified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    disqualification_reason: Mapped[str] = mapped_column(String(500), default="")

    round: Mapped[QuizRound] = relationship()
    participant: Mapped[Participant] = relationship()
    questions: Mapped[list[AttemptQuestion]] = relationship(
        cascade="all, delete-orphan", order_by="AttemptQuestion.position"
    )

    __table_args__ = (
        # Participant first: the same index serves "this person's attempts" and the cascade when a person is purged
        # (closing a round rewrites every attempt, so each index less is a pass less).
        UniqueConstraint("participant_id", "round_id", "number", name="uq_quiz_attempts_participant_round_number"),
        Index("ix_quiz_attempts_round_rank", "round_id", "rank"),
    )

    def __repr__(self) -> str:
        return f"<QuizAttempt {self.id} round={self.round_id} participant={self.participant_id}>"

    @hybrid_property
    def is_submitted(self) -> bool:
        return self.submitted_at is not None

    @is_submitted.inplace.expression
    @classmethod
    def _is_submitted_expression(cls):
        return cls.submitted_at.is_not(None)

    @hybrid_property
    def is_disqualified(self) -> bool:
        return self.disqualified_at is not None

    @is_disqualified.inplace.expression
    @classmethod
    def _is_disqualified_expression(cls):
        return cls.disqualified_at.is_not(None)

    def is_running(self, now: datetime) -> bool:
        """Answers may still be chosen: not submitted and before the deadline (the grace is for late arrivals)."""
        return self.submitted_at is None and now < self.deadline_at

    def seconds_left(self, now: datetime) -> int:
        return max(0, int((self.deadline_at - now).total_seconds())) if self.submitted_at is None else 0


class AttemptQuestion(db.Model):
    """The questions drawn for an attempt, in the order shown, with the order of their options for this attempt."""

    __tablename__ = "quiz_attempt_questions"

    attempt_id: Mapped[int] = mapped_column(ForeignKey("quiz_attempts.id", ondelete="CASCADE"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("quiz_questions.id", ondelete="RESTRICT"), index=True)
    option_order: Mapped[list[int]] = mapped_column(JSON)

    question: Mapped[Question] = relationship()


class AttemptAnswer(db.Model):
    """The answer saved for one question of an attempt: one row per attempt and question, replaced on each save.
    ``is_correct`` is decided on save (the server knows the key), so scoring a round is one aggregate."""

    __tablename__ = "quiz_answers"

    attempt_id: Mapped[int] = mapped_column(ForeignKey("quiz_attempts.id", ondelete="CASCADE"), primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("quiz_questions.id", ondelete="RESTRICT"), primary_key=True)
    chosen_option_ids: Mapped[list[int]] = mapped_column(JSON)
    is_correct: Mapped[bool] = mapped_column(default=False)
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime)


class AttemptFlag(db.Model):
    """Something an organizer should look at (never a ban by itself): one flag per attempt and kind."""

    __tablename__ = "quiz_flags"

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("quiz_attempts.id", ondelete="CASCADE"))
    kind: Mapped[FlagKind] = mapped_column(enum_column(FlagKind, 20))
    detail: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    attempt: Mapped[QuizAttempt] = relationship()
    reviewed_by: Mapped[User | None] = relationship()

    __table_args__ = (UniqueConstraint("attempt_id", "kind", name="uq_quiz_flags_attempt_kind"),)


class UnitPopulation(Audited, db.Model):
    """The population (or staff headcount) of a unit that an organizer entered for a contest, for participation
    rates by ward."""

    __tablename__ = "quiz_unit_populations"

    contest_id: Mapped[int] = mapped_column(ForeignKey("contests.id", ondelete="CASCADE"), primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"), primary_key=True)
    population: Mapped[int] = mapped_column(Integer)
    is_headcount: Mapped[bool] = mapped_column(default=False)

    unit: Mapped[Unit] = relationship()
