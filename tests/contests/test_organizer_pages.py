"""The organizer's quiz pages added for issue 16, through the pages as an organizer uses them: the full ranking of
a round (and its live counts before the close), reinstating a disqualified attempt, "detect flags now", adding a
topic, and a question's picture from upload to the question screen."""

from __future__ import annotations

import io
import os

import pytest
from PIL import Image
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEntry
from contests.models import Question, QuizAttempt, QuizRound, QuizTopic
from contests.services.questions import images
from tests.contests.records import world

from .conftest import NOW


@pytest.fixture
def quiz(app):
    records = world(app)
    records.quiz = records  # the route table's bodies read r.quiz
    return records


def png(width=320, height=180, colour=(200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, "PNG")
    return out.getvalue()


# --- the full ranking ---------------------------------------------------------------------------------------------


def test_the_full_ranking_lists_every_attempt_with_winners_phones_and_the_disqualified_last(organizer, quiz):
    page = organizer.get(f"/contests/rounds/{quiz.closed_round_id}/ranking").get_data(as_text=True)
    assert "Bảng xếp hạng đầy đủ: Tuần 1" in page
    hung, hoa, nam = page.index("Lê Văn Hùng"), page.index("Phạm Thị Hoa"), page.index("Đỗ Văn Nam")
    assert hung < hoa < nam  # rank 1, rank 2, then the disqualified attempt
    # The organizers call winners: their phones in full (audited, tests/contests/test_round_organizer.py); the
    # disqualified attempt won nothing, its phone stays masked.
    assert "0911000001" in page and "******0005" in page and "0911000005" not in page
    assert "Giải Nhất" in page and "bị hủy kết quả" in page and "Trả lời 4 câu trong 4 giây" in page
    assert "Công nhận lại bài thi này" in page  # the button beside the disqualified attempt only
    assert page.count("Công nhận lại bài thi này") == 1


def test_the_ranking_filters_by_ward(organizer, quiz):
    page = organizer.get(f"/contests/rounds/{quiz.closed_round_id}/ranking?ward={quiz.other_ward_id}")
    text = page.get_data(as_text=True)
    assert "Phạm Thị Hoa" in text and "Đỗ Văn Nam" in text and "Lê Văn Hùng" not in text
    anything = organizer.get(f"/contests/rounds/{quiz.closed_round_id}/ranking?ward=abc&page=-3")
    assert anything.status_code == 200 and "Lê Văn Hùng" in anything.get_data(as_text=True)


def test_before_the_close_the_ranking_page_shows_live_counts_and_says_why(organizer, quiz):
    page = organizer.get(f"/contests/rounds/{quiz.open_round_id}/ranking").get_data(as_text=True)
    assert "Vòng thi chưa kết thúc" in page and "chỉ hiển thị số liệu trực tiếp" in page
    assert "Lượt thi đã bắt đầu: 1 · đã nộp bài: 0" in page
    assert "Nguyễn Thị Lan" not in page  # no rank exists yet: nobody is listed


def test_the_rounds_and_results_pages_link_to_the_full_ranking(organizer, quiz):
    rounds = organizer.get(f"/contests/{quiz.contest_id}/rounds").get_data(as_text=True)
    assert f"/contests/rounds/{quiz.closed_round_id}/ranking" in rounds and "Số liệu trực tiếp" in rounds
    results = organizer.get(f"/contests/rounds/{quiz.closed_round_id}/results").get_data(as_text=True)
    assert f"/contests/rounds/{quiz.closed_round_id}/ranking" in results


# --- reinstating --------------------------------------------------------------------------------------------------


def test_reinstating_needs_a_reason_recomputes_the_closed_round_and_a_double_submit_writes_once(app, organizer, quiz):
    url = f"/contests/attempts/{quiz.disqualified_attempt_id}/reinstate"
    empty = organizer.post(url, data={"reason": "  ", "back": "ranking"}, follow_redirects=True)
    assert "Ghi rõ lý do công nhận lại bài thi này." in empty.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(QuizAttempt, quiz.disqualified_attempt_id).disqualified_at is not None
    body = {"reason": "Đã gọi điện xác minh: người thật tự làm bài", "back": "ranking"}
    first = organizer.post(url, data=body)
    assert first.status_code == 303
    assert first.headers["Location"] == f"/contests/rounds/{quiz.closed_round_id}/ranking"
    assert "Đã công nhận lại bài thi và tính lại kết quả." in organizer.get(first.headers["Location"]).get_data(
        as_text=True
    )
    again = organizer.post(url, data=body, follow_redirects=True)
    assert "không có gì để hoàn tác" in again.get_data(as_text=True)
    with app.app_context():
        attempt = db.session.get(QuizAttempt, quiz.disqualified_attempt_id)
        assert attempt.disqualified_at is None and attempt.rank == 1  # all right and the fastest
        trail = db.session.scalars(
            select(AuditEntry).where(AuditEntry.entity_id == str(attempt.id), AuditEntry.action == "update")
        ).all()
        reasons = [entry.changes.get("reason") for entry in trail if entry.changes.get("reason")]
        assert [None, "Đã gọi điện xác minh: người thật tự làm bài"] in reasons
        assert len([r for r in reasons if r[1].startswith("Đã gọi điện")]) == 1  # the double submit wrote once


def test_the_flags_page_offers_reinstating_and_goes_back_to_itself(app, organizer, quiz):
    with app.app_context():
        from contests.models import AttemptFlag

        db.session.add(
            AttemptFlag(attempt_id=quiz.disqualified_attempt_id, kind="too_fast", detail="4 câu", created_at=NOW)
        )
        db.session.commit()
    page = organizer.get(f"/contests/rounds/{quiz.closed_round_id}/flags").get_data(as_text=True)
    assert "Công nhận lại bài thi này" in page
    response = organizer.post(
        f"/contests/attempts/{quiz.disqualified_attempt_id}/reinstate", data={"reason": "Hợp lệ", "back": "flags"}
    )
    assert response.headers["Location"] == f"/contests/rounds/{quiz.closed_round_id}/flags"


# --- detect flags now ---------------------------------------------------------------------------------------------


def test_detect_flags_now_checks_the_round_and_says_what_it_found(app, organizer, quiz):
    page = organizer.get(f"/contests/rounds/{quiz.closed_round_id}/flags").get_data(as_text=True)
    assert "Rà soát cảnh báo ngay" in page and "chưa được rà soát" in page
    response = organizer.post(f"/contests/rounds/{quiz.closed_round_id}/flags/detect")
    assert response.status_code == 303
    shown = organizer.get(response.headers["Location"]).get_data(as_text=True)
    assert "cảnh báo mới cần xem xét" in shown or "Không có cảnh báo mới" in shown
    assert "rà soát lần gần nhất" in shown
    again = organizer.post(f"/contests/rounds/{quiz.closed_round_id}/flags/detect", follow_redirects=True)
    assert "Không có cảnh báo mới" in again.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(QuizRound, quiz.closed_round_id).flags_checked_at is not None


# --- topics -------------------------------------------------------------------------------------------------------


def test_an_organizer_adds_a_topic_and_a_duplicate_is_a_field_error_in_vietnamese(app, organizer, quiz):
    bank = organizer.get(f"/contests/{quiz.contest_id}/questions").get_data(as_text=True)
    assert f"/contests/{quiz.contest_id}/topics" in bank
    form = organizer.get(f"/contests/{quiz.contest_id}/questions/new").get_data(as_text=True)
    assert "Thêm chủ đề" in form
    url = f"/contests/{quiz.contest_id}/topics"
    body = {"name": "  Thanh toán   không dùng tiền mặt ", "submission": "khoa-gui-chu-de-0000000000001"}
    added = organizer.post(url, data=body)
    assert added.status_code == 303
    assert organizer.post(url, data=body).status_code == 303  # a double click: the first's result, once
    assert "Đã thêm chủ đề “Thanh toán không dùng tiền mặt”." in organizer.get(url).get_data(as_text=True)
    # The same name in decomposed Unicode and another letter case is the same topic.
    import unicodedata

    twin = unicodedata.normalize("NFD", "thanh toán KHÔNG dùng tiền mặt")
    page = organizer.post(url, data={"name": twin})
    assert page.status_code == 200 and "Đã có chủ đề trùng tên này." in page.get_data(as_text=True)
    for bad, message in (("Lừa đảo\x1b", "ký tự điều khiển"), ("x" * 121, "")):
        refused = organizer.post(url, data={"name": bad})
        assert refused.status_code == 200 and message in refused.get_data(as_text=True)
    with app.app_context():
        names = db.session.scalars(select(QuizTopic.name)).all()
        assert names.count("Thanh toán không dùng tiền mặt") == 1 and len(names) == 3
        topic_id = db.session.scalar(select(QuizTopic.id).where(QuizTopic.name == "Thanh toán không dùng tiền mặt"))
    preset = organizer.get(f"/contests/{quiz.contest_id}/questions/new?topic_id={topic_id}").get_data(as_text=True)
    assert f'<option selected value="{topic_id}">' in preset or f'value="{topic_id}" selected' in preset


# --- pictures -----------------------------------------------------------------------------------------------------


def question_body(quiz, text: str, **extra) -> dict:
    from tests.app.test_route_guards import quiz_question_body  # noqa: PLC0415

    return quiz_question_body(quiz, text) | extra


def test_a_question_with_a_picture_is_stored_reencoded_served_cached_and_shown_with_its_size(app, organizer, quiz):
    body = question_body(
        quiz,
        "Tin nhắn trong hình có phải lừa đảo không?",
        image=(io.BytesIO(png(320, 180) + b"<script>alert(1)</script>"), "tin-nhan.png"),
        image_alt="Tin nhắn kèm đường dẫn yêu cầu nhập mật khẩu",
    )
    response = organizer.post(
        f"/contests/{quiz.contest_id}/questions/new", data=body, content_type="multipart/form-data"
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    with app.app_context():
        question = db.session.scalar(select(Question).where(Question.text.like("Tin nhắn trong hình%")))
        name = question.image_path
        assert images.parse_name(name).width == 320 and question.image_alt.startswith("Tin nhắn kèm")
    stored = os.path.join(app.instance_path, "question-images", name)
    with open(stored, "rb") as handle:
        assert b"<script>" not in handle.read()  # re-encoded: nothing but the picture is kept
    picture = organizer.get(f"/contests/question-images/{name}")
    assert picture.status_code == 200 and picture.mimetype == "image/png"
    assert "immutable" in picture.headers["Cache-Control"] and "max-age=31536000" in picture.headers["Cache-Control"]
    form = organizer.get(f"/contests/questions/{question.id}/edit").get_data(as_text=True)
    assert f'src="/contests/question-images/{name}" width="320" height="180"' in form


def test_a_picture_on_the_question_screen_has_its_size_and_description(app, client, quiz):
    name = images.store(png(400, 300), os.path.join(app.instance_path, "question-images")).name
    with app.app_context():
        question = db.session.get(Question, quiz.first_question_id)
        question.image_path, question.image_alt = name, "Màn hình tin nhắn giả mạo ngân hàng"
        db.session.commit()
    page = client.get(f"/contests/me/{quiz.token}/rounds/{quiz.open_round_id}/questions/1").get_data(as_text=True)
    assert f'src="/contests/question-images/{name}"' in page
    assert 'alt="Màn hình tin nhắn giả mạo ngân hàng" width="400" height="300"' in page


def test_a_new_version_keeps_its_picture(app, organizer, quiz):
    name = images.store(png(), os.path.join(app.instance_path, "question-images")).name
    with app.app_context():
        question = db.session.get(Question, quiz.first_question_id)  # drawn in the open round
        question.image_path, question.image_alt = name, "Ảnh minh họa"
        db.session.commit()
    response = organizer.post(
        f"/contests/questions/{quiz.first_question_id}/edit",
        data=question_body(quiz, "Câu hỏi có hình, bản mới", image_alt="Ảnh minh họa"),
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    with app.app_context():
        old = db.session.get(Question, quiz.first_question_id)
        newer = db.session.get(Question, old.replaced_by_id)
        assert (old.image_path, newer.image_path, newer.image_alt) == (name, name, "Ảnh minh họa")


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (b"GIF89a not really a picture", "Chọn hình định dạng PNG, JPEG hoặc WebP."),
        (png()[:60], "Chọn hình định dạng PNG, JPEG hoặc WebP."),  # cut short
    ],
)
def test_a_file_that_is_not_a_picture_is_a_field_error(app, organizer, quiz, upload, message):
    body = question_body(quiz, "Câu hỏi kèm tệp lạ", image=(io.BytesIO(upload), "hinh.png"), image_alt="Hình")
    page = organizer.post(f"/contests/{quiz.contest_id}/questions/new", data=body, content_type="multipart/form-data")
    assert page.status_code == 200 and message in page.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).where(Question.text == "Câu hỏi kèm tệp lạ")) == 0


def test_a_picture_needs_a_description_and_a_too_large_upload_is_refused_before_it_is_read(app, organizer, quiz):
    body = question_body(quiz, "Câu hỏi có hình không mô tả", image=(io.BytesIO(png()), "hinh.png"))
    page = organizer.post(f"/contests/{quiz.contest_id}/questions/new", data=body, content_type="multipart/form-data")
    assert "Mô tả hình cho người dự thi không xem được hình." in page.get_data(as_text=True)
    huge = question_body(quiz, "Câu hỏi có hình quá lớn", image=(io.BytesIO(b"\0" * (3 * 1024 * 1024)), "to.png"))
    response = organizer.post(
        f"/contests/{quiz.contest_id}/questions/new", data=huge, content_type="multipart/form-data"
    )
    assert response.status_code == 413


def test_read_bounded_never_reads_past_its_limit():
    class Counting(io.BytesIO):
        asked = 0

        def read(self, size=-1):
            Counting.asked = size
            return super().read(size)

    with pytest.raises(images.InvalidImage):
        images.read_bounded(Counting(b"x" * 101), limit=100)
    assert Counting.asked == 101
    assert images.read_bounded(io.BytesIO(b"x" * 100), limit=100) == b"x" * 100


def test_a_decompression_bomb_is_refused_before_it_is_decoded():
    out = io.BytesIO()
    Image.new("1", (7000, 7000)).save(out, "PNG")  # small on disk, 49 million pixels
    with pytest.raises(images.InvalidImage) as refused:
        images.reencode(out.getvalue())
    assert refused.value.field == "image"
