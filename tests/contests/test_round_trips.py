"""The statements behind a round's hot paths, pinned: the question page mid-attempt and the answer save run at
every step of every participant (bench/scenarios/contests.py measures them), so a refactor that adds a query to
either shows here first."""

from __future__ import annotations

import pytest

from tests.contests.records import world


@pytest.fixture
def quiz(app):
    return world(app)


def test_the_question_page_is_two_statements(client, quiz, count_queries):
    url = f"/contests/me/{quiz.token}/rounds/{quiz.open_round_id}/questions/2"
    client.get(url)
    with count_queries() as statements:
        page = client.get(url)
    assert page.status_code == 200
    # who, which round and attempt (one query); the question, its options and the answered positions (one more)
    assert len(statements) == 2, statements


def test_an_answer_save_is_four_statements_and_a_repeat_two(client, quiz, count_queries):
    url = f"/contests/api/me/{quiz.token}/rounds/{quiz.open_round_id}/answers"
    body = {"position": 1, "options": [quiz.correct_first_handle]}
    with count_queries() as statements:
        saved = client.post(url, json=body)
    assert saved.status_code == 200
    # find the attempt and question; read the options and the saved answer; claim the attempt; upsert the answer
    assert len(statements) == 4, statements
    with count_queries() as statements:
        again = client.post(url, json=body)
    assert again.status_code == 200 and again.json["options"] == [quiz.correct_first_handle]
    assert len(statements) == 2, statements  # the same choice again writes nothing


def test_a_start_reads_the_participant_once_and_the_bank_from_its_kept_version(client, quiz, count_queries):
    url = f"/contests/me/{quiz.fresh_token}/rounds/{quiz.open_round_id}/start"
    with count_queries() as statements:
        started = client.post(url)
    assert started.status_code == 303
    reads = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    # who, which round, the latest attempt (one query); the bank's version (the bank itself is kept per version,
    # read here once since the test's database is new)
    assert len(reads) <= 4, reads
    other = f"/contests/me/{quiz.token}/rounds/{quiz.open_round_id}/start"
    with count_queries() as statements:
        assert client.post(other).status_code == 303  # already under way: continues, writes nothing
    assert len(statements) == 1, statements
