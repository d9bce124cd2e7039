"""The statements behind a round's hot paths, pinned: the question page mid-attempt and the answer save run at
every step of every participant, the sign-up and the start once per participant at a round's opening
(bench/scenarios/contests.py measures them), so a refactor that adds a query to any shows here first."""

from __future__ import annotations

import pytest

from tests.contests.records import world


@pytest.fixture
def quiz(app):
    return world(app)


def test_the_question_page_is_one_statement(client, quiz, count_queries):
    url = f"/contests/me/{quiz.token}/rounds/{quiz.open_round_id}/questions/2"
    client.get(url)
    with count_queries() as statements:
        page = client.get(url)
    assert page.status_code == 200
    # who, which round and attempt, the question, its options and the answered positions: one query of columns
    assert len(statements) == 1, statements


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


def test_signing_up_and_starting_at_the_opening(client, quiz, count_queries):
    """The opening crowd's path (bench: "quiz opening crowd"): the sign-up POST, the start, and the first question
    it leads to. The bank is already kept (another participant started first), as it is for all but the first."""
    assert client.post(f"/contests/me/{quiz.fresh_token}/rounds/{quiz.open_round_id}/start").status_code == 303
    body = {"full_name": "Đặng Thu Trang", "phone": "0933 123 456", "ward_id": str(quiz.ward_id),
            "birth_year": "2007", "consent": "y"}  # fmt: skip
    with count_queries() as signing_up:
        joined = client.post(f"/contests/{quiz.contest_id}/join", data=body)
    assert joined.status_code == 303
    start = joined.headers["Location"].replace("/contests/me/", "").strip("/")
    with count_queries() as starting:
        started = client.post(f"/contests/me/{start}/rounds/{quiz.open_round_id}/start")
    assert started.status_code == 303
    requests = 0
    with count_queries() as reaching:
        location = started.headers["Location"]
        while location:
            page = client.get(location)
            requests += 1
            location = page.headers.get("Location") if page.status_code == 303 else None
    assert page.status_code == 200 and "/questions/1" in page.request.path
    # the contest (its plan's visibility in SQL) with the ward's kind; the participant inserted unless a unique key
    # refuses it (no savepoint). No read before with one identity key (TestConfig's); with an older key beside it
    # (instance/identity_keys by default) one more, the duplicate check. Before issue 25: 6 (7 with a plan).
    assert len(signing_up) == 2, signing_up
    # who, which round and attempt; the bank's version (the bank itself kept); the attempt inserted unless another
    # start won (no savepoint); its questions. Before: 6.
    assert len(starting) == 4, starting
    # straight to the first question, shown in one query. Before: through resume, 2 requests and 4 statements.
    assert (requests, len(reaching)) == (1, 1), reaching
