"""A round's attempts out to a spreadsheet (XLSX) or CSV for the organizers: each attempt's participant (name, ward,
phone: in full for a prize winner, whom the organizers must call, masked for everyone else; never any CCCD), times,
score, prediction, rank, prize, flags and disqualification, and every answer (the options named by their letter in
the bank, A for the first, whatever order the attempt showed them in). Times are local (``tz``), dd/mm/yyyy
HH:MM:SS. The file's words are fixed Vietnamese, like the other exports."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import AuditEntry, Unit

from ...models import (
    AttemptAnswer,
    AttemptFlag,
    AttemptQuestion,
    FlagKind,
    Participant,
    Prize,
    QuestionOption,
    QuizAttempt,
    QuizRound,
)

ATTEMPTS_SHEET = "Lượt thi"
ANSWERS_SHEET = "Câu trả lời"
ATTEMPT_HEADERS = (
    "Mã lượt thi",
    "Họ và tên",
    "Điện thoại",
    "Phường/xã",
    "Lượt",
    "Bắt đầu",
    "Nộp bài",
    "Hạn nộp",
    "Thời gian làm bài (giây)",
    "Số câu",
    "Số câu đã trả lời",
    "Điểm",
    "Dự đoán",
    "Xếp hạng",
    "Giải",
    "Đồng hạng qua mức giải",
    "Cảnh báo",
    "Bị loại",
    "Lý do loại",
    "Câu trả lời",
)
ANSWER_HEADERS = ("Mã lượt thi", "Thứ tự câu", "Mã câu hỏi", "Đã chọn", "Đúng", "Lưu lúc")
PRIZE_LABEL = {
    Prize.FIRST: "Giải Nhất",
    Prize.SECOND: "Giải Nhì",
    Prize.THIRD: "Giải Ba",
    Prize.CONSOLATION: "Giải Khuyến khích",
}
FLAG_LABEL = {
    FlagKind.TOO_FAST: "Nhanh bất thường",
    FlagKind.IDENTICAL_ANSWERS: "Trùng câu trả lời và thời gian",
    FlagKind.SHARED_DEVICE: "Nhiều người trên một thiết bị",
}
LETTERS = "ABCDEFGHIJ"
BATCH = 1000


def _local(value: datetime | None, tz: ZoneInfo) -> str:
    return value.astimezone(tz).strftime("%d/%m/%Y %H:%M:%S") if value else ""


def export_rows(session: Session, quiz_round: QuizRound, *, tz: ZoneInfo) -> Iterator[tuple[list, list[list]]]:
    """Each attempt of the round in rank order (unranked ones after), as (attempt row, answer rows); read in
    batches, so a round of 100,000 attempts is never all in memory."""
    ids = session.scalars(
        select(QuizAttempt.id)
        .where(QuizAttempt.round_id == quiz_round.id)
        .order_by(QuizAttempt.rank.is_(None), QuizAttempt.rank, QuizAttempt.id)
    ).all()
    for start in range(0, len(ids), BATCH):
        yield from _batch(session, ids[start : start + BATCH], tz)


def winner_phone(attempt: QuizAttempt, phone: str | None) -> str | None:
    """The full phone of a prize winner (the organizers call winners to hand out prizes), else None: every other
    participant's phone stays masked."""
    return phone if attempt.prize and attempt.disqualified_at is None and phone else None


def _batch(session: Session, ids: list[int], tz: ZoneInfo) -> Iterator[tuple[list, list[list]]]:
    rows = session.execute(
        select(QuizAttempt, Participant.full_name, Participant.phone, Participant.phone_last4, Unit.name)
        .join(Participant, Participant.id == QuizAttempt.participant_id)
        .outerjoin(Unit, Unit.id == Participant.ward_unit_id)
        .where(QuizAttempt.id.in_(ids))
    ).all()
    by_id = {row.QuizAttempt.id: row for row in rows}
    positions: dict[tuple[int, int], int] = {}
    for attempt_id, position, question_id in session.execute(
        select(AttemptQuestion.attempt_id, AttemptQuestion.position, AttemptQuestion.question_id).where(
            AttemptQuestion.attempt_id.in_(ids)
        )
    ):
        positions[(attempt_id, question_id)] = position
    answers: dict[int, list] = defaultdict(list)
    question_ids: set[int] = set()
    for answer in session.scalars(select(AttemptAnswer).where(AttemptAnswer.attempt_id.in_(ids))):
        answers[answer.attempt_id].append(answer)
        question_ids.add(answer.question_id)
    letters = {
        option_id: LETTERS[position - 1] if 0 < position <= len(LETTERS) else str(position)
        for option_id, position in session.execute(
            select(QuestionOption.id, QuestionOption.position).where(QuestionOption.question_id.in_(question_ids))
        )
    }
    flags: dict[int, list[str]] = defaultdict(list)
    for attempt_id, kind in session.execute(
        select(AttemptFlag.attempt_id, AttemptFlag.kind).where(AttemptFlag.attempt_id.in_(ids)).order_by(AttemptFlag.id)
    ):
        flags[attempt_id].append(FLAG_LABEL.get(kind, str(kind)))
    for attempt_id in ids:
        row = by_id[attempt_id]
        attempt = row.QuizAttempt
        mine = sorted(answers[attempt_id], key=lambda a: positions.get((attempt_id, a.question_id), 0))
        answer_rows = [
            [
                attempt_id,
                positions.get((attempt_id, a.question_id), ""),
                a.question_id,
                ", ".join(letters.get(option_id, "?") for option_id in a.chosen_option_ids),
                "Đúng" if a.is_correct else "Sai",
                _local(a.saved_at, tz),
            ]
            for a in mine
        ]
        summary = "; ".join(f"{r[1]}:{r[3]}{'✓' if r[4] == 'Đúng' else '✗'}" for r in answer_rows)
        yield (
            [
                attempt_id,
                row.full_name,
                winner_phone(attempt, row.phone) or "******" + row.phone_last4,
                row.name or "",
                attempt.number,
                _local(attempt.started_at, tz),
                _local(attempt.submitted_at, tz),
                _local(attempt.deadline_at, tz),
                round(attempt.time_taken_ms / 1000, 1) if attempt.time_taken_ms is not None else "",
                attempt.question_total,
                len(mine),
                attempt.score if attempt.score is not None else "",
                attempt.prediction if attempt.prediction is not None else "",
                attempt.rank if attempt.rank is not None else "",
                PRIZE_LABEL.get(attempt.prize or "", ""),
                "Có" if attempt.prize_tied else "",
                ", ".join(flags[attempt_id]),
                _local(attempt.disqualified_at, tz),
                attempt.disqualification_reason or "",
                summary,
            ],
            answer_rows,
        )


def _cells(sheet, values: list) -> list:
    """Text stays text (a name typed as "=HYPERLINK(…)" is never a formula) without the characters a workbook
    cannot hold."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    cells = []
    for value in values:
        if isinstance(value, str):
            cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", value))
            cell.data_type = "s"
        else:
            cell = WriteOnlyCell(sheet, value=value)
        cells.append(cell)
    return cells


def _csv_safe(value):
    """A text cell that a spreadsheet would run as a formula gets a leading apostrophe (OWASP's CSV advice)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def export_round_xlsx(session: Session, quiz_round: QuizRound, *, tz: ZoneInfo) -> bytes:
    """The round as an .xlsx: "Lượt thi" (one row per attempt) and "Câu trả lời" (one row per answer)."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    attempts = workbook.create_sheet(ATTEMPTS_SHEET)
    answers = workbook.create_sheet(ANSWERS_SHEET)
    attempts.append(_cells(attempts, list(ATTEMPT_HEADERS)))
    answers.append(_cells(answers, list(ANSWER_HEADERS)))
    for attempt_row, answer_rows in export_rows(session, quiz_round, tz=tz):
        attempts.append(_cells(attempts, attempt_row))
        for answer_row in answer_rows:
            answers.append(_cells(answers, answer_row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def export_round_csv(session: Session, quiz_round: QuizRound, *, tz: ZoneInfo) -> bytes:
    """The round as a UTF-8 CSV (with a BOM, so Excel reads the Vietnamese): one row per attempt, the answers in
    the last column as "position:letters✓/✗"."""
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(ATTEMPT_HEADERS)
    for attempt_row, _answers in export_rows(session, quiz_round, tz=tz):
        writer.writerow([_csv_safe(value) for value in attempt_row])
    return text.getvalue().encode("utf-8-sig")


def export_filename(quiz_round: QuizRound, extension: str) -> str:
    """The download's name: ASCII, so every browser and spreadsheet keeps it as it is."""
    return f"ket-qua-vong-{quiz_round.id}.{extension}"


def record_export(session: Session, quiz_round: QuizRound, fmt: str, actor_id: int | None) -> None:
    """The export of a round's attempts (personal data) in the audit trail: who, when, which round; not the data."""
    count = session.scalar(select(func.count()).where(QuizAttempt.round_id == quiz_round.id)) or 0
    session.add(
        AuditEntry(
            actor_id=actor_id,
            action="export",
            entity="QuizAttempt",
            entity_id=f"round:{quiz_round.id}",
            changes={"round_id": quiz_round.id, "format": fmt, "count": count},
        )
    )
