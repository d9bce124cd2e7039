"""The question bank in and out of spreadsheets: the import template (XLSX), reading an .xlsx or .csv file of
questions, checking every row, and saving them all or none.

The file's vocabulary (sheet and column names, Dễ/Trung bình/Khó, Có/Không) is fixed Vietnamese whatever the
interface language, like the schedule import (events/services/transfer): a file reads the same for everyone who
opens it. Error messages go through the catalogue and name the row as the spreadsheet numbers it."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.errors import DomainError
from app.tabular import Table, data_rows, is_blank
from app.text import forbidden_characters, nfc
from events.services.transfer import ImportRejected, RowError, fold
from events.services.transfer.reading import csv_lines, xlsx_lines

from ...models import Difficulty, Question, QuestionOption, QuizTopic

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 2000
MAX_LINES = 10_000
SHEET = "Câu hỏi"
GUIDE_SHEET = "Hướng dẫn"
LETTERS = "ABCDEF"
YES, NO = "Có", "Không"
ROW_KEY = "_row"


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    width: int
    required: bool
    guide: str


COLUMNS = (
    Column("topic", "Chủ đề", 26, True, "Chủ đề của câu hỏi, ví dụ “Tin nhắn lừa đảo”. Chủ đề mới được tạo khi nhập."),
    Column("difficulty", "Mức độ", 12, True, "Dễ, Trung bình hoặc Khó."),
    Column("text", "Câu hỏi", 60, True, "Nội dung câu hỏi."),
    Column("multiple", "Nhiều đáp án", 12, False, "Có nếu câu hỏi có thể có nhiều đáp án đúng; để trống là Không."),
    *(
        Column(f"option_{letter}", f"Phương án {letter}", 30, letter in "AB", "Ít nhất hai phương án (A và B).")
        for letter in LETTERS
    ),
    Column("correct", "Đáp án đúng", 12, True, "Chữ cái của phương án đúng, ví dụ B; nhiều đáp án: A, C."),
    Column(
        "explanation", "Giải thích", 50, True, "Giải thích đáp án, hiện cho người dự thi sau khi vòng thi kết thúc."
    ),
    Column("source", "Nguồn", 40, True, "Nguồn tham khảo: văn bản, cẩm nang, trang chính thức."),
    Column("image", "Hình ảnh", 24, False, "Tên tệp hình minh họa trong thư mục tải lên (không bắt buộc)."),
)
COLUMN_BY_KEY = {c.key: c for c in COLUMNS}
COLUMN_NAMES = {fold(c.header): c.key for c in COLUMNS} | {fold(c.key): c.key for c in COLUMNS}
DIFFICULTY_NAMES = {
    "de": Difficulty.EASY,
    "easy": Difficulty.EASY,
    "trung binh": Difficulty.MEDIUM,
    "medium": Difficulty.MEDIUM,
    "kho": Difficulty.HARD,
    "hard": Difficulty.HARD,
}
DIFFICULTY_LABEL = {Difficulty.EASY: "Dễ", Difficulty.MEDIUM: "Trung bình", Difficulty.HARD: "Khó"}
LIMITS = {"topic": 120, "text": 4000, "explanation": 4000, "source": 500, "image": 300, "option": 1000}

EXAMPLE_ROW = {
    "topic": "Tin nhắn lừa đảo",
    "difficulty": "Dễ",
    "text": "Bạn nhận được tin nhắn yêu cầu bấm vào đường link để “xác minh tài khoản ngân hàng”. Bạn nên làm gì?",
    "multiple": NO,
    "option_A": "Bấm vào đường link ngay",
    "option_B": "Không bấm link, gọi tổng đài chính thức của ngân hàng",
    "option_C": "Trả lời tin nhắn để hỏi thêm",
    "option_D": "Chuyển tiếp cho người thân",
    "correct": "B",
    "explanation": "Ngân hàng không yêu cầu xác minh tài khoản qua đường link gửi trong tin nhắn.",
    "source": "Cục An toàn thông tin – Cẩm nang phòng chống lừa đảo trực tuyến",
}


@dataclass
class QuestionDraft:
    row_number: int
    topic: str
    difficulty: Difficulty
    text: str
    multiple: bool
    options: list[tuple[str, bool]]
    explanation: str
    source: str
    image_path: str | None = None
    errors: list[RowError] = field(default_factory=list)


def _file_error(message, code: str) -> DomainError:
    return DomainError(message, code=code, field="file", status=422)


# --- reading -------------------------------------------------------------------------------------------------


def read_question_file(filename: str, stream) -> list[dict]:
    """The data rows of an .xlsx or .csv file of questions, as dicts keyed by column key plus ``_row``."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if extension not in ("xlsx", "csv"):
        raise _file_error(_l("Choose an .xlsx or .csv file (the question template is an .xlsx file)."), "bad_extension")
    data = stream.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise _file_error(_l("The file is larger than %(size)s MB. Split it into smaller files.", size=2), "too_large")
    if not data.strip():
        raise _file_error(_l("The file is empty."), "empty_file")
    lines = xlsx_lines(data) if extension == "xlsx" else csv_lines(data)
    return data_rows(lines, _question_table())


def _question_table() -> Table:
    """The question file for the shared header-row search: the template's columns, its messages."""
    return Table(
        column_of=lambda cell: COLUMN_NAMES.get(fold(cell)),
        marks=frozenset({"text", "correct"}),
        required=[(c.key, c.header) for c in COLUMNS if c.required],
        max_lines=MAX_LINES,
        max_rows=MAX_ROWS,
        too_many_lines=_l(
            "The file has more than %(count)s lines. Delete the empty rows below the questions.", count=MAX_LINES
        ),
        too_many_rows=_l("The file has more than %(count)s questions. Split it into smaller files.", count=MAX_ROWS),
        no_header=_l(
            "The header row was not found: the first row must hold the template's column names (Chủ đề, Câu hỏi…)."
        ),
        no_rows=_l("The file has no question rows."),
        error=_file_error,
    )


# --- checking ------------------------------------------------------------------------------------------------


class _CellError(ValueError):
    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def _text(value, limit: int) -> str:
    if is_blank(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = nfc(str(value).strip())
    if forbidden_characters(text, multiline=True):
        raise _CellError(_l("Remove the invisible control characters from this field."))
    if len(text) > limit:
        raise _CellError(_l("At most %(count)s characters.", count=limit))
    return text


def parse_question_rows(
    rows: Iterable[dict], existing_texts: set[str] | None = None
) -> tuple[list[QuestionDraft], list[RowError]]:
    """Check every row; returns the drafts and every error found (all rows are checked, not only up to the first
    bad one). A question whose text is already in the bank, or twice in the file, is an error too."""
    drafts: list[QuestionDraft] = []
    errors: list[RowError] = []
    seen: dict[str, int] = {}
    existing = {fold(text) for text in existing_texts or ()}
    for row in rows:
        draft = _parse_row(row)
        if draft.text:
            key = fold(draft.text)
            if key in existing:
                draft.errors.append(
                    RowError(
                        draft.row_number, COLUMN_BY_KEY["text"].header, _l("This question is already in the bank.")
                    )
                )
            elif key in seen:
                draft.errors.append(
                    RowError(
                        draft.row_number,
                        COLUMN_BY_KEY["text"].header,
                        _l("The same question is already in row %(number)s.", number=seen[key]),
                    )
                )
            else:
                seen[key] = draft.row_number
        errors.extend(draft.errors)
        drafts.append(draft)
    return drafts, errors


def _parse_row(row: dict) -> QuestionDraft:
    number = row.get(ROW_KEY, 0)
    errors: list[RowError] = []

    def cell(key: str, limit: int):
        try:
            value = _text(row.get(key), limit)
        except _CellError as problem:
            errors.append(RowError(number, COLUMN_BY_KEY[key].header, problem.message))
            return ""
        if not value and COLUMN_BY_KEY[key].required:
            errors.append(RowError(number, COLUMN_BY_KEY[key].header, _l("This field is required.")))
        return value

    def fail(key: str, message) -> None:
        errors.append(RowError(number, COLUMN_BY_KEY[key].header, message))

    topic = cell("topic", LIMITS["topic"])
    text = cell("text", LIMITS["text"])
    explanation = cell("explanation", LIMITS["explanation"])
    source = cell("source", LIMITS["source"])
    image = cell("image", LIMITS["image"]) or None
    difficulty_text = cell("difficulty", 20)
    difficulty = DIFFICULTY_NAMES.get(fold(difficulty_text)) if difficulty_text else None
    if difficulty_text and difficulty is None:
        fail("difficulty", _l("Write Dễ, Trung bình or Khó."))
    multiple_text = fold(cell("multiple", 10))
    if multiple_text not in ("", "co", "khong", "yes", "no", "x"):
        fail("multiple", _l("Write Có or Không."))
    multiple = multiple_text in ("co", "yes", "x")
    options: dict[str, str] = {}
    for letter in LETTERS:
        value = cell(f"option_{letter}", LIMITS["option"])
        if value:
            options[letter] = value
    letters = sorted(options)
    if letters != list(LETTERS[: len(letters)]):
        fail("option_A", _l("Fill the options in order, from A, without gaps."))
    correct_text = cell("correct", 20)
    correct = {part for part in fold(correct_text).upper().replace(";", ",").replace(" ", ",").split(",") if part}
    if correct_text:
        if not correct <= set(LETTERS):
            fail("correct", _l("Write the letters of the correct options, e.g. B or A, C."))
        elif not correct <= set(options):
            fail("correct", _l("A correct answer names an option that is empty."))
        elif not multiple and len(correct) != 1:
            fail("correct", _l("A single-answer question has exactly one correct option; write Có under Nhiều đáp án."))
    return QuestionDraft(
        row_number=number,
        topic=topic,
        difficulty=difficulty or Difficulty.MEDIUM,
        text=text,
        multiple=multiple,
        options=[(options[letter], letter in correct) for letter in letters],
        explanation=explanation,
        source=source,
        image_path=image,
        errors=errors,
    )


# --- saving --------------------------------------------------------------------------------------------------


def bank_texts(session: Session, contest_id: int | None) -> set[str]:
    """The texts of the active questions of the bank the file goes into."""
    condition = Question.contest_id.is_(None) if contest_id is None else Question.contest_id == contest_id
    return set(session.scalars(select(Question.text).where(condition, Question.is_active.is_(True))))


class QuestionsRejected(ImportRejected):
    """Some question rows are invalid, so no question was imported: the events' refusal, in the bank's words."""

    def __init__(self, errors: list[RowError]):
        DomainError.__init__(
            self,
            _l(
                "No question was imported because of errors in %(count)s row(s). Correct them and upload the file "
                "again.",
                count=len({error.row_number for error in errors}),
            ),
            field="file",
        )
        self.errors = errors


def import_questions(
    session: Session,
    contest_id: int | None,
    drafts: Sequence[QuestionDraft],
    *,
    progress: Callable[[int], None] = lambda n: None,
) -> list[Question]:
    """Save checked drafts (topics created by name when new). Raises ``ImportRejected`` if any draft has errors:
    then nothing is added. The caller commits (or rolls back)."""
    errors = [error for draft in drafts for error in draft.errors]
    if errors:
        raise QuestionsRejected(errors)
    topics = {fold(t.name): t for t in session.scalars(select(QuizTopic))}
    created: list[Question] = []
    for draft in drafts:
        topic = topics.get(fold(draft.topic))
        if topic is None:
            topic = QuizTopic(name=draft.topic, position=len(topics) + 1)
            session.add(topic)
            session.flush()
            topics[fold(draft.topic)] = topic
        question = Question(
            contest_id=contest_id,
            topic_id=topic.id,
            difficulty=draft.difficulty,
            text=draft.text,
            multiple=draft.multiple,
            explanation=draft.explanation,
            source=draft.source,
            image_path=draft.image_path,
            version=1,
            is_active=True,
            options=[
                QuestionOption(position=i, text=text, is_correct=ok) for i, (text, ok) in enumerate(draft.options, 1)
            ],
        )
        session.add(question)
        created.append(question)
        progress(1)
    session.flush()
    return created


def import_file(session: Session, contest_id: int | None, filename: str, stream) -> list[Question]:
    """Read, check and save a file in one go (the upload form's path): ``ImportRejected`` lists every bad row."""
    rows = read_question_file(filename, stream)
    drafts, errors = parse_question_rows(rows, bank_texts(session, contest_id))
    if errors:
        raise QuestionsRejected(errors)
    return import_questions(session, contest_id, drafts)


# --- the template --------------------------------------------------------------------------------------------


def build_question_template() -> bytes:
    """The import template (XLSX): the header row and one example on the "Câu hỏi" sheet, drop-down lists for
    Mức độ and Nhiều đáp án, and a "Hướng dẫn" sheet explaining every column."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET
    for index, column in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=1, column=index, value=column.header)
        cell.font = Font(bold=True)
        sheet.column_dimensions[get_column_letter(index)].width = column.width
        sheet.cell(row=2, column=index, value=EXAMPLE_ROW.get(column.key))
    sheet.freeze_panes = "A2"
    positions = {c.key: i for i, c in enumerate(COLUMNS, start=1)}
    for key, choices in (("difficulty", "Dễ,Trung bình,Khó"), ("multiple", f"{YES},{NO}")):
        rule = DataValidation(type="list", formula1=f'"{choices}"', allow_blank=True)
        letter = get_column_letter(positions[key])
        rule.add(f"{letter}2:{letter}{MAX_ROWS + 1}")
        sheet.add_data_validation(rule)
    guide = workbook.create_sheet(GUIDE_SHEET)
    guide.append(["Cột", "Bắt buộc", "Cách điền"])
    for cell in guide[1]:
        cell.font = Font(bold=True)
    for column in COLUMNS:
        guide.append([column.header, YES if column.required else NO, column.guide])
    guide.column_dimensions["A"].width = 18
    guide.column_dimensions["C"].width = 90
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
