"""The organizer's rounds on issue 23: a new round starts from usual numbers, "open now" beside "close now", and the
winners' phones in full (audited) on the ranking and its export, masked everywhere else."""

from __future__ import annotations

import io
import re

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEntry, utcnow
from contests.models import QuizRound, RoundState
from tests.contests.records import world

WINNER_PHONE = "0911000001"  # the closed round's first prize (records.build)
RUNNER_UP_PHONE = "0911000002"  # its second prize
DISQUALIFIED_PHONE = "0911000005"


@pytest.fixture
def quiz(app):
    return world(app)


def test_a_new_round_starts_from_usual_numbers_not_empty_fields(organizer, quiz):
    page = organizer.get(f"/contests/{quiz.contest_id}/rounds/new").get_data(as_text=True)
    for field, value in {
        "question_count": "10", "time_limit_minutes": "15", "attempts_allowed": "1",
        "prize_first": "1", "prize_second": "2", "prize_third": "3", "prize_consolation": "5",
    }.items():  # fmt: skip
        tag = re.search(rf'<input[^>]*name="{field}"[^>]*>', page).group(0)
        assert f'value="{value}"' in tag, tag


def test_open_now_sits_beside_close_now_and_opens_a_scheduled_round_at_once(app, organizer, quiz):
    rounds = organizer.get(f"/contests/{quiz.contest_id}/rounds").get_data(as_text=True)
    assert f"/contests/rounds/{quiz.later_round_id}/open" in rounds
    assert f"/contests/rounds/{quiz.open_round_id}/open" not in rounds  # already open: only "close now"
    confirm = organizer.get(f"/contests/rounds/{quiz.later_round_id}/open")
    assert confirm.status_code == 200 and 'name="confirm"' in confirm.get_data(as_text=True)
    response = organizer.post(f"/contests/rounds/{quiz.later_round_id}/open", data={"confirm": "1"})
    assert response.status_code == 302
    with app.app_context():
        later = db.session.get(QuizRound, quiz.later_round_id)
        assert later.state == RoundState.OPEN and later.accepts_attempts(utcnow())
    # A citizen may start it now.
    home = organizer.get(f"/contests/me/{quiz.fresh_token}").get_data(as_text=True)
    assert f"/contests/me/{quiz.fresh_token}/rounds/{quiz.later_round_id}/start" in home


def test_opening_a_round_twice_is_refused_with_the_reason(app, organizer, quiz):
    organizer.post(f"/contests/rounds/{quiz.open_round_id}/open", data={"confirm": "1"})
    page = organizer.get(f"/contests/{quiz.contest_id}/rounds?lang=en").get_data(as_text=True)
    assert "This round is already open." in page or "Vòng thi này đã mở" in page


def _phone_audits(app):
    with app.app_context():
        return db.session.scalars(select(AuditEntry).where(AuditEntry.action == "disclose")).all()


def test_the_ranking_shows_winners_phones_in_full_to_organizers_and_audits_it(app, organizer, quiz):
    page = organizer.get(f"/contests/rounds/{quiz.closed_round_id}/ranking").get_data(as_text=True)
    assert f'href="tel:{WINNER_PHONE}"' in page and f'href="tel:{RUNNER_UP_PHONE}"' in page
    assert DISQUALIFIED_PHONE not in page and "******" + DISQUALIFIED_PHONE[-4:] in page  # no prize: masked
    audits = _phone_audits(app)
    assert len(audits) == 1
    entry = audits[0]
    assert entry.actor_id == quiz.organizer_id and entry.entity_id == f"round:{quiz.closed_round_id}"
    assert entry.changes["count"] == 2 and WINNER_PHONE not in str(entry.changes)  # who saw, never the phones


def test_everyone_else_sees_winners_phones_masked(app, client, sign_in, make_user, quiz):
    results = client.get(f"/contests/rounds/{quiz.closed_round_id}/results").get_data(as_text=True)
    assert WINNER_PHONE not in results and RUNNER_UP_PHONE not in results
    reporter = make_user("unit_reporter")
    sign_in(client, reporter["id"])
    response = client.get(f"/contests/rounds/{quiz.closed_round_id}/ranking")
    assert response.status_code in (302, 403) and WINNER_PHONE not in response.get_data(as_text=True)
    assert _phone_audits(app) == []


def test_the_export_gives_winners_phones_in_full_and_is_audited(app, organizer, quiz):
    response = organizer.get(f"/contests/rounds/{quiz.closed_round_id}/export.xlsx")
    rows = list(load_workbook(io.BytesIO(response.data))["Lượt thi"].iter_rows(values_only=True))
    phones = {row[1]: row[2] for row in rows[1:]}
    assert phones["Lê Văn Hùng"] == WINNER_PHONE and phones["Phạm Thị Hoa"] == RUNNER_UP_PHONE
    assert phones["Đỗ Văn Nam"] == "******" + DISQUALIFIED_PHONE[-4:]
    with app.app_context():
        assert db.session.scalar(
            select(AuditEntry).where(AuditEntry.action == "export", AuditEntry.entity == "QuizAttempt")
        )


def test_the_live_counts_of_an_open_round_break_down_by_ward_and_refresh_in_place(organizer, quiz):
    page = organizer.get(f"/contests/rounds/{quiz.open_round_id}/ranking?lang=en").get_data(as_text=True)
    block = page.split('id="live-counts"', 1)[1].split("</section>", 1)[0]
    assert 'data-refresh="15"' in block
    # The open round: one attempt started (records.build), from Phường Uyên Hưng, not submitted.
    row = block.split("Phường Uyên Hưng", 1)[1].split("</tr>", 1)[0]
    assert re.findall(r'<td class="num">(\d+)</td>', row) == ["1", "0"]
    assert "Phường Khánh Bình" not in block
    assert "js/live-counts.js" in page
    closed = organizer.get(f"/contests/rounds/{quiz.closed_round_id}/ranking").get_data(as_text=True)
    assert "js/live-counts.js" not in closed and "data-refresh" not in closed
