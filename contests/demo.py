"""Demo contests from seeds 000 and 001."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.demo import DemoReport, unit
from events.models import Plan

from .demo_questions import QUESTIONS, TOPICS
from .models import Contest, ContestKind, Question, QuestionOption, QuizRound, QuizTopic, RoundState
from .models.quiz import DEFAULT_PRIZE_TABLE


def load(session: Session, report: DemoReport) -> None:
    """The online information-security contest (Tân Uyên), weekly rounds up to 10/10, and two of Đồng Nai's
    contests; all keep the seeds' calendar dates in the demo's year."""
    cal = report.calendar
    tan_uyen = session.scalar(select(Plan).where(Plan.number == "4568/KH-UBND"))
    dong_nai = session.scalar(select(Plan).where(Plan.title.like("%tỉnh Đồng Nai năm 2024%")))
    quiz = report.get_or_create(
        session,
        Contest,
        {"title": "Cuộc thi trực tuyến tìm hiểu về an toàn, an ninh thông tin"},
        plan_id=tan_uyen.id,
        kind=ContestKind.ONLINE_QUIZ,
        is_published=True,
        organizer_unit_id=unit(session, "Phòng Văn hóa và Thông tin").id,
        audience="Người dân, cán bộ, công chức, viên chức, học sinh trên địa bàn thành phố",
        opens_at=cal.at(WEEKS[0][1], 0, 0),
        closes_at=cal.at(WEEKS[-1][2], 23, 59),
        description="Thi theo tuần, mỗi tuần một chủ đề; tuần cuối kết thúc vào Ngày Chuyển đổi số 10/10.",
    )
    _load_quiz(session, report, quiz)
    report.get_or_create(
        session,
        Contest,
        {"title": "Cuộc thi sáng tạo vẽ tranh, video clip truyền thông bằng AI"},
        plan_id=dong_nai.id,
        kind="juried",
        is_published=True,
        organizer_unit_id=unit(session, "Sở Thông tin và Truyền thông tỉnh Đồng Nai").id,
        audience="Đoàn viên thanh niên và học sinh, sinh viên các trường tiểu học, THCS, THPT trên địa bàn tỉnh",
        opens_at=cal.at("15/08/2024", 8, 0),
        closes_at=cal.at("30/09/2024", 17, 0),
    )
    report.get_or_create(
        session,
        Contest,
        {"title": "Giải thưởng mạng xã hội (Social Network Awards)"},
        plan_id=dong_nai.id,
        kind="public_vote",
        is_published=True,
        organizer_unit_id=unit(session, "Sở Thông tin và Truyền thông tỉnh Đồng Nai").id,
        audience="Fanpage, kênh Zalo, YouTube, TikTok lan tỏa hình ảnh Đồng Nai trên nền tảng số",
        opens_at=cal.at("01/09/2024", 8, 0),
        closes_at=cal.at("05/10/2024", 17, 0),
    )


# A real weekly schedule ending on 10/10: each week draws from its own topics, so that closing a week (which
# publishes its answers) leaves the next week's questions unseen.
WEEKS = [
    ("Tuần 1: Nhận diện lừa đảo trực tuyến", "20/09/2024", "26/09/2024",
     ["Tin nhắn lừa đảo", "Đường link ngân hàng giả mạo", "Lừa đảo qua điện thoại"]),
    ("Tuần 2: Bảo vệ tài khoản và dữ liệu cá nhân", "27/09/2024", "03/10/2024",
     ["Mật khẩu và xác thực hai lớp", "Bảo vệ dữ liệu cá nhân"]),
    ("Tuần 3: Mua sắm và giao dịch an toàn", "04/10/2024", "10/10/2024",
     ["Ứng dụng nTrust", "Mua sắm trực tuyến an toàn"]),
]  # fmt: skip


def _load_quiz(session: Session, report: DemoReport, contest: Contest) -> None:
    """The quiz's weekly rounds (the last one closes on 10/10) and its question bank: every topic the contest
    covers, each question found by its text before it is created."""
    cal = report.calendar
    topics = {
        name: report.get_or_create(session, QuizTopic, {"name": name}, position=position) for name, position in TOPICS
    }
    for position, (title, first_day, last_day, pool) in enumerate(WEEKS, start=1):
        opens_at, closes_at = cal.at(first_day, 0, 0), cal.at(last_day, 23, 59)
        is_open = cal.now is not None and opens_at <= cal.now < closes_at
        report.get_or_create(
            session,
            QuizRound,
            {"contest_id": contest.id, "position": position},
            title=title,
            opens_at=opens_at,
            closes_at=closes_at,
            opened_at=cal.now if is_open else None,
            question_count=10,
            time_limit_seconds=15 * 60,
            grace_seconds=15,
            attempts_allowed=1,
            prize_table=dict(DEFAULT_PRIZE_TABLE),
            asks_prediction=True,
            pool_topic_ids=[topics[name].id for name in pool],
            # A week already over is closed by the scheduler's next run, like any round past its close.
            state=RoundState.OPEN if is_open else RoundState.SCHEDULED,
        )
    for topic, difficulty, multiple, text, options, explanation, source in QUESTIONS:
        found = session.scalar(select(Question.id).where(Question.contest_id == contest.id, Question.text == text))
        if found is not None:
            report.existing += 1
            continue
        question = Question(
            contest_id=contest.id,
            topic_id=topics[topic].id,
            difficulty=difficulty,
            text=text,
            multiple=multiple,
            explanation=explanation,
            source=source,
            options=[
                QuestionOption(position=position, text=option, is_correct=correct)
                for position, (option, correct) in enumerate(options, start=1)
            ],
        )
        session.add(question)
        report.created += 1
    session.flush()
