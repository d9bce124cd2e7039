"""Demo contests from seeds 000 and 001."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.demo import DemoReport, unit
from events.models import Plan

from .demo_questions import QUESTIONS, TOPICS
from .models import Contest, Question, QuestionOption, QuizRound, QuizTopic, RoundState


def load(session: Session, report: DemoReport) -> None:
    """The online information-security contest (Tân Uyên) and two of Đồng Nai's contests. The quiz is launched at
    the festival, so it moves with the festival's day (``app.demo.DemoCalendar``); the others keep their dates."""
    cal = report.calendar
    tan_uyen = session.scalar(select(Plan).where(Plan.number == "4568/KH-UBND"))
    dong_nai = session.scalar(select(Plan).where(Plan.title.like("%tỉnh Đồng Nai năm 2024%")))
    quiz = report.get_or_create(
        session,
        Contest,
        {"title": "Cuộc thi trực tuyến tìm hiểu về an toàn, an ninh thông tin"},
        plan_id=tan_uyen.id,
        kind="online_quiz",
        is_published=True,
        organizer_unit_id=unit(session, "Phòng Văn hóa và Thông tin").id,
        audience="Người dân, cán bộ, công chức, viên chức, học sinh trên địa bàn thành phố",
        opens_at=cal.on_weekday("05/10/2024", 9, 0),
        closes_at=cal.on_weekday("25/10/2024", 23, 59),
        description="Phát động tại Ngày hội Chuyển đổi số thành phố.",
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


def _load_quiz(session: Session, report: DemoReport, contest: Contest) -> None:
    """The quiz's first round (the week after the launch at the festival) and its question bank: every topic the
    contest covers, each question found by its text before it is created."""
    cal = report.calendar
    # Open from the day the demo is loaded (like the demo's registrations), so a newcomer can take it today.
    opens_at = cal.opening(cal.on_weekday("05/10/2024", 9, 0))
    closes_at = cal.on_weekday("11/10/2024", 23, 59)
    is_open = cal.now is not None and opens_at <= cal.now < closes_at
    report.get_or_create(
        session,
        QuizRound,
        {"contest_id": contest.id, "position": 1},
        title="Tuần 1: Nhận diện lừa đảo trực tuyến",
        opens_at=opens_at,
        closes_at=closes_at,
        opened_at=cal.now if is_open else None,
        question_count=10,
        time_limit_seconds=15 * 60,
        grace_seconds=15,
        attempts_allowed=1,
        prize_table={"first": 1, "second": 2, "third": 3, "consolation": 5},
        asks_prediction=True,
        state=RoundState.OPEN if is_open else RoundState.SCHEDULED,
    )
    topics = {
        name: report.get_or_create(session, QuizTopic, {"name": name}, position=position) for name, position in TOPICS
    }
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
