"""Report sections (app/providers.py): a summary report collects every feature's tables for a plan and a period
without importing a feature; events, check-in and contests register theirs when their blueprints are set up."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from app.providers import Period, ReportColumn, ReportSection, ReportSectionRegistry, report_sections
from checkin.models import Checkpoint, Scan
from contests.models import Contest, QuizRound
from events.models import Activity, Plan, Registration

START = datetime(2024, 10, 5, 1, 0, tzinfo=UTC)


def _plan(session, title: str) -> Plan:
    plan = Plan(title=title, status="published", period_start=date(2024, 9, 1), period_end=date(2024, 10, 31))
    session.add(plan)
    return plan


def _campaign(session):
    plan, other = _plan(session, "Kế hoạch"), _plan(session, "Kế hoạch khác")
    festival = Activity(
        plan=plan, title="Ngày hội", kind="festival", starts_at=START, ends_at=START + timedelta(hours=8)
    )
    later = Activity(
        plan=plan, title="Triển lãm", kind="exhibition", starts_at=START + timedelta(days=20),
        ends_at=START + timedelta(days=20, hours=4),
    )  # fmt: skip
    elsewhere = Activity(
        plan=other, title="Hội thảo", kind="festival", starts_at=START, ends_at=START + timedelta(hours=1)
    )
    people = [
        Registration(
            activity=festival,
            name=f"Người {i}",
            phone=f"09{i:08d}",
            consent_at=START,
            token=f"token-{i:04d}-report",
            status="confirmed" if i < 3 else "waitlisted",
            created_at=START - timedelta(days=1),
        )  # fmt: skip
        for i in range(4)
    ]
    gate = Checkpoint(activity=festival, name="Cổng chính", kind="entrance", rule="once")
    booth = Checkpoint(activity=festival, name="Gian hàng", kind="booth", rule="every_time")
    session.add_all([festival, later, elsewhere, *people, gate, booth])
    session.flush()
    for i, person in enumerate(people[:3]):
        session.add(
            Scan(
                checkpoint_id=gate.id, ticket_id=person.id, device_id="phone", nonce=f"n{i}", verdict="admitted",
                admitted=True, scanned_at=START + timedelta(minutes=i), admission_slot=str(person.id),
            )
        )  # fmt: skip
    session.add(
        Scan(
            checkpoint_id=gate.id, ticket_id=people[0].id, device_id="phone", nonce="again",
            verdict="already_checked_in", admitted=False, scanned_at=START + timedelta(minutes=5),
        )
    )  # fmt: skip
    contest = Contest(title="An toàn thông tin", kind="online_quiz", is_published=True, plan_id=plan.id)
    session.add(contest)
    session.flush()
    session.add(
        QuizRound(
            contest_id=contest.id, title="Tuần 1", position=1, opens_at=START, closes_at=START + timedelta(days=7),
            question_count=5, time_limit_seconds=600, grace_seconds=15, state="open",
        )
    )  # fmt: skip
    session.flush()
    return plan


def test_the_registry_collects_every_features_section_for_a_plan(session):
    plan = _campaign(session)
    collected = {found.section.key: found for found in report_sections.collect(session, plan.id)}
    assert list(collected)[:3] == ["events.activities", "checkin.checkpoints", "contests.quiz_rounds"]
    activities = collected["events.activities"]
    assert [column.key for column in activities.section.columns] == [
        "title", "kind", "starts_at", "cancelled", "confirmed", "waitlisted"
    ]  # fmt: skip
    assert [(row["title"], row["confirmed"], row["waitlisted"]) for row in activities.rows] == [
        ("Ngày hội", 3, 1),
        ("Triển lãm", 0, 0),
    ]  # the other plan's activity is not there
    assert [(r["checkpoint"], r["admissions"], r["visitors"]) for r in collected["checkin.checkpoints"].rows] == [
        ("Cổng chính", 3, 3),  # the refused scan does not count
        ("Gian hàng", 0, 0),
    ]
    rounds = collected["contests.quiz_rounds"].rows
    assert [(row["contest"], row["round"], row["started"]) for row in rounds] == [("An toàn thông tin", "Tuần 1", 0)]
    everything = {found.section.key: found.rows for found in report_sections.collect(session)}
    assert len(everything["events.activities"]) == 3


def test_a_period_narrows_every_section(session):
    plan = _campaign(session)
    first_week = Period(START - timedelta(days=1), START + timedelta(days=6))
    collected = {found.section.key: found.rows for found in report_sections.collect(session, plan.id, first_week)}
    assert [row["title"] for row in collected["events.activities"]] == ["Ngày hội"]
    after = Period(START + timedelta(days=10), START + timedelta(days=30))
    collected = {found.section.key: found.rows for found in report_sections.collect(session, plan.id, after)}
    assert [row["title"] for row in collected["events.activities"]] == ["Triển lãm"]
    assert [row["admissions"] for row in collected["checkin.checkpoints"]] == [0, 0]
    assert collected["contests.quiz_rounds"] == []


def test_sections_come_by_order_then_key_and_a_second_registration_replaces_the_first():
    registry = ReportSectionRegistry()

    def rows(session, plan_id, period):
        return [{"n": plan_id}]

    column = (ReportColumn("n", "N"),)
    registry.register(ReportSection("b.late", "B", column, rows, order=50))
    registry.register(ReportSection("a.late", "A", column, rows, order=50))
    registry.register(ReportSection("z.first", "Z", column, rows, order=1))
    registry.register(ReportSection("a.late", "A again", column, rows, order=50))
    assert [(s.key, s.title) for s in registry.sections()] == [("z.first", "Z"), ("a.late", "A again"), ("b.late", "B")]
    assert [found.rows for found in registry.collect(None, 7)] == [[{"n": 7}]] * 3
