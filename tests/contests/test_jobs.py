"""Rounds open and close on the clock: idempotent jobs; closing tells every participant once."""

from datetime import timedelta

from sqlalchemy import func, select

from app import outbox
from app.models import OutboxMessage
from contests import jobs
from contests.models import QuizAttempt, QuizRound

from .conftest import NOW


def test_a_scheduled_round_opens_at_its_time_once(quiz):
    quiz.round.state = "scheduled"
    quiz.round.opens_at = NOW + timedelta(hours=1)
    assert jobs.open_rounds(quiz.session, NOW).changed == 0
    assert jobs.open_rounds(quiz.session, NOW + timedelta(hours=1)).changed == 1
    assert quiz.round.state == "open" and quiz.round.opened_at == NOW + timedelta(hours=1)
    assert jobs.open_rounds(quiz.session, NOW + timedelta(hours=2)).changed == 0


def test_a_round_closes_after_its_grace_ranks_flags_and_tells_each_participant_once(quiz, app):
    by_sms = quiz.attempt(correct=5, prediction=1, taken_s=300, submitted_s=300)
    by_mail = quiz.attempt(
        correct=3, prediction=1, taken_s=300, submitted_s=300, person=quiz.participant(email="an@example.vn")
    )
    by_sms.participant.return_token = "t" * 43  # secrets.token_urlsafe(32): the SMS must fit with the link
    closes = quiz.round.closes_at
    assert jobs.close_rounds(quiz.session, closes + timedelta(seconds=10)).changed == 0  # inside the grace
    assert jobs.close_rounds(quiz.session, closes + timedelta(seconds=16)).changed == 1
    quiz.session.expire_all()
    assert quiz.session.get(QuizRound, quiz.round.id).state == "closed"
    assert quiz.session.get(QuizAttempt, by_sms.id).rank == 1 and quiz.session.get(QuizAttempt, by_mail.id).rank == 2
    messages = quiz.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert [(m.channel, m.recipient, m.template) for m in messages] == [
        ("sms", by_sms.participant.phone, "quiz_results"),
        ("email", "an@example.vn", "quiz_results"),
    ]
    assert jobs.close_rounds(quiz.session, closes + timedelta(minutes=5)).changed == 0
    assert quiz.session.scalar(select(func.count(OutboxMessage.id))) == 2
    # Each message links to that participant's own result page, on the site's configured address.
    app.config["CANONICAL_URL"] = "https://ngaychuyendoiso.binhduong.gov.vn"
    sms = outbox.render(messages[0])
    assert "Tuần 1" in sms.subject or "Tuan 1" in outbox.fold_to_ascii(sms.subject)
    text = outbox.fold_to_ascii(sms.subject)
    own = f"https://ngaychuyendoiso.binhduong.gov.vn/contests/me/{by_sms.participant.return_token}"
    assert outbox.sms_segments(text) <= outbox.SMS_MAX_SEGMENTS, (len(text), text)
    assert text.endswith(f"{own}/rounds/{quiz.round.id}/result"), text
    mail = outbox.render(messages[1])
    assert mail.subject == "Đã có kết quả “Tuần 1”" and "năm sinh" in mail.body
    assert "Tuan 1" in text
    assert [(m.payload["prize"], m.payload["prize_tied"]) for m in messages] == [("first", False), ("second", False)]
    for message in messages:
        message.locale = "en"
    winner, other = (outbox.render(m) for m in messages)
    assert 'congratulations, you won a prize in "Tuần 1": First prize.' in winner.body  # who won, and what
    assert "Congratulations: you won a prize (Second prize)." in other.body
    own = f"https://ngaychuyendoiso.binhduong.gov.vn/contests/me/{by_mail.participant.return_token}"
    assert f"{own}/rounds/{quiz.round.id}/result\n" in mail.body


def test_the_results_sms_fits_two_segments_with_a_long_round_title_and_address(app):
    payload = {
        "round_title": "Tuần 12: Nhận diện lừa đảo trực tuyến qua tin nhắn và mạng xã hội",
        "contest_title": "Cuộc thi trực tuyến tìm hiểu về an toàn thông tin",
        "round_id": 99_999,
        "name": "Nguyễn Thị Hồng Nhung Phương",
        "token": "x" * 43,
    }
    app.config["CANONICAL_URL"] = "https://ngaychuyendoiso.binhduong.gov.vn"
    with app.app_context():
        message = OutboxMessage(channel="sms", recipient="0912345678", template="quiz_results", locale="vi",
                                payload=payload)  # fmt: skip
        text = outbox.fold_to_ascii(outbox.render(message).body)
    assert text.isascii() and outbox.sms_segments(text) <= outbox.SMS_MAX_SEGMENTS, (len(text), text)
    assert text.endswith("/contests/me/" + "x" * 43 + "/rounds/99999/result"), text
