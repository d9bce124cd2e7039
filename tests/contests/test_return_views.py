"""The way back through the pages: a code sent by the fast lane (the dev log shows it), the token rotated on each
return, the same answers for a stranger's phone, a neutral sign-up for a known phone or CCCD, and the fallback
limited per (phone, address)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from app import scheduler
from app.extensions import db
from app.models import OutboxMessage
from contests.models import Participant, ReturnCode
from tests.contests.records import world

OWNER = {"REMOTE_ADDR": "113.161.0.7"}
ATTACKER = {"REMOTE_ADDR": "203.0.113.66"}


@pytest.fixture
def quiz(app):
    return world(app)


def fast_job(app, caplog) -> list[str]:
    """Run the fast lane's job as the scheduler would; the SMS lines the log gateway wrote."""
    caplog.clear()
    with caplog.at_level("INFO", logger="app.outbox"), app.app_context():
        scheduler.run_job_now("core.send_fast_messages", datetime.now(UTC))
        db.session.commit()
    return [r.getMessage() for r in caplog.records if r.getMessage().startswith("SMS to")]


def code_from(lines: list[str]) -> str:
    (line,) = lines
    return re.search(r"\b(\d{6})\b", line.split(": ", 1)[1]).group(1)


def test_a_participant_comes_back_with_the_code_and_the_old_link_stops_working(app, client, quiz, caplog):
    asked = client.post(f"/contests/{quiz.contest_id}/return", data={"phone": "+84 987 000 003"})
    assert (asked.status_code, asked.headers["Location"]) == (303, f"/contests/{quiz.contest_id}/return/code")
    lines = fast_job(app, caplog)
    assert lines[0].startswith("SMS to 0987000003")  # the dev log shows the code
    back = client.post(f"/contests/{quiz.contest_id}/return/code", data={"code": code_from(lines)})
    assert back.status_code == 303 and back.headers["Location"].startswith("/contests/me/")
    new_token = back.headers["Location"].rsplit("/", 1)[1]
    assert new_token != quiz.token
    assert client.get(f"/contests/me/{new_token}").status_code == 200
    assert client.get(f"/contests/me/{quiz.token}").status_code == 404  # rotated: the old link is dead
    with app.app_context():
        assert db.session.scalar(select(OutboxMessage)).payload == {}  # the code is not kept once sent


def test_a_wrong_code_counts_and_says_how_many_tries_are_left(app, client, quiz, caplog):
    client.post(f"/contests/{quiz.contest_id}/return", data={"phone": quiz.phone})
    code = code_from(fast_job(app, caplog))
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    page = client.post(f"/contests/{quiz.contest_id}/return/code?lang=en", data={"code": wrong})
    assert page.status_code == 200 and "Số lần thử còn lại của mã này: 4." in page.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(ReturnCode.tries)) == 1


def test_a_strangers_phone_gets_exactly_the_same_pages(app, client, quiz):
    pages = []
    for phone in (quiz.phone, "0977777777"):
        visitor = app.test_client()
        asked = visitor.post(f"/contests/{quiz.contest_id}/return", data={"phone": phone})
        pages.append((asked.status_code, asked.headers["Location"], visitor.get(asked.headers["Location"]).data))
    assert pages[0] == pages[1]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 1  # only the real one is sent


def test_a_second_code_within_the_minute_is_refused_and_the_first_still_works(app, client, quiz, caplog):
    client.post(f"/contests/{quiz.contest_id}/return", data={"phone": quiz.phone})
    again = client.post(f"/contests/{quiz.contest_id}/return/resend")
    assert again.status_code == 303
    code = code_from(fast_job(app, caplog))
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ReturnCode)) == 1
    assert client.post(f"/contests/{quiz.contest_id}/return/code", data={"code": code}).status_code == 303


def join_body(quiz, **changes):
    return {"full_name": "Đặng Thu Trang", "phone": "0933 123 456", "ward_id": str(quiz.ward_id),
            "birth_year": "2007", "cccd": "079 207 001 234", "consent": "y"} | changes  # fmt: skip


def test_the_sign_up_answers_a_known_phone_and_a_known_cccd_alike_and_sends_the_code_to_the_owner(app, quiz):
    first = app.test_client().post(f"/contests/{quiz.contest_id}/join", data=join_body(quiz))
    assert first.status_code == 303 and first.headers["Location"].startswith("/contests/me/")
    answers = []
    known_phone, known_cccd = join_body(quiz, phone="+84 933 123 456", cccd=""), join_body(quiz, phone="0944 555 666")
    for body, address in ((known_phone, OWNER), (known_cccd, ATTACKER)):  # two devices: one code each
        visitor = app.test_client()
        response = visitor.post(f"/contests/{quiz.contest_id}/join?lang=en", data=body, environ_base=address)
        page = visitor.get(response.headers["Location"] + "?lang=en", environ_base=address).get_data(as_text=True)
        answers.append((response.status_code, response.headers["Location"], page))
        assert "hãy tiếp tục bằng mã chúng tôi gửi đến số điện thoại đã đăng ký" in page
        assert "citizen ID is already" not in page and "phone is already" not in page
    assert answers[0] == answers[1]
    assert answers[0][1] == f"/contests/{quiz.contest_id}/return/code"
    with app.app_context():
        assert db.session.scalar(select(func.count()).where(Participant.full_name == "Đặng Thu Trang")) == 1
        sent_to = db.session.scalars(select(OutboxMessage.recipient).where(OutboxMessage.lane == "fast")).all()
        assert sent_to == ["0933123456", "0933123456"]  # the owner's phone, never the one typed with their CCCD


def test_the_fallback_is_limited_per_phone_and_address_so_the_owner_still_gets_in(app, quiz):
    signed_up = app.test_client().post(f"/contests/{quiz.contest_id}/join", data=join_body(quiz))
    old_link = signed_up.headers["Location"]
    url = f"/contests/{quiz.contest_id}/return/other"
    attacker = app.test_client()
    guesses = [
        attacker.post(url, data={"phone": "0933123456", "birth_year": str(2000 + n), "cccd_last4": "1234"},
                      environ_base=ATTACKER).status_code
        for n in range(6)
    ]  # fmt: skip
    assert guesses == [200] * 5 + [429]
    owner = app.test_client()
    back = owner.post(url, data={"phone": "0933123456", "birth_year": "2007", "cccd_last4": "1234"}, environ_base=OWNER)
    assert back.status_code == 303 and back.headers["Location"].startswith("/contests/me/")
    assert owner.get(back.headers["Location"]).status_code == 200
    assert owner.get(old_link).status_code == 404  # the token rotated on this return too


def test_the_fallback_answers_the_same_whichever_detail_was_wrong(app, quiz):
    app.test_client().post(f"/contests/{quiz.contest_id}/join", data=join_body(quiz))
    url = f"/contests/{quiz.contest_id}/return/other?lang=en"
    pages = [  # the same page but for the values typed, which the form shows again
        re.sub(rb' value="[^"]*"', b"", app.test_client().post(url, data={"phone": phone, "birth_year": year,
                                                                         "cccd_last4": last4}).data)
        for phone, year, last4 in (("0933123456", "2006", "1234"), ("0933123456", "2007", "9999"),
                                   ("0977777777", "2007", "1234"))
    ]  # fmt: skip
    refusal = "Không tìm thấy người dự thi với các thông tin này.".encode()
    assert pages[0] == pages[1] == pages[2] and refusal in pages[0]


def test_a_new_secret_key_strands_nobody_and_lets_nobody_sign_up_twice(make_app):
    before = make_app()
    quiz = world(before)
    before.test_client().post(f"/contests/{quiz.contest_id}/join", data=join_body(quiz))
    after = make_app(SECRET_KEY="a-rotated-secret-key")  # the same database, the identity keys unchanged
    again = after.test_client().post(f"/contests/{quiz.contest_id}/join", data=join_body(quiz, cccd=""))
    assert (again.status_code, again.headers["Location"]) == (303, f"/contests/{quiz.contest_id}/return/code")
    asked = after.test_client().post(f"/contests/{quiz.contest_id}/return", data={"phone": "0933123456"},
                                     environ_base=ATTACKER)  # fmt: skip
    assert asked.status_code == 303
    with after.app_context():
        assert db.session.scalar(select(func.count()).where(Participant.full_name == "Đặng Thu Trang")) == 1
        codes = db.session.scalars(select(ReturnCode.participant_id)).all()
        assert len(codes) == 2 and None not in codes  # the phone is still found: its codes are sent
