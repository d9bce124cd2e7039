"""The online quiz as citizens and organizers use it, through the pages (CSRF off as in TestConfig; the CSRF sweep
and the route tables cover the tokens): sign-up and return, a round taken without JavaScript, the JSON save, the
deadline, results after close, and the organizer's rounds, bank, import, flags and figures."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.legal import law_in_force
from app.models import AuditEntry
from contests.models import AttemptAnswer, Participant, Question, QuizAttempt, QuizRound, UnitPopulation
from tests.contests.records import CORRECT_TEXT, EXPLANATION, world


@pytest.fixture
def quiz(app):
    return world(app)


def attempt_url(quiz, token=None, round_id=None, tail=""):
    return f"/contests/me/{token or quiz.token}/rounds/{round_id or quiz.open_round_id}{tail}"


def join_body(quiz, **changes):
    return {
        "full_name": "Đặng Thu Trang",
        "phone": "0933 123 456",
        "ward_id": str(quiz.ward_id),
        "birth_year": "2007",
        "cccd": "079 207 001 234",
        "consent": "y",
    } | changes


# --- sign-up and return ---------------------------------------------------------------------------------------------


def test_a_citizen_signs_up_and_lands_on_their_rounds_with_a_return_cookie(app, client, quiz):
    page = client.get(f"/contests/{quiz.contest_id}/join").get_data(as_text=True)
    assert "Phường Uyên Hưng" in page and law_in_force(datetime.now(UTC).year) in page
    response = client.post(f"/contests/{quiz.contest_id}/join", data=join_body(quiz))
    assert response.status_code == 303
    assert response.headers["Location"].startswith("/contests/me/")
    assert f"dxq{quiz.contest_id}=" in response.headers["Set-Cookie"]
    home = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Đặng Thu Trang" in home and "Tuần 2" in home and "1234" in home
    with app.app_context():
        person = db.session.scalar(select(Participant).where(Participant.full_name == "Đặng Thu Trang"))
        assert person.cccd_last4 == "1234"
        stored = " ".join(str(getattr(person, c.key)) for c in Participant.__table__.columns)
        assert "079207001234" not in stored  # the CCCD itself is never stored
    # On the same phone, the contest page offers to continue.
    contest_page = client.get(f"/contests/{quiz.contest_id}").get_data(as_text=True)
    assert "Đặng Thu Trang" in contest_page


def test_the_sign_up_form_is_kept_as_bytes_and_a_renamed_contest_shows_at_once(app, client, quiz, count_queries):
    from contests.models import Contest  # noqa: PLC0415

    url = f"/contests/{quiz.contest_id}/join"
    first = client.get(url)
    assert first.status_code == 200 and "dxdev" in first.headers.get("Set-Cookie", "")  # the device cookie too
    with count_queries() as statements:
        again = client.get(url)
    assert again.status_code == 200 and 'name="ward_id"' in again.get_data(as_text=True)
    assert len(statements) <= 2, statements  # the versions: no contest, no 500 wards
    with app.app_context():
        db.session.get(Contest, quiz.contest_id).title = "Cuộc thi Tìm hiểu an toàn thông tin 2027"
        db.session.commit()
    assert "Cuộc thi Tìm hiểu an toàn thông tin 2027" in client.get(url).get_data(as_text=True)


def test_the_same_phone_in_another_spelling_is_offered_the_code_instead(app, client, quiz):
    response = client.post(f"/contests/{quiz.contest_id}/join", data=join_body(quiz, phone="+84 987 000 003", cccd=""))
    assert (response.status_code, response.headers["Location"]) == (303, f"/contests/{quiz.contest_id}/return/code")
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Participant)) == 5  # the records' five, no new one


def test_a_ward_that_is_not_one_is_a_field_error(client, quiz):
    response = client.post(f"/contests/{quiz.contest_id}/join", data=join_body(quiz, ward_id="999999"))
    assert response.status_code == 200
    assert "Chọn phường, xã nơi bạn cư trú trong danh sách." in response.get_data(as_text=True)


def test_a_tampered_return_cookie_is_ignored(client, quiz):
    client.set_cookie(f"dxq{quiz.contest_id}", quiz.token, path="/contests/")  # not signed
    page = client.get(f"/contests/{quiz.contest_id}").get_data(as_text=True)
    assert "Nguyễn Thị Lan" not in page and "Tham gia" in page


def test_forgetting_a_shared_computer_removes_the_cookie_not_the_answers(app, client, quiz):
    client.get(f"/contests/me/{quiz.token}")
    response = client.post(f"/contests/me/{quiz.token}/forget")
    assert response.status_code == 303
    assert "Nguyễn Thị Lan" not in client.get(f"/contests/{quiz.contest_id}").get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).where(AttemptAnswer.attempt_id == quiz.attempt_id)) == 1


def test_an_unknown_token_is_not_found(client, quiz):
    assert client.get("/contests/me/" + "x" * 40).status_code == 404
    assert client.get("/contests/me/short").status_code == 404
    assert client.get(attempt_url(quiz, token="y" * 40, tail="/questions/1")).status_code == 404


# --- taking a round without JavaScript ------------------------------------------------------------------------------


def test_starting_twice_continues_the_same_attempt(app, client, quiz):
    start = attempt_url(quiz, token=quiz.fresh_token, tail="/start")
    first, second = client.post(start), client.post(start)
    assert first.status_code == second.status_code == 303
    with app.app_context():
        person = db.session.scalar(select(Participant).where(Participant.return_token == quiz.fresh_token))
        assert db.session.scalar(select(func.count()).where(QuizAttempt.participant_id == person.id)) == 1
    question = client.get(first.headers["Location"], follow_redirects=True).get_data(as_text=True)
    assert "Câu 1/4" in question


def test_a_question_posted_without_javascript_is_saved_and_the_next_one_shown(app, client, quiz):
    url = attempt_url(quiz, tail="/questions/1")
    page = client.get(url).get_data(as_text=True)
    assert 'type="radio"' in page and "data-save-url" in page and 'role="timer"' in page
    response = client.post(url, data={"single": quiz.correct_first_handle, "go": "next"})
    assert response.status_code == 303 and response.headers["Location"].endswith("/questions/2")
    with app.app_context():
        answer = db.session.get(AttemptAnswer, (quiz.attempt_id, quiz.first_question_id))
        assert answer.chosen_option_ids == [quiz.correct_first]
    # Back on question 1, the choice is still ticked.
    again = client.get(url).get_data(as_text=True)
    assert f'value="{quiz.correct_first_handle}" data-option checked' in again


def test_a_reload_resumes_at_the_first_unanswered_question_with_the_time_left(client, quiz):
    response = client.get(attempt_url(quiz))
    assert response.status_code == 303 and response.headers["Location"].endswith("/questions/2")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    remaining = int(page.split('data-remaining="')[1].split('"')[0])
    assert 11 * 60 <= remaining <= 13 * 60  # 15 minutes, started 2 minutes ago


def test_the_options_come_in_the_attempts_own_order(client, quiz):
    page = client.get(attempt_url(quiz, tail="/questions/1")).get_data(as_text=True)
    shown = [part.split('"')[0] for part in page.split('name="single" value="')[1:]]
    assert shown == quiz.first_handles


def test_submit_with_the_prediction_then_the_result_waits_for_the_close(app, client, quiz):
    review = client.get(attempt_url(quiz, tail="/review")).get_data(as_text=True)
    assert "Bao nhiêu người" in review or "bao nhiêu người" in review
    missing = client.post(attempt_url(quiz, tail="/submit"), data={})
    assert missing.status_code == 422  # the round asks the prediction
    response = client.post(attempt_url(quiz, tail="/submit"), data={"prediction": "3"})
    assert response.status_code == 303 and response.headers["Location"].endswith("/result")
    again = client.post(attempt_url(quiz, tail="/submit"), data={"prediction": "9"})
    assert again.status_code == 303  # a double submit: the first stands
    result = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "khi vòng thi kết thúc" in result and EXPLANATION not in result
    with app.app_context():
        attempt = db.session.get(QuizAttempt, quiz.attempt_id)
        assert attempt.submitted_at is not None and attempt.prediction == 3
    # After submitting, a question page sends on to the result.
    assert client.get(attempt_url(quiz, tail="/questions/1")).headers["Location"].endswith("/result")


def test_after_the_deadline_answers_and_submit_are_refused_but_saved_answers_count(app, client, quiz):
    with app.app_context():
        attempt = db.session.get(QuizAttempt, quiz.attempt_id)
        attempt.deadline_at = quiz.now - timedelta(minutes=5)
        db.session.commit()
    review = client.get(attempt_url(quiz, tail="/questions/2"))
    assert review.status_code == 303 and review.headers["Location"].endswith("/review")
    page = client.get(review.headers["Location"]).get_data(as_text=True)
    assert "Đã hết giờ" in page
    refused = client.post(attempt_url(quiz, tail="/submit"), data={"prediction": "1"}, follow_redirects=True)
    assert "hết giờ" in refused.get_data(as_text=True).lower()
    api = client.post(
        f"/contests/api/me/{quiz.token}/rounds/{quiz.open_round_id}/answers",
        json={"position": 1, "options": [quiz.correct_first_handle]},
    )
    assert api.status_code == 409 and api.get_json()["error"]["code"] == "deadline_passed"
    with app.app_context():
        assert db.session.get(QuizAttempt, quiz.attempt_id).submitted_at is None
        answer = db.session.get(AttemptAnswer, (quiz.attempt_id, quiz.first_question_id))
        assert answer.chosen_option_ids != [quiz.correct_first]  # the answer saved in time stands


# --- the JSON save --------------------------------------------------------------------------------------------------


def test_the_json_save_is_idempotent_and_answers_the_time_left(app, client, quiz):
    url = f"/contests/api/me/{quiz.token}/rounds/{quiz.open_round_id}/answers"
    first = client.post(url, json={"position": 1, "options": [quiz.correct_first_handle]})
    second = client.post(url, json={"position": 1, "options": [quiz.correct_first_handle]})
    assert first.status_code == second.status_code == 200
    assert first.get_json()["saved_at"] == second.get_json()["saved_at"]
    assert 0 < first.get_json()["remaining_seconds"] <= 15 * 60
    with app.app_context():
        assert db.session.scalar(select(func.count()).where(AttemptAnswer.attempt_id == quiz.attempt_id)) == 1
    state = client.get(f"/contests/api/me/{quiz.token}/rounds/{quiz.open_round_id}/attempt").get_json()
    assert state["answered"] == [1] and state["question_count"] == 4 and state["csrf_token"]


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"position": 0, "options": ["aaaa"]}, 422, "invalid"),
        ({"position": 1, "options": "aaaa"}, 422, "invalid"),
        ({"position": 1, "options": [True]}, 422, "invalid"),
        ({"position": 1, "options": [1]}, 422, "invalid"),  # an option id is not a handle
        ({"position": 1, "options": ["a" * 33]}, 422, "invalid"),
        ({"position": 99, "options": ["aaaa"]}, 404, "not_found"),
        ({"position": 1, "options": ["AAAAAAAAAAAA"]}, 422, "invalid_answer"),
    ],
)
def test_the_json_save_refuses_what_is_not_an_answer(client, quiz, body, status, code):
    response = client.post(f"/contests/api/me/{quiz.token}/rounds/{quiz.open_round_id}/answers", json=body)
    assert response.status_code == status
    assert response.get_json()["error"]["code"] == code


def test_a_round_of_another_contest_or_unstarted_is_not_found_in_json(client, quiz):
    not_started = client.get(f"/contests/api/me/{quiz.fresh_token}/rounds/{quiz.open_round_id}/attempt")
    assert not_started.status_code == 404 and not_started.get_json()["error"]["code"] == "not_found"


# --- after the close ------------------------------------------------------------------------------------------------


def test_after_close_the_participant_sees_score_rank_answers_and_explanations(client, quiz):
    page = client.get(attempt_url(quiz, token=quiz.winner_token, round_id=quiz.closed_round_id, tail="/result"))
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert EXPLANATION in text and CORRECT_TEXT in text
    assert "4 / 4" in text and "Xếp hạng" in text


def test_the_public_results_list_winners_with_masked_phones_and_participation(client, quiz):
    page = client.get(f"/contests/rounds/{quiz.closed_round_id}/results").get_data(as_text=True)
    assert "Lê Văn Hùng" in page and "Phạm Thị Hoa" in page
    assert "0911000001" not in page and "******0001" in page
    assert "Phường Uyên Hưng" in page and "25.000" in page  # population entered by the organizer
    assert "Giải Nhất" in page
    assert client.get(f"/contests/rounds/{quiz.open_round_id}/results").status_code == 404


def test_the_public_results_are_served_as_kept_bytes_until_the_round_is_ranked_again(app, client, quiz,
                                                                                     count_queries):  # fmt: skip
    from contests.services import flags  # noqa: PLC0415

    url = f"/contests/rounds/{quiz.closed_round_id}/results"
    assert "Lê Văn Hùng" in client.get(url).get_data(as_text=True)
    with count_queries() as statements:
        again = client.get(url)
    assert again.status_code == 200 and "Lê Văn Hùng" in again.get_data(as_text=True)
    assert len(statements) <= 1, statements  # the results' version, nothing of the 100,000 attempts
    with app.app_context():  # the winner disqualified after the close: the round is ranked again
        winner = db.session.scalar(
            select(QuizAttempt).where(QuizAttempt.round_id == quiz.closed_round_id, QuizAttempt.rank == 1)
        )
        flags.disqualify(db.session, winner, reason="Thi hộ", actor_id=quiz.organizer_id, now=quiz.now)
        db.session.commit()
    page = client.get(url).get_data(as_text=True)
    assert "Lê Văn Hùng" not in page and "Phạm Thị Hoa" in page


# --- organizers -----------------------------------------------------------------------------------------------------


def test_the_organizer_creates_a_round(app, organizer, quiz):
    from tests.app.test_route_guards import quiz_round_body  # noqa: PLC0415

    body = quiz_round_body(quiz, "Tuần 3") | {"asks_prediction": ""}
    response = organizer.post(f"/contests/{quiz.contest_id}/rounds/new", data=body)
    assert response.status_code == 302
    listing = organizer.get(response.headers["Location"]).get_data(as_text=True)
    assert "Tuần 3" in listing
    with app.app_context():
        saved = db.session.scalar(select(QuizRound).where(QuizRound.title == "Tuần 3"))
        assert (saved.time_limit_seconds, saved.prize_table["consolation"], saved.asks_prediction) == (900, 5, False)


def test_a_round_that_closes_before_it_opens_is_refused_on_its_field(organizer, quiz):
    from tests.app.test_route_guards import local, quiz_round_body  # noqa: PLC0415

    body = quiz_round_body(quiz, "Tuần 3") | {"closes_at": local(quiz.now)}
    page = organizer.post(f"/contests/{quiz.contest_id}/rounds/new", data=body).get_data(as_text=True)
    assert "Vòng thi phải kết thúc sau khi bắt đầu." in page


def test_close_now_asks_first_then_publishes_the_results(app, organizer, quiz):
    confirm = organizer.get(f"/contests/rounds/{quiz.open_round_id}/close").get_data(as_text=True)
    assert "Đóng vòng thi ngay" in confirm
    unconfirmed = organizer.post(f"/contests/rounds/{quiz.open_round_id}/close")
    assert unconfirmed.status_code == 303  # back to the confirmation page
    response = organizer.post(f"/contests/rounds/{quiz.open_round_id}/close", data={"confirm": "1"})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(QuizRound, quiz.open_round_id).state.value == "closed"
    assert organizer.get(f"/contests/rounds/{quiz.open_round_id}/results").status_code == 200


def test_recompute_gives_the_same_results(app, organizer, quiz):
    def ranks():
        with app.app_context():
            return db.session.execute(
                select(QuizAttempt.id, QuizAttempt.rank, QuizAttempt.prize, QuizAttempt.score)
                .where(QuizAttempt.round_id == quiz.closed_round_id)
                .order_by(QuizAttempt.id)
            ).all()

    before = ranks()
    organizer.post(f"/contests/rounds/{quiz.closed_round_id}/recompute", data={"confirm": "1"})
    assert ranks() == before


def test_editing_a_question_drawn_in_an_open_round_makes_a_new_version(app, organizer, quiz):
    from tests.app.test_route_guards import quiz_question_body  # noqa: PLC0415

    quiz.quiz = quiz  # the route table's bodies read r.quiz
    form = organizer.get(f"/contests/questions/{quiz.first_question_id}/edit").get_data(as_text=True)
    assert "vòng thi đang mở" in form
    body = quiz_question_body(quiz, "Câu hỏi mới về mã OTP")
    response = organizer.post(f"/contests/questions/{quiz.first_question_id}/edit", data=body)
    assert response.status_code == 302
    with app.app_context():
        old = db.session.get(Question, quiz.first_question_id)
        assert old.is_active is False and old.replaced_by_id is not None
        assert db.session.get(Question, old.replaced_by_id).text == "Câu hỏi mới về mã OTP"


def test_a_question_without_a_correct_answer_is_refused(organizer, quiz):
    from tests.app.test_route_guards import quiz_question_body  # noqa: PLC0415

    quiz.quiz = quiz
    body = quiz_question_body(quiz, "Câu hỏi thiếu đáp án") | {"options-0-is_correct": ""}
    page = organizer.post(f"/contests/{quiz.contest_id}/questions/new", data=body).get_data(as_text=True)
    assert "Đánh dấu đáp án đúng." in page


def test_disqualifying_needs_a_reason_and_is_in_the_audit_trail(app, organizer, quiz):
    page = organizer.get(f"/contests/rounds/{quiz.closed_round_id}/flags").get_data(as_text=True)
    assert "Phạm Thị Hoa" in page and "4 câu trong 5 giây" in page
    empty = organizer.post(f"/contests/attempts/{quiz.closed_attempt_id}/disqualify", data={"reason": ""})
    assert empty.status_code == 303
    with app.app_context():
        assert db.session.get(QuizAttempt, quiz.closed_attempt_id).disqualified_at is None
    organizer.post(f"/contests/attempts/{quiz.closed_attempt_id}/disqualify", data={"reason": "Trả lời quá nhanh"})
    with app.app_context():
        attempt = db.session.get(QuizAttempt, quiz.closed_attempt_id)
        assert attempt.disqualified_at is not None and attempt.disqualification_reason == "Trả lời quá nhanh"
        trail = db.session.scalars(select(AuditEntry).where(AuditEntry.entity == "QuizAttempt")).all()
        assert any("Trả lời quá nhanh" in str(entry.changes) for entry in trail)


def test_the_organizer_enters_population_figures(app, organizer, quiz):
    page = organizer.get(f"/contests/{quiz.contest_id}/populations").get_data(as_text=True)
    assert "Phường Khánh Bình" in page and 'value="25000"' in page
    organizer.post(
        f"/contests/{quiz.contest_id}/populations",
        data={"units-0-unit_id": str(quiz.other_ward_id), "units-0-population": "18000"},
    )
    with app.app_context():
        figures = dict(db.session.execute(select(UnitPopulation.unit_id, UnitPopulation.population)).all())
        assert figures == {quiz.ward_id: 25000, quiz.other_ward_id: 18000}


def test_the_export_downloads_the_rounds_attempts_and_is_audited(app, organizer, quiz):
    response = organizer.get(f"/contests/rounds/{quiz.closed_round_id}/export.csv")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    assert "Lê Văn Hùng" in response.get_data(as_text=True)
    xlsx = organizer.get(f"/contests/rounds/{quiz.closed_round_id}/export.xlsx")
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"
    with app.app_context():
        assert db.session.scalar(select(func.count()).where(AuditEntry.action == "export")) == 2


def test_the_import_saves_nothing_when_a_row_is_wrong_and_names_the_row(app, organizer, quiz):
    import io

    from contests.services.questions.bank import EXAMPLE_ROW
    from tests.contests.records import question_import_csv

    good = EXAMPLE_ROW | {"text": "Câu hỏi nhập từ tệp số một"}
    bad = EXAMPLE_ROW | {"text": "Câu hỏi nhập từ tệp số hai", "correct": "G"}
    with app.app_context():
        before = db.session.scalar(select(func.count()).select_from(Question))
    response = organizer.post(
        f"/contests/{quiz.contest_id}/questions/import",
        data={"file": (io.BytesIO(question_import_csv([good, bad])), "cau-hoi.csv")},
        content_type="multipart/form-data",
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Dòng 3" in page
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Question)) == before
    ok = organizer.post(
        f"/contests/{quiz.contest_id}/questions/import",
        data={"file": (io.BytesIO(question_import_csv([good])), "cau-hoi.csv")},
        content_type="multipart/form-data",
    )
    assert ok.status_code == 302
    assert "Câu hỏi nhập từ tệp số một" in organizer.get(ok.headers["Location"]).get_data(as_text=True)
    template = organizer.get("/contests/questions/import-template.xlsx")
    assert template.status_code == 200 and template.data[:2] == b"PK"


def test_a_tie_that_survives_every_rule_is_shown_as_a_tie(app, client, quiz):
    from contests.models import Contest
    from contests.services import attempts as quiz_services
    from contests.services.rounds import ranking
    from tests.contests.records import correct_option, register

    with app.app_context():
        contest = db.session.get(Contest, quiz.contest_id)
        tied = QuizRound(
            contest_id=contest.id, title="Tuần 3", position=3, opens_at=quiz.now - timedelta(days=1),
            closes_at=quiz.now + timedelta(days=1), state="open", question_count=4, time_limit_seconds=900,
            prize_table={"first": 1, "second": 1}, asks_prediction=True,
        )  # fmt: skip
        db.session.add(tied)
        db.session.flush()
        started = quiz.now - timedelta(hours=2)
        for phone, name in (("0966000001", "Ngô Bảo Châu"), ("0966000002", "Đỗ Thị Hà")):
            person = register(db.session, contest, quiz.now, phone, quiz.ward_id, name)
            attempt = quiz_services.start_attempt(db.session, tied, person, now=started, seed=11)
            for slot in attempt.questions:
                quiz_services.save_answer(
                    db.session, attempt, slot.question_id, [correct_option(db.session, slot.question_id)],
                    now=started + timedelta(seconds=30), quiz_round=tied,
                )  # fmt: skip
            quiz_services.submit(db.session, attempt, now=started + timedelta(minutes=1), prediction=2, quiz_round=tied)
        ranking.close_round(db.session, tied, now=quiz.now)
        db.session.commit()
        round_id = tied.id
    page = client.get(f"/contests/rounds/{round_id}/results").get_data(as_text=True)
    rows = page.split("<tbody>")[1].split("</tbody>")[0].split("<tr>")[1:]
    assert len(rows) == 2
    assert all("đồng hạng" in row and "Giải Nhất" in row for row in rows)  # never broken silently


def test_sign_ups_from_one_browser_share_a_device_hash_for_the_flags(app, client, quiz):
    client.get(f"/contests/{quiz.contest_id}/join")  # the join page gives the browser its device cookie
    client.post(f"/contests/{quiz.contest_id}/join", data=join_body(quiz, cccd=""))
    client.post(f"/contests/{quiz.contest_id}/join", data=join_body(quiz, phone="0933123457", cccd=""))
    with app.app_context():
        hashes = db.session.scalars(
            select(Participant.device_hash).where(Participant.phone.in_(["0933123456", "0933123457"]))
        ).all()
    assert len(hashes) == 2 and hashes[0] == hashes[1] and len(hashes[0]) == 64


def test_a_school_lab_behind_one_address_signs_up_forty_pupils(app, client, quiz):
    """The default per-address limit lets a class of 40 sign up at once from one address."""
    statuses = [
        client.post(
            f"/contests/{quiz.contest_id}/join",
            data=join_body(quiz, full_name=f"Học sinh {i}", phone=f"0977{i:06d}", cccd=""),
        ).status_code
        for i in range(40)
    ]
    assert statuses == [303] * 40


def test_answer_saves_are_limited_per_participant(make_app):
    app = make_app(QUIZ_PARTICIPANT_RATE_LIMIT="3 per minute")
    quiz = world(app)
    client = app.test_client()
    url = f"/contests/api/me/{quiz.token}/rounds/{quiz.open_round_id}/answers"
    answers = [client.post(url, json={"position": 1, "options": [quiz.correct_first_handle]}) for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert answers[3].get_json()["error"]["code"] == "rate_limited"
    # Another participant behind the same address is not held back.
    other = client.post(f"/contests/me/{quiz.fresh_token}/rounds/{quiz.open_round_id}/start")
    assert other.status_code == 303


@pytest.mark.parametrize(
    ("tail", "body"),
    [("/start", {}), ("/questions/1", {"single": "1", "next": "y"}), ("/submit", {"prediction": "3"})],
    ids=["start", "question", "submit"],
)
def test_the_form_posts_of_a_round_are_limited_per_participant(make_app, tail, body):
    """One participant scripting a form post is held back (a Vietnamese page); the next one in the same school lab,
    behind the same address, is not."""
    app = make_app(QUIZ_PARTICIPANT_RATE_LIMIT="2 per minute")
    quiz = world(app)
    client = app.test_client()
    statuses = [client.post(attempt_url(quiz, tail=tail), data=body) for _ in range(3)]
    assert [s.status_code == 429 for s in statuses] == [False, False, True]
    page = statuses[2].get_data(as_text=True)
    assert "Bạn đã thử quá nhiều lần" in page and "<html" in page
    other = client.post(attempt_url(quiz, token=quiz.fresh_token, tail=tail), data=body)
    assert other.status_code == 303


def test_an_open_round_keeps_its_draw_size_and_the_reason_is_on_the_field(app, organizer, quiz):
    from tests.app.test_route_guards import local, quiz_round_body  # noqa: PLC0415

    page = organizer.get(f"/contests/rounds/{quiz.open_round_id}/edit").get_data(as_text=True)
    assert 'value="Tuần 2"' in page and 'value="15"' in page
    body = quiz_round_body(quiz, "Tuần 2") | {
        "opens_at": local(quiz.now - timedelta(hours=1)),
        "question_count": "3",
        "prize_second": "1", "prize_third": "1", "prize_consolation": "1",
        "pool_topic_ids": str(quiz.open_pool_topic_id),
    }  # fmt: skip
    response = organizer.post(f"/contests/rounds/{quiz.open_round_id}/edit", data=body)
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="question_count-error"' in text and "Không thể thay đổi mục này khi vòng thi đang diễn ra." in text
    with app.app_context():
        assert db.session.get(QuizRound, quiz.open_round_id).question_count == 4


def test_the_demo_quiz_pages_render(app, client, sign_in):
    from app.demo import load_demo
    from app.models import User
    from contests.models import Contest

    with app.app_context():
        load_demo(db.session, password="mat-khau-demo-1010")
        db.session.commit()
        contest = db.session.scalar(select(Contest).where(Contest.kind == "online_quiz"))
        rounds = db.session.scalars(select(QuizRound).where(QuizRound.contest_id == contest.id)).all()
        organizer = db.session.scalar(select(User).where(User.email.like("%@dxday.example")).order_by(User.id))
        organizer_id, contest_id = organizer.id, contest.id
        assert rounds
    assert contest.title in client.get(f"/contests/{contest_id}").get_data(as_text=True)
    assert client.get(f"/contests/{contest_id}/join").status_code == 200
    sign_in(client, organizer_id)
    for path in (f"/contests/{contest_id}/rounds", f"/contests/{contest_id}/questions"):
        assert client.get(path).status_code == 200, path
