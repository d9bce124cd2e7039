"""The public big screen (numbers only, refreshing itself, cached per data version for anonymous visitors) and
the organizer's live-counts page."""

from __future__ import annotations

import itertools
import re
from datetime import UTC, date, datetime, timedelta

import pytest

from app.extensions import db
from app.models import Unit
from checkin.models import Checkpoint, Scan
from events.models import Activity, Registration
from tests.factories import make_activity, make_plan

START = datetime(2030, 10, 5, 1, 0, tzinfo=UTC)
_nonce = itertools.count(1)


@pytest.fixture
def square(app):
    with app.app_context():
        plan = make_plan(period_start=date(2030, 9, 15), period_end=date(2030, 10, 31))
        ward = Unit(name="Phường Uyên Hưng", kind="ward")
        public = make_activity(plan, starts_at=START, hours=8)
        internal = make_activity(plan, title="Họp nội bộ", kind="ceremony", starts_at=START, hours=2, is_public=False)
        gate = Checkpoint(activity=public, name="Cổng chính", kind="entrance", rule="once", position=0)
        out = Checkpoint(activity=public, name="Cổng ra", kind="exit", rule="every_time", position=1)
        booth = Checkpoint(activity=public, name="Không gian xã hội số", kind="booth", rule="every_time", position=2)
        people = [
            Registration(
                activity=public,
                name=f"Nguyễn Văn Bí Mật {i}",
                phone=f"090000000{i}",
                ward=ward,
                consent_at=START,
                status="confirmed",
                token=f"secret-token-{i}",
            )  # fmt: skip
            for i in range(3)
        ]
        db.session.add_all([plan, ward, public, internal, gate, out, booth, *people])
        db.session.commit()
        return {
            "activity": public.id,
            "internal": internal.id,
            "gate": gate.id,
            "out": out.id,
            "booth": booth.id,
            "tickets": [p.id for p in people],
        }


def add_scan(app, point_id, ticket_id, minutes):
    with app.app_context():
        db.session.add(
            Scan(
                checkpoint_id=point_id,
                ticket_id=ticket_id,
                device_id="phone",
                nonce=f"n{next(_nonce)}",
                scanned_at=START + timedelta(minutes=minutes),
                received_at=START + timedelta(minutes=minutes),
                verdict="admitted",
                admitted=True,
            )  # fmt: skip
        )
        db.session.commit()


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    """The screen's clock, two hours into the festival unless a test moves it."""
    from checkin.views import counts as views

    now = [START + timedelta(hours=2)]
    monkeypatch.setattr(views, "utcnow", lambda: now[0])
    return now


def figure(page: str, name: str) -> str:
    """The number the screen shows as ``name`` (its ``data-figure``)."""
    return re.search(rf'data-figure="{name}"[^>]*>([^<]*)<', page)[1]


def test_the_big_screen_shows_numbers_without_personal_data_and_refreshes(app, client, square):
    for ticket in square["tickets"]:
        add_scan(app, square["gate"], ticket, 1)
    add_scan(app, square["out"], square["tickets"][0], 30)
    add_scan(app, square["booth"], square["tickets"][1], 10)
    response = client.get(f"/checkin/activities/{square['activity']}/screen")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert figure(page, "inside") == "2"
    assert figure(page, "arrivals") == "3"
    assert "Không gian xã hội số" in page
    assert 'data-refresh="15"' in page and "js/screen.js" in page
    assert "Bí Mật" not in page and "secret-token" not in page and "0900" not in page
    assert response.headers["Cache-Control"] == "public, max-age=10"


def test_anonymous_screens_are_served_from_the_cache_within_a_window(app, client, square, count_queries, monkeypatch):
    """However fast tickets are scanned, the figures are computed once per window; the next window shows them."""
    from checkin.views import counts as views

    window = [1000]
    monkeypatch.setattr(views, "_window", lambda: window[0])
    url = f"/checkin/activities/{square['activity']}/screen"
    add_scan(app, square["gate"], square["tickets"][0], 1)
    first = client.get(url).get_data(as_text=True)
    add_scan(app, square["gate"], square["tickets"][1], 2)  # a scan in the same window: the cached screen
    with count_queries() as queries:
        second = client.get(url).get_data(as_text=True)
    assert second == first and figure(second, "arrivals") == "1"
    assert len(queries) == 2  # the activity, then the data versions in one statement; no aggregate
    window[0] += 1
    assert figure(client.get(url).get_data(as_text=True), "arrivals") == "2"


def test_a_renamed_checkpoint_shows_at_once(app, client, square, monkeypatch):
    from checkin.views import counts as views

    monkeypatch.setattr(views, "_window", lambda: 1000)
    url = f"/checkin/activities/{square['activity']}/screen"
    assert "Không gian xã hội số" in client.get(url).get_data(as_text=True)
    with app.app_context():
        db.session.get(Checkpoint, square["booth"]).name = "Không gian số cộng đồng"
        db.session.commit()
    assert "Không gian số cộng đồng" in client.get(url).get_data(as_text=True)


def test_the_screen_of_an_internal_activity_is_not_public(client, square, make_user, login):
    assert client.get(f"/checkin/activities/{square['internal']}/screen").status_code == 404
    assert client.get("/checkin/activities/999999/screen").status_code == 404
    login(make_user("organizer"))
    response = client.get(f"/checkin/activities/{square['internal']}/screen")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"


def test_the_organizer_sees_counts_per_checkpoint_and_hour(app, client, square, make_user, login):
    add_scan(app, square["gate"], square["tickets"][0], 5)  # 08:05 local
    add_scan(app, square["gate"], square["tickets"][1], 70)  # 09:10
    add_scan(app, square["booth"], square["tickets"][0], 75)
    add_scan(app, square["booth"], square["tickets"][0], 80)
    login(make_user("organizer"))
    page = client.get(f"/checkin/activities/{square['activity']}/counts").get_data(as_text=True)
    assert "Lượt vào theo điểm soát vé" in page and "Lượt vào theo giờ" in page
    assert "05/10 08:00–09:00" in page and "05/10 09:00–10:00" in page
    points = page[page.index('id="points"') : page.index('id="hours"')]
    booth = points[points.index("Không gian xã hội số") :]
    assert "<span>2</span>" in booth and '<td class="num">1</td>' in booth  # two admissions, one visitor
    assert "Nguyễn Văn Bí Mật" not in page


@pytest.fixture
def tour(app, square):
    """A three-day exhibition of the same plan (06/10 08:00 to 08/10 17:00 local) with an entrance, an exit and a
    booth."""
    with app.app_context():
        public = db.session.get(Activity, square["activity"])
        ward = db.session.scalar(db.select(Unit))
        fair = make_activity(
            public.plan_id,
            title="Triển lãm ba ngày",
            kind="exhibition",
            starts_at=START + timedelta(days=1),
            ends_at=START + timedelta(days=3, hours=9),
        )
        gate = Checkpoint(activity=fair, name="Cổng triển lãm", kind="entrance", rule="once_per_day", position=0)
        out = Checkpoint(activity=fair, name="Cổng ra triển lãm", kind="exit", rule="every_time", position=1)
        booth = Checkpoint(activity=fair, name="Gian sách", kind="booth", rule="every_time", position=2)
        people = [
            Registration(
                activity=fair,
                name=f"Khách {i}",
                phone=f"091000000{i}",
                ward=ward,
                consent_at=START,
                status="confirmed",
                token=f"fair-token-{i}",
            )  # fmt: skip
            for i in range(4)
        ]
        db.session.add_all([fair, gate, out, booth, *people])
        db.session.commit()
        return {
            "activity": fair.id,
            "gate": gate.id,
            "out": out.id,
            "booth": booth.id,
            "tickets": [p.id for p in people],
        }


def test_a_day_is_chosen_by_url_in_any_spelling_and_counts_only_its_own_scans(app, client, tour, clock):
    # day 1 (06/10): three came, one left; day 2 (07/10): one came (09:xx) and visited the booth twice
    for ticket in tour["tickets"][:3]:
        add_scan(app, tour["gate"], ticket, 24 * 60 + 30)
    add_scan(app, tour["out"], tour["tickets"][0], 24 * 60 + 90)
    add_scan(app, tour["gate"], tour["tickets"][3], 48 * 60 + 60)
    add_scan(app, tour["booth"], tour["tickets"][3], 48 * 60 + 70)
    add_scan(app, tour["booth"], tour["tickets"][3], 48 * 60 + 80)
    clock[0] = START + timedelta(days=2, hours=3)  # 07/10 11:00 local, day 2 of 3
    url = f"/checkin/activities/{tour['activity']}/screen"
    today = client.get(url).get_data(as_text=True)
    assert 'data-day="2030-10-07"' in today
    assert figure(today, "arrivals") == "1" and figure(today, "inside") == "1"  # yesterday's visitors are not inside
    assert figure(today, "booth") == "1" and figure(today, "hour") == "1"
    for spelling in ("2030-10-06", "06/10", "6/10/2030", "０６/１０"):
        page = client.get(url, query_string={"day": spelling}).get_data(as_text=True)
        assert 'data-day="2030-10-06"' in page, spelling
        assert figure(page, "arrivals") == "3", spelling
        assert 'data-figure="inside"' not in page  # not the day being lived: no "inside now"
    for wrong in ("2030-10-05", "2030-10-09", "31/02", "2030-02-31", "tomorrow", "06/10/2031", "1" * 5000):
        assert client.get(url, query_string={"day": wrong}).status_code == 404, wrong[:20]


def test_the_campaign_screen_follows_the_plan_and_checks_its_activity(app, client, square, tour, clock):
    url = f"/checkin/plans/{db_plan(app, square)}/screen"
    clock[0] = START + timedelta(hours=2)  # the festival is on
    assert "Ngày hội Chuyển đổi số" in client.get(url).get_data(as_text=True)
    clock[0] = START + timedelta(hours=12)  # between the two: the next one
    assert "Triển lãm ba ngày" in client.get(url).get_data(as_text=True)
    clock[0] = START + timedelta(days=40)  # after both: the last one
    assert "Triển lãm ba ngày" in client.get(url).get_data(as_text=True)
    chosen = client.get(url, query_string={"activity": square["activity"], "day": "05/10"})
    assert chosen.status_code == 200 and "Ngày hội Chuyển đổi số" in chosen.get_data(as_text=True)
    for wrong in (square["internal"], 999999, "abc", "１", "99999999999", "-1"):
        assert client.get(url, query_string={"activity": wrong}).status_code == 404, wrong
    assert client.get("/checkin/plans/999999/screen").status_code == 404


def db_plan(app, square) -> int:
    with app.app_context():
        return db.session.get(Activity, square["activity"]).plan_id


def test_the_quiz_shows_its_participants_and_a_qr_only_while_a_round_is_open(app, client, square, clock):
    from contests.models import Contest, Participant, QuizAttempt, QuizRound, RoundState

    with app.app_context():
        contest = Contest(plan_id=db_plan(app, square), title="Cuộc thi an toàn thông tin", kind="online_quiz",
                          is_published=True)  # fmt: skip
        quiz_round = QuizRound(contest=contest, title="Tuần 1", opens_at=START - timedelta(days=1),
                               closes_at=START + timedelta(hours=5), state=RoundState.OPEN)  # fmt: skip
        db.session.add_all([contest, quiz_round])
        db.session.flush()
        for i in range(3):
            person = Participant(contest_id=contest.id, full_name=f"Thí sinh Bí Mật {i}", phone=f"098000000{i}",
                                 phone_hash=f"h{i}", phone_last4="0000", birth_year=1990, consent_at=START,
                                 return_token=f"return-{i}")  # fmt: skip
            db.session.add(person)
            db.session.flush()
            for number in (1, 2) if i == 0 else (1,):  # one person's two attempts count once
                attempt = QuizAttempt(round_id=quiz_round.id, participant_id=person.id, number=number, seed=1,
                                      started_at=START, deadline_at=START + timedelta(minutes=15))  # fmt: skip
                db.session.add(attempt)
        db.session.commit()
        contest_id = contest.id
    url = f"/checkin/activities/{square['activity']}/screen"
    page = client.get(url).get_data(as_text=True)
    assert figure(page, "live") == "3" and "Tuần 1" in page and "Bí Mật" not in page
    assert page.count('class="screen__qr"') == 2 and f"/contests/{contest_id}" in page
    clock[0] = START + timedelta(hours=6)  # the round has closed
    page = client.get(url).get_data(as_text=True)
    assert 'data-figure="live"' not in page and page.count('class="screen__qr"') == 1
