"""Copying a plan to next year."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from app.errors import Conflict
from app.models import Unit
from events.models import Activity, Plan, ProgrammeItem, Registration, TourStop, Venue
from events.services import transfer
from tests.factories import make_activity

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2025, 8, 1, 2, 0, tzinfo=UTC)


def local(day: str, hour: int = 0, minute: int = 0) -> datetime:
    d, m, y = (int(part) for part in day.split("/"))
    return datetime(y, m, d, hour, minute, tzinfo=TZ)


def shown(value: datetime) -> str:
    return value.astimezone(TZ).strftime("%d/%m/%Y %H:%M")


@pytest.fixture
def plan_2024(session, campaign):
    """The campaign's plan with a festival people registered for, a cancelled contest, a cluster tour with two
    stops and a programme, and a training class on 29/02."""
    plan = session.get(Plan, campaign.plan_id)
    plan.title = "Tổ chức các hoạt động hưởng ứng Ngày Chuyển đổi số quốc gia (10/10) năm 2024"
    plan.issued_on = date(2024, 9, 13)
    office, police, youth = (session.get(Unit, i) for i in (campaign.office_id, campaign.police_id, campaign.youth_id))
    ward = session.get(Unit, campaign.ward_id)
    square = session.get(Venue, campaign.square_id)
    festival = make_activity(
        plan,
        title="Ngày hội Chuyển đổi số năm 2024",
        kind="festival",
        starts_at=local("10/10/2024", 7, 30),
        ends_at=local("10/10/2024", 21),
        venue=square,
        lead_unit=office,
        coordinating_units=[police, youth],
        capacity=2000,
        seats_taken=1,
        registration_open=True,
        accepted_warnings=["venue:2:1"],
        sequence=4,
        audience="Người dân",
        audience_groups=",citizens,",
        area_unit=ward,
        what_to_bring="Căn cước công dân",
        registration_opens_at=local("20/09/2024", 8),
        registration_closes_at=local("09/10/2024", 17),
        expected_headcount=3000,
    )
    festival.programme = [
        ProgrammeItem(
            position=1,
            title="Lễ ra mắt Kênh giao tiếp số",
            starts_at=local("10/10/2024", 7, 30),
            ends_at=local("10/10/2024", 8, 30),
            responsible_unit=office,
        ),
    ]
    cancelled = make_activity(
        plan,
        title="Cuộc thi đã hủy",
        kind="contest",
        starts_at=local("12/10/2024", 8),
        ends_at=local("12/10/2024", 11),
        lead_unit=office,
        cancelled=True,
    )
    tour = make_activity(
        plan,
        title="Chuỗi hành trình theo cụm",
        kind="cluster_tour",
        starts_at=local("24/09/2024", 7, 30),
        ends_at=local("28/09/2024", 17),
        lead_unit=office,
    )
    cluster_1 = TourStop(
        position=1,
        name="Cụm 1",
        host_unit=police,
        starts_at=local("24/09/2024", 7, 30),
        ends_at=local("25/09/2024", 17),
        participating_units=[youth, ward],
    )
    cluster_2 = TourStop(
        position=2,
        name="Cụm 2",
        host_unit=youth,
        starts_at=local("27/09/2024", 7, 30),
        ends_at=local("28/09/2024", 17),
        participating_units=[police],
    )
    tour.stops = [cluster_1, cluster_2]
    tour.programme = [
        ProgrammeItem(position=1, title="Khai mạc Cụm 1", starts_at=local("24/09/2024", 7, 30), stop=cluster_1),
        ProgrammeItem(position=1, title="Khai mạc Cụm 2", starts_at=local("27/09/2024", 7, 30), stop=cluster_2),
    ]
    # 06:00 in Vietnam is 23:00 UTC the day before: the copy must stay on 29/02 → 28/02 local, at 06:00.
    leap = make_activity(
        plan,
        title="Lớp tập huấn kỹ năng số",
        kind="training",
        starts_at=local("29/02/2024", 6),
        ends_at=local("29/02/2024", 11),
        lead_unit=office,
    )
    session.add_all([festival, cancelled, tour, leap])
    session.flush()
    session.add(
        Registration(
            activity=festival,
            name="Nguyễn Văn An",
            phone="0912345678",
            consent_at=NOW,
            status="confirmed",
            token="ve-thu-nghiem-1",
        )
    )
    session.commit()
    return plan


def test_the_copy_is_a_draft_of_next_year_without_a_number(session, plan_2024):
    copy = transfer.copy_plan(session, plan_2024, now=NOW, tz=TZ)
    session.commit()
    assert copy.id != plan_2024.id
    assert copy.title == "Tổ chức các hoạt động hưởng ứng Ngày Chuyển đổi số quốc gia (10/10) năm 2025"
    assert (copy.status, copy.number, copy.issued_on) == ("draft", None, None)
    assert (copy.period_start, copy.period_end) == (date(2025, 9, 15), date(2025, 10, 31))
    assert (copy.peak_start, copy.peak_end, copy.report_deadline) == (
        date(2025, 10, 1),
        date(2025, 10, 10),
        date(2025, 11, 1),
    )
    assert copy.lead_unit_id == plan_2024.lead_unit_id
    # The original is untouched.
    assert (plan_2024.number, plan_2024.period_start.year, plan_2024.status) == ("4568/KH-UBND", 2024, "published")


def test_activities_keep_their_local_day_and_time_and_cancelled_ones_stay_behind(session, plan_2024):
    copy = transfer.copy_plan(session, plan_2024, now=NOW, tz=TZ)
    session.commit()
    activities = {a.title: a for a in session.scalars(select(Activity).where(Activity.plan_id == copy.id))}
    assert set(activities) == {
        "Ngày hội Chuyển đổi số năm 2025",
        "Chuỗi hành trình theo cụm",
        "Lớp tập huấn kỹ năng số",
    }
    festival = activities["Ngày hội Chuyển đổi số năm 2025"]
    # Thursday 10/10/2024 → Thursday 09/10/2025 (52 weeks: the nearest Thursday to 10/10), same times.
    assert (shown(festival.starts_at), shown(festival.ends_at)) == ("09/10/2025 07:30", "09/10/2025 21:00")
    assert festival.starts_at.astimezone(TZ).strftime("%A") == "Thursday"
    # The registration window moves with its activity.
    assert shown(festival.registration_opens_at) == "19/09/2025 08:00"
    assert shown(festival.registration_closes_at) == "08/10/2025 17:00"
    leap = activities["Lớp tập huấn kỹ năng số"]
    assert (shown(leap.starts_at), shown(leap.ends_at)) == ("27/02/2025 06:00", "27/02/2025 11:00")


def test_registrations_and_seats_start_afresh_but_units_and_venue_come_along(session, plan_2024):
    copy = transfer.copy_plan(session, plan_2024, now=NOW, tz=TZ)
    session.commit()
    festival = session.scalar(select(Activity).where(Activity.plan_id == copy.id, Activity.kind == "festival"))
    assert session.scalar(select(func.count(Registration.id)).where(Registration.activity_id == festival.id)) == 0
    assert session.scalar(select(func.count(Registration.id))) == 1  # last year's stays with last year's festival
    assert (festival.seats_taken, festival.registration_open, festival.accepted_warnings, festival.sequence) == (
        0,
        False,
        [],
        0,
    )
    assert festival.cancelled is False
    assert {u.name for u in festival.coordinating_units} == {"Công an thành phố Tân Uyên", "Thành Đoàn Tân Uyên"}
    assert (festival.venue.name, festival.capacity, festival.expected_headcount) == (
        "Quảng trường thành phố",
        2000,
        3000,
    )
    assert (festival.audience_groups, festival.what_to_bring) == (",citizens,", "Căn cước công dân")
    assert [(p.title, shown(p.starts_at), shown(p.ends_at)) for p in festival.programme] == [
        ("Lễ ra mắt Kênh giao tiếp số", "09/10/2025 07:30", "09/10/2025 08:30")
    ]


def test_tour_stops_with_participants_and_their_programme_are_copied(session, plan_2024):
    copy = transfer.copy_plan(session, plan_2024, now=NOW, tz=TZ)
    session.commit()
    tour = session.scalar(select(Activity).where(Activity.plan_id == copy.id, Activity.kind == "cluster_tour"))
    assert [(s.position, s.name, s.host_unit.name, shown(s.starts_at), shown(s.ends_at)) for s in tour.stops] == [
        (1, "Cụm 1", "Công an thành phố Tân Uyên", "23/09/2025 07:30", "24/09/2025 17:00"),
        (2, "Cụm 2", "Thành Đoàn Tân Uyên", "26/09/2025 07:30", "27/09/2025 17:00"),
    ]
    assert [u.name for u in tour.stops[0].participating_units] == ["Phường Uyên Hưng", "Thành Đoàn Tân Uyên"]
    assert [(p.title, p.stop.name) for p in tour.programme] == [
        ("Khai mạc Cụm 1", "Cụm 1"),
        ("Khai mạc Cụm 2", "Cụm 2"),
    ]
    assert all(p.stop.activity_id == tour.id for p in tour.programme)
    # Last year's tour still has its own stops.
    assert session.scalar(select(func.count(TourStop.id))) == 4


def test_copying_twice_is_refused_instead_of_making_a_second_draft(session, plan_2024):
    transfer.copy_plan(session, plan_2024, now=NOW, tz=TZ)
    session.commit()
    with pytest.raises(Conflict) as caught:
        transfer.copy_plan(session, plan_2024, now=NOW, tz=TZ)
    assert caught.value.code == "copy_exists"
    assert session.scalar(select(func.count(Plan.id))) == 2


def test_shifting_dates_handles_the_leap_day():
    assert transfer.shift_date(date(2024, 2, 29), 1) == date(2025, 2, 28)
    assert transfer.shift_date(date(2024, 2, 29), 4) == date(2028, 2, 29)
    assert shown(transfer.shift_datetime(local("10/10/2024", 7, 30), 1, TZ)) == "10/10/2025 07:30"
    assert transfer.shift_years_in_text("Kế hoạch năm 2024 (giai đoạn 2024-2025), mã 120245", 2024, 2025, 1) == (
        "Kế hoạch năm 2025 (giai đoạn 2025-2026), mã 120245"
    )


# --- issue 14: weekdays, hooks of other features, texts to review ------------------------------------------------


def test_a_saturday_festival_stays_on_a_saturday_and_its_programme_stays_inside_it(session, campaign):
    plan = session.get(Plan, campaign.plan_id)
    festival = make_activity(
        plan,
        title="Ngày hội Chuyển đổi số",
        kind="festival",
        starts_at=local("05/10/2024", 7, 30),  # a Saturday
        ends_at=local("05/10/2024", 21),
        lead_unit_id=campaign.office_id,
    )
    festival.programme = [
        ProgrammeItem(
            position=1, title="Khai mạc", starts_at=local("05/10/2024", 7, 30), ends_at=local("05/10/2024", 8)
        ),
        ProgrammeItem(position=2, title="Bế mạc", starts_at=local("05/10/2024", 20), ends_at=local("05/10/2024", 21)),
    ]
    session.add(festival)
    session.commit()
    copy = transfer.copy_plan(session, plan, now=NOW, tz=TZ)
    session.commit()
    copied = session.scalar(select(Activity).where(Activity.plan_id == copy.id))
    start = copied.starts_at.astimezone(TZ)
    assert (start.strftime("%A %d/%m/%Y %H:%M"), shown(copied.ends_at)) == (
        "Saturday 04/10/2025 07:30",
        "04/10/2025 21:00",
    )
    assert [(p.title, shown(p.starts_at), shown(p.ends_at)) for p in copied.programme] == [
        ("Khai mạc", "04/10/2025 07:30", "04/10/2025 08:00"),
        ("Bế mạc", "04/10/2025 20:00", "04/10/2025 21:00"),
    ]
    assert all(copied.starts_at <= p.starts_at and p.ends_at <= copied.ends_at for p in copied.programme)
    # The plan's own dates are a document's dates: they move by a calendar year.
    assert (copy.period_start, copy.peak_end, copy.report_deadline) == (
        date(2025, 9, 15),
        date(2025, 10, 10),
        date(2025, 11, 1),
    )


@pytest.mark.parametrize(
    ("day", "years", "expected"),
    [
        (date(2024, 10, 5), 1, date(2025, 10, 4)),  # Saturday → Saturday, one day earlier
        (date(2024, 2, 29), 1, date(2025, 2, 27)),  # leap day: the nearest Thursday to 28/02
        (date(2023, 10, 10), 1, date(2024, 10, 8)),  # across 29/02: two days earlier, still the nearest
        (date(2024, 10, 10), 2, date(2026, 10, 8)),
        (date(2024, 10, 10), 5, date(2029, 10, 11)),  # 261 weeks: the nearest same weekday to 10/10/2029
    ],
)
def test_whole_weeks_to_the_nearest_same_day_and_month(day, years, expected):
    weeks = transfer.weeks_to_same_day(day, years)
    shifted = day.fromordinal(day.toordinal() + 7 * weeks)
    assert shifted == expected and shifted.weekday() == day.weekday()
    assert abs((shifted - transfer.shift_date(day, years)).days) <= 3


def test_hooks_receive_both_plans_the_activity_map_and_the_shift_and_only_when_chosen(session, plan_2024):
    calls = []

    def hook(session_, old_plan, new_plan, activity_id_map, shift):
        calls.append((old_plan.id, new_plan.id, dict(activity_id_map), shift(local("05/10/2024", 9))))
        return 0

    registry = transfer.CopyHookRegistry()
    registry.register("spy", "Spy", hook)
    registry.register("other", "Other", lambda *args: calls.append("other") or 0)
    copy = transfer.copy_plan(session, plan_2024, now=NOW, tz=TZ, hooks=registry, carry={"spy"})
    session.commit()
    ((old_id, new_id, id_map, moved),) = calls
    assert (old_id, new_id) == (plan_2024.id, copy.id)
    copied = {a.id for a in session.scalars(select(Activity).where(Activity.plan_id == copy.id))}
    originals = {a.id for a in plan_2024.activities if not a.cancelled}
    assert set(id_map) == originals and set(id_map.values()) == copied
    assert shown(moved) == "04/10/2025 09:00"


def test_contests_and_checkpoints_come_along_unpublished_when_ticked(session, plan_2024):
    from checkin.models import Checkpoint
    from contests.models import Contest, Question, QuestionOption, QuizRound, QuizTopic

    festival = session.scalar(select(Activity).where(Activity.plan_id == plan_2024.id, Activity.kind == "festival"))
    quiz = Contest(
        plan_id=plan_2024.id,
        title="Cuộc thi trực tuyến tìm hiểu an toàn thông tin năm 2024",
        kind="online_quiz",
        opens_at=local("05/10/2024", 8),  # a Saturday
        closes_at=local("20/10/2024", 17),
        is_published=True,
    )
    topic = QuizTopic(name="Mã OTP")
    session.add_all([quiz, topic])
    session.flush()
    session.add_all(
        [
            QuizRound(contest_id=quiz.id, title="Tuần 1 năm 2024", position=1, opens_at=local("05/10/2024", 8),
                      closes_at=local("12/10/2024", 17), question_count=15, prize_table={"first": 1, "second": 2},
                      prize_min_percent=60, pool_topic_ids=[topic.id], state="closed"),
            Question(contest_id=quiz.id, topic_id=topic.id, text="Mã OTP có được đưa cho người khác không?",
                     options=[QuestionOption(position=1, text="Có"),
                              QuestionOption(position=2, text="Không", is_correct=True)]),
            Question(contest_id=quiz.id, topic_id=topic.id, text="Bản cũ", is_active=False),
        ]
    )  # fmt: skip
    session.add_all(
        [
            Checkpoint(activity_id=festival.id, name="Cổng chính", kind="entrance", position=1),
            Checkpoint(activity_id=festival.id, name="Gian hàng dịch vụ công", kind="booth", position=2),
        ]
    )
    session.commit()
    copy = transfer.copy_plan(session, plan_2024, now=NOW, tz=TZ)
    session.commit()
    (contest,) = session.scalars(select(Contest).where(Contest.plan_id == copy.id))
    assert contest.title == "Cuộc thi trực tuyến tìm hiểu an toàn thông tin năm 2025"
    assert (contest.opens_at.astimezone(TZ).strftime("%A"), shown(contest.opens_at), shown(contest.closes_at)) == (
        "Saturday",
        "04/10/2025 08:00",
        "19/10/2025 17:00",
    )
    assert contest.is_published is False
    (first_round,) = session.scalars(select(QuizRound).where(QuizRound.contest_id == contest.id))
    moved = (first_round.title, first_round.state.value, shown(first_round.opens_at))
    assert moved == ("Tuần 1 năm 2025", "draft", "04/10/2025 08:00")
    assert (first_round.question_count, first_round.prize_table) == (15, {"first": 1, "second": 2})
    assert (first_round.pool_topic_ids, first_round.prize_min_percent) == ([topic.id], 60)  # its own pool
    (question,) = session.scalars(select(Question).where(Question.contest_id == contest.id))
    assert question.text == "Mã OTP có được đưa cho người khác không?" and question.is_active
    assert [(o.text, o.is_correct) for o in question.options] == [("Có", False), ("Không", True)]
    new_festival = session.scalar(select(Activity).where(Activity.plan_id == copy.id, Activity.kind == "festival"))
    points = session.scalars(
        select(Checkpoint).where(Checkpoint.activity_id == new_festival.id).order_by(Checkpoint.position)
    ).all()
    assert [(p.name, p.kind) for p in points] == [("Cổng chính", "entrance"), ("Gian hàng dịch vụ công", "booth")]
    assert session.scalar(select(func.count(Checkpoint.id))) == 4  # last year's stay with last year's festival


def test_unticked_contests_and_checkpoints_stay_behind(session, plan_2024):
    from checkin.models import Checkpoint
    from contests.models import Contest

    festival = session.scalar(select(Activity).where(Activity.plan_id == plan_2024.id, Activity.kind == "festival"))
    session.add_all(
        [
            Contest(plan_id=plan_2024.id, title="Cuộc thi", kind="online_quiz"),
            Checkpoint(activity_id=festival.id, name="Cổng chính", kind="entrance"),
        ]
    )
    session.commit()
    copy = transfer.copy_plan(session, plan_2024, now=NOW, tz=TZ, carry=set())
    session.commit()
    assert session.scalar(select(func.count(Contest.id)).where(Contest.plan_id == copy.id)) == 0
    assert session.scalar(select(func.count(Checkpoint.id))) == 1


def test_texts_that_still_name_last_year_are_listed_for_review(session, plan_2024):
    plan_2024.themes = "Chuyển đổi số toàn dân, toàn diện\nKết quả năm 2024 là nền tảng"
    festival = session.scalar(select(Activity).where(Activity.plan_id == plan_2024.id, Activity.kind == "festival"))
    festival.description = "Khai mạc lúc 7 giờ 30 sáng 10/10/2024 tại quảng trường."
    session.commit()
    copy = transfer.copy_plan(session, plan_2024, now=NOW, tz=TZ)
    session.commit()
    assert transfer.previous_years(copy) == [2024]
    texts = transfer.texts_naming_years(session, copy, [2024])
    assert [(t.activity_id is None, t.record, str(t.field), t.excerpt) for t in texts] == [
        (True, copy.title, "Chủ đề, thông điệp", "Chuyển đổi số toàn dân, toàn diện Kết quả năm 2024 là nền tảng"),
        (False, "Ngày hội Chuyển đổi số năm 2025", "Mô tả", "Khai mạc lúc 7 giờ 30 sáng 10/10/2024 tại quảng trường."),
    ]
    # Titles were rewritten, so they are not listed.
    assert "2024" not in copy.title


def test_events_never_imports_contests_or_checkin():
    """The copy hooks exist so that the dependency order app ← events ← (contests, checkin) holds."""
    import ast
    from pathlib import Path

    offenders = []
    for path in Path(__file__).resolve().parents[2].joinpath("events").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [alias.name for alias in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            offenders += [f"{path.name}: {name}" for name in names if name.split(".")[0] in ("contests", "checkin")]
    assert offenders == []
