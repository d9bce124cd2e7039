"""Quiz records for the route tables (tests/app/test_route_guards.py, test_access.py) and the quiz page tests: a
published online quiz with a bank over two topics and three difficulties, an open round (one participant with an
attempt under way, one who has not started), a closed round with ranked attempts and a disqualified one, a flag to
review, and the
organizer's population figure. Built through quiz-core's services, like a real contest."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

from app.extensions import db
from contests.models import AttemptFlag, Contest, Question, QuestionOption, QuizRound, QuizTopic, UnitPopulation
from contests.services import attempts as quiz
from contests.services import flags
from contests.services.attempts import handles
from contests.services.participants import identities
from contests.services.rounds import ranking

SECRET = "test-only-identity-key"  # noqa: S105 (TestConfig's IDENTITY_KEYS: the keyed hashes must match the app's)
APP_SECRET = "test-only-secret"  # noqa: S105 (TestConfig's SECRET_KEY, which keys the option handles)
QUESTION_COUNT = 4
EXPLANATION = "Giải thích: ngân hàng không bao giờ gửi đường dẫn yêu cầu nhập mật khẩu."
CORRECT_TEXT = "Không bấm vào đường dẫn, gọi tổng đài chính thức của ngân hàng"


def add_bank(session, contest_id: int | None, count: int = 12) -> list[Question]:
    """``count`` questions over two topics and three difficulties; option 1 of each is the correct one."""
    topics = [
        QuizTopic(name="Tin nhắn lừa đảo", position=1),
        QuizTopic(name="Mật khẩu và xác thực hai lớp", position=2),
    ]
    existing = {t.name: t for t in session.query(QuizTopic).all()}
    topics = [existing.get(t.name) or t for t in topics]
    session.add_all(topics)
    difficulties = ("easy", "medium", "hard")
    questions = []
    for n in range(count):
        question = Question(
            contest_id=contest_id,
            topic=topics[n % 2],
            difficulty=difficulties[n % 3],
            text=f"Câu hỏi số {n + 1}: tin nhắn báo tài khoản ngân hàng bị khóa, kèm đường dẫn. Bạn làm gì?",
            multiple=False,
            explanation=EXPLANATION,
            source="Cục An toàn thông tin",
            options=[
                QuestionOption(position=1, text=CORRECT_TEXT, is_correct=True),
                QuestionOption(position=2, text="Bấm vào đường dẫn và đăng nhập ngay", is_correct=False),
                QuestionOption(position=3, text="Chuyển tiếp tin nhắn cho người thân", is_correct=False),
            ],
        )
        questions.append(question)
    session.add_all(questions)
    session.flush()
    return questions


def handle(attempt, option_id: int) -> str:
    """The option's handle in ``attempt``'s pages and saves, under TestConfig's secret (what a page shows)."""
    return handles.option_handle(handles.handle_key(APP_SECRET), attempt, option_id)


def correct_option(session, question_id: int) -> int:
    return session.query(QuestionOption.id).filter_by(question_id=question_id, is_correct=True).first()[0]


def wrong_option(session, question_id: int) -> int:
    return session.query(QuestionOption.id).filter_by(question_id=question_id, is_correct=False).first()[0]


def register(session, contest, now, phone: str, ward_id: int, name: str = "Trần Thị Mai", birth_year: int = 2008,
             cccd: str | None = None):  # fmt: skip
    return identities.register_participant(
        session,
        contest,
        full_name=name,
        phone=phone,
        birth_year=birth_year,
        ward_unit_id=ward_id,
        consent=True,
        now=now,
        secret=SECRET,
        cccd=cccd,
    )


def build(app, *, now, ward_id: int, other_ward_id: int) -> SimpleNamespace:
    with app.app_context():
        session = db.session
        contest = Contest(
            title="Cuộc thi trực tuyến tìm hiểu về an toàn, an ninh thông tin",
            kind="online_quiz",
            is_published=True,
            audience="Người dân, học sinh",
            opens_at=now - timedelta(days=3),
            closes_at=now + timedelta(days=20),
        )
        session.add(contest)
        session.flush()
        questions = add_bank(session, contest.id)
        common = {
            "contest_id": contest.id,
            "question_count": QUESTION_COUNT,
            "time_limit_seconds": 900,
            "attempts_allowed": 1,
            "asks_prediction": True,
            "prize_table": {"first": 1, "second": 1, "third": 1, "consolation": 1},
        }
        # Weekly rounds with their own pools (a topic each): closing week 1 publishes its questions' answers, and
        # week 2 draws from its own.
        closed = QuizRound(
            title="Tuần 1", position=1, opens_at=now - timedelta(days=3), closes_at=now + timedelta(days=1),
            state="open", pool_topic_ids=[questions[0].topic_id], **common,
        )  # fmt: skip
        open_round = QuizRound(
            title="Tuần 2", position=2, opens_at=now - timedelta(hours=1), closes_at=now + timedelta(days=2),
            state="open", pool_topic_ids=[questions[1].topic_id], **common,
        )  # fmt: skip
        # A round still to come, for "open now".
        later = QuizRound(
            title="Tuần cuối", position=9, opens_at=now + timedelta(days=5), closes_at=now + timedelta(days=12),
            state="scheduled", pool_topic_ids=[questions[1].topic_id], **common,
        )  # fmt: skip
        session.add_all([closed, open_round, later])
        session.flush()

        # The closed round: two participants, the first all right, the second with one wrong answer.
        winner = register(session, contest, now, "0911000001", ward_id, "Lê Văn Hùng", 1985)
        runner_up = register(session, contest, now, "0911000002", other_ward_id, "Phạm Thị Hoa", 1992)
        started = now - timedelta(days=2)
        for person, wrong in ((winner, 0), (runner_up, 1)):
            attempt = quiz.start_attempt(session, closed, person, now=started, seed=person.id)
            for slot in attempt.questions:
                choose = wrong_option if slot.position <= wrong else correct_option
                quiz.save_answer(
                    session, attempt, slot.question_id, [choose(session, slot.question_id)],
                    now=started + timedelta(seconds=60 + slot.position), quiz_round=closed,
                )  # fmt: skip
            quiz.submit(session, attempt, now=started + timedelta(minutes=3), prediction=1, quiz_round=closed)
        # A third, disqualified before the close (out of the ranking): the organizer may reinstate it.
        cheat = register(session, contest, now, "0911000005", other_ward_id, "Đỗ Văn Nam", 1999)
        doubtful = quiz.start_attempt(session, closed, cheat, now=started, seed=cheat.id)
        for slot in doubtful.questions:
            quiz.save_answer(
                session, doubtful, slot.question_id, [correct_option(session, slot.question_id)],
                now=started + timedelta(seconds=slot.position), quiz_round=closed,
            )  # fmt: skip
        quiz.submit(session, doubtful, now=started + timedelta(seconds=5), prediction=1, quiz_round=closed)
        flags.disqualify(session, doubtful, reason="Trả lời 4 câu trong 4 giây", actor_id=None, now=started)
        session.flush()
        ranking.close_round(session, closed, now=now - timedelta(days=1))
        closed_attempt = quiz.current_attempt(session, closed.id, runner_up.id)
        flag = AttemptFlag(attempt_id=closed_attempt.id, kind="too_fast", detail="4 câu trong 5 giây", created_at=now)
        session.add(flag)

        # The open round: one participant under way (one answer saved), one who has not started yet.
        taking = register(session, contest, now, "0987000003", ward_id, "Nguyễn Thị Lan", 2008, "079208004321")
        fresh = register(session, contest, now, "0987000004", other_ward_id, "Võ Minh Tuấn", 2009)
        attempt = quiz.start_attempt(session, open_round, taking, now=now - timedelta(minutes=2), seed=7)
        first = attempt.questions[0]
        quiz.save_answer(
            session, attempt, first.question_id, [wrong_option(session, first.question_id)],
            now=now - timedelta(minutes=1), quiz_round=open_round,
        )  # fmt: skip
        session.add(UnitPopulation(contest_id=contest.id, unit_id=ward_id, population=25_000))
        session.commit()
        return SimpleNamespace(
            contest_id=contest.id,
            open_round_id=open_round.id,
            closed_round_id=closed.id,
            later_round_id=later.id,
            token=taking.return_token,
            fresh_token=fresh.return_token,
            winner_token=winner.return_token,
            attempt_id=attempt.id,
            closed_attempt_id=closed_attempt.id,
            disqualified_attempt_id=doubtful.id,
            flag_id=flag.id,
            question_id=questions[0].id,
            topic_id=questions[0].topic_id,
            open_pool_topic_id=questions[1].topic_id,
            first_question_id=first.question_id,
            first_options=list(first.option_order),
            correct_first=correct_option(session, first.question_id),
            correct_first_handle=handle(attempt, correct_option(session, first.question_id)),
            first_handles=[handle(attempt, option_id) for option_id in first.option_order],
            phone="0987000003",
            birth_year=2008,
        )


def world(app) -> SimpleNamespace:
    """Units (a city with two wards), an organizer, and the quiz records above; ``now`` is the real time."""
    from datetime import UTC, datetime

    from app.models import Unit, User

    now = datetime.now(UTC).replace(second=0, microsecond=0)  # as a form writes times: to the minute
    with app.app_context():
        city = Unit(name="Thành phố Tân Uyên", kind="district")
        ward = Unit(name="Phường Uyên Hưng", kind="ward", parent=city)
        other = Unit(name="Phường Khánh Bình", kind="ward", parent=city)
        organizer = User(name="Cán bộ Phòng Văn hóa", email="organizer@example.vn", password_hash="x")
        organizer.set_roles(["organizer"])
        db.session.add_all([city, ward, other, organizer])
        db.session.commit()
        ids = SimpleNamespace(ward_id=ward.id, other_ward_id=other.id, organizer_id=organizer.id, now=now)
    quiz_records = build(app, now=now, ward_id=ids.ward_id, other_ward_id=ids.other_ward_id)
    for name, value in vars(ids).items():
        setattr(quiz_records, name, value)
    return quiz_records


def question_import_csv(rows: list[dict] | None = None) -> bytes:
    """A CSV file in the import template's columns (quiz-core's ``bank.COLUMNS``), UTF-8 with a BOM as Excel saves it;
    by default one valid question."""
    import csv
    import io

    from contests.services.questions.bank import COLUMNS, EXAMPLE_ROW

    rows = rows if rows is not None else [EXAMPLE_ROW | {"text": "Mã OTP ngân hàng gửi về điện thoại dùng để làm gì?"}]
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow([column.header for column in COLUMNS])
    for row in rows:
        writer.writerow([row.get(column.key, "") or "" for column in COLUMNS])
    return ("\ufeff" + out.getvalue()).encode()
