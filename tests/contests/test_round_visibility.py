"""A draft round stays with the organizers (``QuizRound.is_visible``): citizens neither see it on the contest page
nor reach it by its URL, even with a return token of the contest."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from app.extensions import db
from contests.models import QuizRound, RoundState
from tests.contests.records import world


@pytest.fixture
def quiz(app):
    records = world(app)
    with app.app_context():
        db.session.execute(
            update(QuizRound).where(QuizRound.id == records.later_round_id).values(state=RoundState.DRAFT)
        )
        db.session.commit()
    return records


def test_a_draft_round_is_neither_listed_nor_reachable(client, quiz, app):
    with app.app_context():
        title = db.session.get(QuizRound, quiz.later_round_id).title
    assert title not in client.get(f"/contests/{quiz.contest_id}").get_data(as_text=True)
    assert title not in client.get(f"/contests/me/{quiz.token}").get_data(as_text=True)
    assert client.get(f"/contests/me/{quiz.token}/rounds/{quiz.later_round_id}").status_code == 404
    assert client.get(f"/contests/api/me/{quiz.token}/rounds/{quiz.later_round_id}/attempt").status_code == 404
