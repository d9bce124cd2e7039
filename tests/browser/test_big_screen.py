"""The big screen of the square at 1920x1080: a dashboard of one festival's day that fits the display exactly (no
element's box outside it, no scrollbar) and whose every number is the SQL aggregate the test computes itself from
the scan log and the quiz's attempts (not through the app's services)."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import distinct, func, select

from app.demo import load_demo
from app.extensions import db
from app.models import Unit
from checkin.models import Checkpoint, Scan
from contests.models import Contest, Participant, QuizAttempt, QuizRound, RoundState
from events.models import Activity, Registration
from tests.factories import make_activity

pytestmark = pytest.mark.browser
PASSWORD = "mat-khau-demo-1010"
HCM = ZoneInfo("Asia/Ho_Chi_Minh")
SCREEN = {"width": 1920, "height": 1080}
_nonce = itertools.count(1)

# Boxes past the viewport (by more than a rounding pixel) and whether the page scrolls at all.
OVERFLOW = """() => {
  const W = window.innerWidth, H = window.innerHeight, out = [];
  for (const el of document.querySelectorAll('body *')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;
    if (r.left < -1 || r.top < -1 || r.right > W + 1 || r.bottom > H + 1)
      out.push(el.tagName + ' ' + el.getAttribute('class') + ' ' + JSON.stringify([r.left, r.top, r.right, r.bottom]));
  }
  const d = document.documentElement;
  return {out, scrollW: d.scrollWidth, scrollH: d.scrollHeight, W, H};
}"""
FIGURES = """() => [...document.querySelectorAll('[data-figure]')].map(e => ({
  kind: e.dataset.figure, name: e.dataset.name || e.dataset.title || e.dataset.hour || '',
  text: e.textContent.trim(), size: parseFloat(getComputedStyle(e).fontSize)}))"""


def _scan(point, ticket, at, *, admitted=True, undone=False):
    return Scan(
        checkpoint_id=point.id, ticket_id=ticket.id, device_id="screen-test", nonce=f"s{next(_nonce)}",
        scanned_at=at, received_at=at, verdict="admitted" if admitted else "already_checked_in",
        admitted=admitted, undone_at=at + timedelta(minutes=1) if undone else None,
    )  # fmt: skip


def _festival_day(app) -> dict:
    """The demo's festival three hours in: tickets that came, left, came back and visited booths (and scans that
    must not count: a refusal, an undone admission, yesterday's visit), and the quiz's round open with attempts."""
    with app.app_context():
        load_demo(db.session, password=PASSWORD)
        db.session.commit()
        festival = db.session.scalar(
            select(Activity).where(Activity.title == "Ngày hội Chuyển đổi số thành phố Tân Uyên")
        )
        now = festival.starts_at + timedelta(hours=3, minutes=10)
        of_festival = select(Checkpoint).where(Checkpoint.activity_id == festival.id)
        points = {point.name: point for point in db.session.scalars(of_festival)}
        gate, out = points["Cổng chính"], points["Cổng ra"]
        booths = [p for p in points.values() if p.kind == "booth"]
        ward = db.session.scalar(select(Unit).where(Unit.kind == "ward").limit(1))
        people = [
            Registration(
                activity=festival,
                name=f"Khách {i}",
                phone=f"0912{i:06d}",
                ward=ward,
                consent_at=now,
                status="confirmed",
                token=f"screen-ticket-{i}",
            )  # fmt: skip
            for i in range(1234)
        ]
        db.session.add_all(people)
        db.session.flush()
        scans = []
        start = festival.starts_at
        for i, person in enumerate(people):
            at = start + timedelta(minutes=(i * 7) % 190)
            scans.append(_scan(gate, person, at))
            if i % 5 == 0:
                scans.append(_scan(out, person, at + timedelta(minutes=20)))
            if i % 15 == 0:
                scans.append(_scan(gate, person, at + timedelta(minutes=25)))  # came back
            for n in range(i % 4):
                scans.append(_scan(booths[(i + n) % len(booths)], person, at + timedelta(minutes=5 + n)))
        scans.append(_scan(gate, people[0], start + timedelta(minutes=1), admitted=False))
        scans.append(_scan(booths[0], people[1], start + timedelta(minutes=30), undone=True))
        scans.append(_scan(booths[1], people[2], start - timedelta(days=1)))
        db.session.add_all(scans)

        contest = db.session.scalar(select(Contest).where(Contest.kind == "online_quiz"))
        quiz_round = db.session.scalar(select(QuizRound).where(QuizRound.contest_id == contest.id))
        quiz_round.state, quiz_round.opens_at = RoundState.OPEN, now - timedelta(days=1)
        quiz_round.closes_at = now + timedelta(days=2)
        for i in range(57):
            person = Participant(contest_id=contest.id, full_name=f"Thí sinh {i}", phone=f"0987{i:06d}",
                                 phone_hash=f"h{i}", phone_last4=f"{i:04d}", birth_year=1990, consent_at=now,
                                 return_token=f"screen-token-{i}")  # fmt: skip
            db.session.add(person)
            db.session.flush()
            for number in (1, 2) if i % 10 == 0 else (1,):
                db.session.add(QuizAttempt(round_id=quiz_round.id, participant_id=person.id, number=number, seed=1,
                                           started_at=now, deadline_at=now + timedelta(minutes=15)))  # fmt: skip
        db.session.commit()
        return {"activity": festival.id, "round": quiz_round.id, "now": now, "plan": festival.plan_id}


def _expected(app, facts) -> dict:
    """The figures, aggregated here in SQL over the day's admissions (local day in Vietnam)."""
    local = facts["now"].astimezone(HCM)
    day_start = datetime(local.year, local.month, local.day, tzinfo=HCM)
    day_end = day_start + timedelta(days=1)
    admitted = (
        Scan.admitted.is_(True), Scan.undone_at.is_(None), Scan.scanned_at >= day_start, Scan.scanned_at < day_end,
        Checkpoint.activity_id == facts["activity"],
    )  # fmt: skip
    with app.app_context():
        base = select().select_from(Scan).join(Checkpoint, Checkpoint.id == Scan.checkpoint_id).where(*admitted)
        arrivals = db.session.scalar(
            base.add_columns(func.count(distinct(Scan.ticket_id))).where(Checkpoint.kind == "entrance")
        )
        booths = dict(
            db.session.execute(
                select(Checkpoint.name, func.count(distinct(Scan.ticket_id)))
                .join(Scan, Scan.checkpoint_id == Checkpoint.id)
                .where(*admitted, Checkpoint.kind == "booth")
                .group_by(Checkpoint.name)
            ).all()
        )
        moves = db.session.execute(
            base.add_columns(Scan.ticket_id, Checkpoint.kind, Scan.scanned_at, Scan.id).where(
                Checkpoint.kind.in_(["entrance", "exit"])
            )
        ).all()
        quiz = db.session.scalar(
            select(func.count(distinct(QuizAttempt.participant_id))).where(QuizAttempt.round_id == facts["round"])
        )
    last = {}
    for ticket, kind, _at, _id in sorted(moves, key=lambda row: (row[2], row[3])):
        last[ticket] = kind
    hours: dict[str, int] = {}
    for _ticket, kind, at, _id in moves:
        if kind == "entrance":
            hour = str(at.astimezone(HCM).hour)
            hours[hour] = hours.get(hour, 0) + 1
    return {
        "arrivals": {"": arrivals},
        "inside": {"": sum(1 for kind in last.values() if kind == "entrance")},
        "booth": booths,
        "hour": hours,
        "live": {"Cuộc thi trực tuyến tìm hiểu về an toàn, an ninh thông tin": quiz},
    }


def _shown(page) -> dict:
    shown: dict[str, dict[str, int]] = {}
    for figure in page.evaluate(FIGURES):
        assert figure["name"] not in shown.get(figure["kind"], {}), figure
        shown.setdefault(figure["kind"], {})[figure["name"]] = int(figure["text"].replace(".", ""))
    return shown


@pytest.mark.parametrize("path", ["activity", "plan"])
def test_the_big_screen_is_a_dashboard_whose_numbers_are_the_sql_aggregates(
    csrf_live_server, new_context, assert_accessible, artifacts, monkeypatch, path
):
    from checkin.views import counts as views

    facts = _festival_day(csrf_live_server.app)
    monkeypatch.setattr(views, "utcnow", lambda: facts["now"])
    page = new_context(viewport=SCREEN).new_page()
    url = {
        "activity": f"/checkin/activities/{facts['activity']}/screen",
        "plan": f"/checkin/plans/{facts['plan']}/screen",
    }[path]
    response = page.goto(csrf_live_server.url + url)
    assert response.status == 200
    page.screenshot(path=str(artifacts / f"big-screen-1920x1080-{path}.png"))
    assert_accessible(page, "big screen")

    layout = page.evaluate(OVERFLOW)
    assert layout["out"] == [], "\n".join(layout["out"])
    assert (layout["scrollW"], layout["scrollH"]) == (1920, 1080)

    expected = _expected(csrf_live_server.app, facts)
    assert expected["arrivals"][""] > 1000 and expected["inside"][""] > 0 and expected["live"] != {}  # a real day
    assert _shown(page) == expected
    sizes = {f["kind"]: f["size"] for f in page.evaluate(FIGURES)}
    assert sizes["arrivals"] >= 100 and sizes["inside"] >= 100 and sizes["live"] >= 100  # px: read from 10 m
    assert page.locator("svg.screen__qr").count() == 2  # the registration (or programme) page and the quiz


def test_the_fullest_screen_still_fits(csrf_live_server, new_context, artifacts, monkeypatch):
    """The most the screen can hold: a 300-character title, more booths than it shows (long names), arrivals in
    each of the day's 24 hours, two quizzes with an open round (three figures, three QR codes)."""
    from checkin.views import counts as views

    app = csrf_live_server.app
    with app.app_context():
        load_demo(db.session, password=PASSWORD)
        plan_id = db.session.scalar(select(Contest.plan_id).where(Contest.kind == "online_quiz"))
        day = datetime(2030, 10, 5, tzinfo=HCM)
        now = day + timedelta(hours=23, minutes=30)
        title = ("Ngày hội Chuyển đổi số toàn dân " * 10)[:300].strip()
        fair = make_activity(plan_id, title=title, starts_at=day, ends_at=day + timedelta(days=1))
        gate = Checkpoint(activity=fair, name="Cổng chính", kind="entrance", rule="every_time", position=0)
        out = Checkpoint(activity=fair, name="Cổng ra", kind="exit", rule="every_time", position=1)
        booths = [
            Checkpoint(
                activity=fair,
                name=f"Không gian trải nghiệm ứng dụng số, dữ liệu số và trí tuệ nhân tạo {n}",
                kind="booth",
                rule="every_time",
                position=2 + n,
            )  # fmt: skip
            for n in range(14)
        ]
        ward = db.session.scalar(select(Unit).where(Unit.kind == "ward").limit(1))
        people = [Registration(activity=fair, name=f"K {i}", phone=f"0913{i:06d}", ward=ward, consent_at=day,
                               status="confirmed", token=f"full-{i}") for i in range(480)]  # fmt: skip
        db.session.add_all([fair, gate, out, *booths, *people])
        db.session.flush()
        for i, person in enumerate(people):
            at = day + timedelta(minutes=3 * i)
            db.session.add_all([_scan(gate, person, at), _scan(booths[i % 14], person, at + timedelta(minutes=1))])
            if i % 3:
                db.session.add(_scan(out, person, at + timedelta(minutes=2)))
        first = db.session.scalar(select(Contest).where(Contest.kind == "online_quiz"))
        second = Contest(plan_id=plan_id, title="Cuộc thi thứ hai " * 10, kind="online_quiz", is_published=True)
        db.session.add(second)
        db.session.flush()
        for contest in (first, second):
            for quiz_round in db.session.scalars(select(QuizRound).where(QuizRound.contest_id == contest.id)):
                db.session.delete(quiz_round)
            db.session.flush()
            db.session.add(QuizRound(contest_id=contest.id, title="Tuần 1: Nhận diện lừa đảo trực tuyến " * 4,
                                     position=1, opens_at=day, closes_at=day + timedelta(days=3),
                                     state=RoundState.OPEN))  # fmt: skip
        db.session.commit()
        fair_id = fair.id
    monkeypatch.setattr(views, "utcnow", lambda: now)
    page = new_context(viewport=SCREEN).new_page()
    assert page.goto(f"{csrf_live_server.url}/checkin/activities/{fair_id}/screen").status == 200
    page.screenshot(path=str(artifacts / "big-screen-1920x1080-fullest.png"))
    layout = page.evaluate(OVERFLOW)
    assert layout["out"] == [], "\n".join(layout["out"])
    assert (layout["scrollW"], layout["scrollH"]) == (1920, 1080)
    shown = _shown(page)
    assert len(shown["booth"]) == 10 and len(shown["hour"]) == 24 and len(shown["live"]) == 2
    assert page.locator("svg.screen__qr").count() == 3
