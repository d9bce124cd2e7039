"""The correct answers never reach the browser before the round closes: every page and JSON answer a participant
can get during an open round is rendered, and none holds an explanation, a source, an ``is_correct`` or anything
that tells the correct option from the others. Also: each question page is small (under 50 KB with its CSS and
script cached, as on a slow phone after the first page) and the same page reserves the room of what changes."""

from __future__ import annotations

import re

import pytest

from app.extensions import db
from app.models import utcnow
from contests.models import QuizRound
from contests.services.rounds import ranking
from tests.contests.records import CORRECT_TEXT, EXPLANATION, world

SOURCE = "Cục An toàn thông tin"
BUDGET = 50 * 1024


@pytest.fixture
def quiz(app):
    return world(app)


def everything_a_participant_sees(client, quiz) -> dict[str, str]:
    """url -> body of every page and JSON answer of the open round, for the participant under way."""
    base = f"/contests/me/{quiz.token}/rounds/{quiz.open_round_id}"
    api = f"/contests/api/me/{quiz.token}/rounds/{quiz.open_round_id}"
    seen = {}

    def get(url, **kwargs):
        response = client.get(url, follow_redirects=True, **kwargs)
        assert response.status_code == 200, url
        seen[url] = response.get_data(as_text=True)
        return response

    for url in (f"/contests/{quiz.contest_id}", f"/contests/me/{quiz.token}", base, f"{base}/review", f"{base}/result",
                "/contests/", f"{api}/attempt", f"/contests/{quiz.contest_id}/join",
                f"/contests/{quiz.contest_id}/return"):  # fmt: skip
        get(url)
    for position in range(1, 5):
        page = get(f"{base}/questions/{position}").get_data(as_text=True)
        option = page.split('name="single" value="')[1].split('"')[0]
        saved = client.post(f"{api}/answers", json={"position": position, "options": [option]})
        seen[f"POST {api}/answers {position}"] = saved.get_data(as_text=True)
        wrong = client.post(f"{api}/answers", json={"position": position, "options": ["x", "y"]})
        seen[f"POST {api}/answers {position} (refused)"] = wrong.get_data(as_text=True)
        posted = client.post(f"{base}/questions/{position}", data={"single": option, "go": "next"})
        seen[f"POST {base}/questions/{position}"] = posted.get_data(as_text=True)
        get(f"{base}/questions/{position}")  # with the choice ticked
    get(f"{base}/review")
    return seen


def test_no_page_or_json_of_an_open_round_gives_the_answers_away(client, quiz):
    seen = everything_a_participant_sees(client, quiz)
    assert len(seen) >= 25
    for url, body in seen.items():
        assert EXPLANATION not in body, url
        assert SOURCE not in body, url
        assert "is_correct" not in body and "correct_option" not in body, url
        # The words may appear only in the instructions and in the rules' sentences on when answers are published,
        # never beside an answer.
        said = body.lower().replace("đánh dấu tất cả các đáp án đúng", "")
        said = PUBLISHED_AT_CLOSE.sub("", said)
        assert "đáp án đúng" not in said, url
    # The correct option is shown, like the others, and its markup differs from theirs only by its id and text.
    question_pages = [body for url, body in seen.items() if "/questions/" in url and not url.startswith("POST")]
    assert any(CORRECT_TEXT in body for body in question_pages)
    for body in question_pages:
        items = re.findall(r'<ul class="quiz-options">(.*?)</ul>', body, re.S)[0].split("</li>")
        shapes = set()
        for item in items:
            if item.strip():
                shape = re.sub(r'value="[\w-]+"|<span>.*?</span>|\bchecked\b', "", item)
                shapes.add(re.sub(r"\s+", " ", shape).replace(" >", ">").strip())
        assert len(shapes) == 1, shapes


def test_the_same_participant_sees_the_answers_once_the_round_is_closed(app, client, quiz, sign_in):
    client.post(f"/contests/api/me/{quiz.token}/rounds/{quiz.open_round_id}/answers", json={"position": 1,
                "options": [quiz.correct_first_handle]})  # fmt: skip
    with app.app_context():
        ranking.close_round(db.session, db.session.get(QuizRound, quiz.open_round_id), now=utcnow())
        db.session.commit()
    result = client.get(f"/contests/me/{quiz.token}/rounds/{quiz.open_round_id}/result").get_data(as_text=True)
    assert EXPLANATION in result and SOURCE in result and "đáp án đúng" in result


def test_a_question_page_is_small_and_its_styles_and_script_are_files_a_phone_keeps(client, quiz):
    page = client.get(f"/contests/me/{quiz.token}/rounds/{quiz.open_round_id}/questions/2")
    html = page.get_data()
    assert len(html) < 12 * 1024  # the page itself; the budget below counts what a later page load fetches
    assert len(html) < BUDGET
    assert "<style" not in page.get_data(as_text=True) and "<script>" not in page.get_data(as_text=True)
    # The first load also fetches the CSS and the scripts, once; even then it stays under the budget.
    assets = ["/static/css/app.css", "/static/js/app.js", "/static/js/quiz.js"]
    sizes = []
    for asset in assets:
        response = client.get(asset)
        assert response.status_code == 200
        sizes.append(len(response.get_data()))
        response.close()
    assert len(html) + sum(sizes) < BUDGET


def test_the_timer_and_the_save_status_hold_their_room_before_any_script_runs(client, quiz):
    body = client.get(f"/contests/me/{quiz.token}/rounds/{quiz.open_round_id}/questions/1").get_data(as_text=True)
    # The time left is printed by the server (mm:ss), so the script only replaces digits of the same width.
    assert re.search(r'<span class="timer__value">\d+:\d\d</span>', body)
    assert 'role="timer"' in body and 'aria-live="assertive"' in body and 'id="save-status"' in body
    # The threshold messages are in the page, in its language, for the script to speak at 5 and 1 minutes.
    assert 'data-msg-5="Còn 5 phút."' in body and 'data-msg-1="Còn 1 phút."' in body


# What a JSON answer of an open round may hold, key by key: anything else (a "correct", a "result", a "score") is a
# leak, whatever its name or value.
JSON_KEYS = {"round_id", "question_count", "answered", "remaining_seconds", "deadline_at", "submitted", "closed",
             "csrf_token", "position", "options", "saved_at", "error", "code", "message", "fields", "choice",
             "question", "prediction"}  # fmt: skip
BOOLEAN_KEYS = {"submitted", "closed"}  # the attempt's and the round's state, never an answer's
PUBLISHED_AT_CLOSE = re.compile(r"[^.<>]*đáp án đúng[^.<>]*được công bố khi vòng thi kết thúc")
TELLING_WORDS = re.compile(r"correct|right|wrong|score|đúng|sai|điểm", re.I)


def walk(value, path="$"):
    """Every (path, key, value) of a JSON document, depth first."""
    if isinstance(value, dict):
        for key, inner in value.items():
            yield path, key, inner
            yield from walk(inner, f"{path}.{key}")
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield from walk(inner, f"{path}[{index}]")


def test_no_json_of_an_open_round_carries_correctness_in_any_key_or_value(client, quiz):
    import json

    seen = everything_a_participant_sees(client, quiz)
    documents = {url: json.loads(body) for url, body in seen.items() if "/api/" in url}
    assert len(documents) >= 9
    for url, document in documents.items():
        for path, key, value in walk(document):
            assert key in JSON_KEYS, (url, path, key)
            assert not isinstance(value, bool) or key in BOOLEAN_KEYS, (url, path, key)
            if isinstance(value, str) and key not in ("csrf_token", "message"):
                assert not TELLING_WORDS.search(value), (url, path, key, value)


def test_a_right_and_a_wrong_answer_are_saved_with_the_same_answer_but_their_options(client, quiz):
    api = f"/contests/api/me/{quiz.token}/rounds/{quiz.open_round_id}/answers"
    wrong = next(h for h in quiz.first_handles if h != quiz.correct_first_handle)
    answers = []
    for option in (quiz.correct_first_handle, wrong, quiz.correct_first_handle):
        response = client.post(api, json={"position": 1, "options": [option]})
        assert response.status_code == 200
        body = response.get_json()
        assert body.pop("options") == [option]
        body.pop("saved_at")
        assert isinstance(body.pop("remaining_seconds"), int)  # the clock runs between the saves
        answers.append(body)
    assert answers[0] == answers[1] == answers[2]
