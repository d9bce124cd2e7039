"""Exports of a round: every attempt with answers, times, score, rank, prize and flags; full phones for prize
winners only; no formula."""

import csv
import io
from datetime import timedelta
from zoneinfo import ZoneInfo

from openpyxl import load_workbook

from contests.services import flags
from contests.services.rounds import exports
from contests.services.rounds.ranking import close_round

from .conftest import NOW

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def _closed_round(quiz):
    winner = quiz.attempt(correct=5, prediction=1, taken_s=8, submitted_s=9, person=quiz.participant("Lê Thị Hoa"))
    rogue = quiz.attempt(
        correct=2, prediction=1, taken_s=300, submitted_s=320, person=quiz.participant('=HYPERLINK("http://x")')
    )
    close_round(quiz.session, quiz.round, now=NOW + timedelta(days=8))
    flags.detect_flags(quiz.session, quiz.round, now=NOW + timedelta(days=8))
    return winner, rogue


def test_the_xlsx_export_lists_attempts_in_rank_order_with_their_answers_and_flags(quiz):
    winner, rogue = _closed_round(quiz)
    book = load_workbook(io.BytesIO(exports.export_round_xlsx(quiz.session, quiz.round, tz=TZ)))
    assert book.sheetnames == ["Lượt thi", "Câu trả lời"]
    rows = list(book["Lượt thi"].iter_rows(values_only=True))
    header = rows[0]
    first = dict(zip(header, rows[1], strict=True))
    assert first["Họ và tên"] == "Lê Thị Hoa" and first["Điểm"] == 5 and first["Xếp hạng"] == 1
    assert first["Giải"] == "Giải Nhất" and first["Cảnh báo"] == "Nhanh bất thường"
    assert first["Bắt đầu"] == "04/10/2027 09:00:00" and first["Thời gian làm bài (giây)"] == 8
    # The winner's phone in full (the organizers call winners), everyone else's masked.
    assert first["Điện thoại"] == winner.participant.phone
    second = dict(zip(header, rows[2], strict=True))
    assert second["Giải"] is None and second["Điện thoại"] == "******" + rogue.participant.phone_last4
    assert second["Họ và tên"] == '=HYPERLINK("http://x")'  # kept as text: openpyxl reads no formula back
    assert book["Lượt thi"].cell(row=3, column=2).data_type == "s"
    answers = list(book["Câu trả lời"].iter_rows(values_only=True))
    assert len(answers) == 1 + 5 + 5
    assert answers[1][0] == winner.id and answers[1][4] == "Đúng" and answers[1][3] in "ABCD"


def test_the_csv_export_has_one_row_per_attempt_and_neutralises_formulas(quiz):
    _closed_round(quiz)
    data = exports.export_round_csv(quiz.session, quiz.round, tz=TZ)
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert len(rows) == 3 and rows[0][0] == "Mã lượt thi"
    assert rows[2][1] == '\'=HYPERLINK("http://x")'
    assert rows[1][-1].count("✓") == 5 and rows[2][-1].count("✗") == 3
