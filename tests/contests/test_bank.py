"""Importing questions from XLSX/CSV: every row checked, errors numbered by row, nothing saved when one is wrong."""

import io

import pytest
from flask_babel import force_locale
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from contests.models import Question, QuestionOption, QuizTopic
from contests.services.questions import bank
from events.services.transfer import ImportRejected

HEADER = [
    "Chủ đề",
    "Mức độ",
    "Câu hỏi",
    "Nhiều đáp án",
    "Phương án A",
    "Phương án B",
    "Phương án C",
    "Đáp án đúng",
    "Giải thích",
    "Nguồn",
]
GOOD = [
    [
        "Mật khẩu",
        "Dễ",
        "Mật khẩu nào mạnh nhất?",
        "Không",
        "123456",
        "Ca-phe-sua-da!7",
        "matkhau",
        "B",
        "Dài và khó đoán.",
        "Cẩm nang",
    ],
    [
        "Ứng dụng nTrust",
        "Trung bình",
        "nTrust giúp gì?",
        "Có",
        "Kiểm tra số điện thoại",
        "Vay tiền",
        "Phản ánh lừa đảo",
        "A, C",
        "Tra cứu và phản ánh.",
        "NCSC",
    ],
]


def _xlsx(rows):
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return buffer


def _csv(rows, delimiter=","):
    import csv

    text = io.StringIO()
    csv.writer(text, delimiter=delimiter).writerows(rows)
    return io.BytesIO(text.getvalue().encode("utf-8-sig"))


def test_a_good_file_imports_every_question_with_its_key_and_new_topics(quiz):
    created = bank.import_file(quiz.session, quiz.contest.id, "cau-hoi.xlsx", _xlsx([HEADER, *GOOD]))
    assert [q.text for q in created] == ["Mật khẩu nào mạnh nhất?", "nTrust giúp gì?"]
    single, multiple = created
    assert [(o.text, o.is_correct) for o in single.options] == [
        ("123456", False),
        ("Ca-phe-sua-da!7", True),
        ("matkhau", False),
    ]
    assert multiple.multiple and [o.is_correct for o in multiple.options] == [True, False, True]
    assert str(multiple.difficulty) == "medium" and multiple.topic.name == "Ứng dụng nTrust"


def test_a_csv_from_vietnamese_excel_with_semicolons_reads_the_same(quiz):
    created = bank.import_file(quiz.session, quiz.contest.id, "cau-hoi.csv", _csv([HEADER, *GOOD], ";"))
    assert len(created) == 2


def test_every_bad_row_is_reported_with_its_number_and_nothing_is_saved(quiz):
    before = [quiz.session.scalar(select(func.count()).select_from(m)) for m in (Question, QuestionOption, QuizTopic)]
    rows = [
        HEADER,
        GOOD[0],
        ["Chủ đề mới", "Rất khó", "Câu thiếu đáp án", "", "A1", "B1", "", "", "Giải thích", "Nguồn"],
        ["Chủ đề mới", "Khó", "Câu một đáp án", "Không", "A1", "B1", "C1", "A, B", "Giải thích", ""],
        ["Chủ đề mới", "Dễ", "Câu đáp án trống", "", "A1", "B1", "", "C", "Giải thích", "Nguồn"],
        ["Chủ đề mới", "Dễ", "Mật khẩu nào mạnh nhất?", "", "A1", "B1", "", "A", "Giải thích", "Nguồn"],
    ]
    with pytest.raises(ImportRejected) as rejected:
        bank.import_file(quiz.session, quiz.contest.id, "cau-hoi.xlsx", _xlsx(rows))
    found = [(e.row_number, e.column) for e in rejected.value.errors]
    assert found == [
        (3, "Mức độ"),
        (3, "Đáp án đúng"),
        (4, "Nguồn"),
        (4, "Đáp án đúng"),
        (5, "Đáp án đúng"),
        (6, "Câu hỏi"),  # the same text as row 2
    ]
    assert "4 row" in str(rejected.value.message) or "4" in str(rejected.value.message)
    with force_locale("en"):  # the bank's own words, not the activities' import's
        assert str(rejected.value.message).startswith("No question was imported because of errors in 4 row(s).")
    after = [quiz.session.scalar(select(func.count()).select_from(m)) for m in (Question, QuestionOption, QuizTopic)]
    assert after == before


def test_a_question_already_in_the_bank_is_refused(quiz):
    bank.import_file(quiz.session, quiz.contest.id, "a.xlsx", _xlsx([HEADER, GOOD[0]]))
    with pytest.raises(ImportRejected) as rejected:
        bank.import_file(quiz.session, quiz.contest.id, "b.xlsx", _xlsx([HEADER, GOOD[0]]))
    assert [(e.row_number, e.column) for e in rejected.value.errors] == [(2, "Câu hỏi")]


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("cau-hoi.pdf", b"%PDF", "bad_extension"),
        ("cau-hoi.csv", b"", "empty_file"),
        ("cau-hoi.csv", "Tên,Tuổi\nAn,20\n".encode(), "no_header"),
        ("cau-hoi.csv", "Câu hỏi,Đáp án đúng\nHỏi gì?,A\n".encode(), "missing_columns"),
        ("cau-hoi.xlsx", b"not a zip at all", "unreadable"),
    ],
)
def test_files_that_cannot_be_read_are_refused_with_a_reason(quiz, name, content, code):
    with pytest.raises(bank.DomainError) as refused:
        bank.import_file(quiz.session, quiz.contest.id, name, io.BytesIO(content))
    assert refused.value.code == code and refused.value.field == "file"


def test_the_template_reads_back_as_its_example_question(quiz):
    data = bank.build_question_template()
    workbook = load_workbook(io.BytesIO(data))
    assert workbook.sheetnames == ["Câu hỏi", "Hướng dẫn"]
    assert [c.value for c in workbook["Câu hỏi"][1]][:3] == ["Chủ đề", "Mức độ", "Câu hỏi"]
    created = bank.import_file(quiz.session, quiz.contest.id, "mau.xlsx", io.BytesIO(data))
    assert [q.text for q in created] == [bank.EXAMPLE_ROW["text"]]
    assert [o.is_correct for o in created[0].options] == [False, True, False, False]


def test_the_cli_imports_with_a_progress_bar_and_prints_row_errors_in_vietnamese(app, tmp_path):
    from app.extensions import db
    from contests.models import Contest

    with app.app_context():
        db.session.add(Contest(title="An toàn thông tin", kind="online_quiz"))
        db.session.commit()
    good = tmp_path / "good.xlsx"
    good.write_bytes(_xlsx([HEADER, *GOOD]).getvalue())
    bad = tmp_path / "bad.csv"
    bad.write_bytes(_csv([HEADER, GOOD[0], ["X", "Dễ", "Câu hỏi khác", "", "A", "B", "", "Z", "G", "N"]]).getvalue())
    runner = app.test_cli_runner()
    result = runner.invoke(args=["contests", "import-questions", str(bad)])
    assert result.exit_code == 1
    assert "Dòng 3 – Đáp án đúng" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count(Question.id))) == 0
    result = runner.invoke(args=["contests", "import-questions", str(good)])
    assert result.exit_code == 0, result.output
    assert "Đã nhập 2 câu hỏi" in result.output
    template = tmp_path / "mau.xlsx"
    assert runner.invoke(args=["contests", "question-template", str(template)]).exit_code == 0
    assert load_workbook(template).sheetnames == ["Câu hỏi", "Hướng dẫn"]


def test_the_header_row_is_found_under_a_title_block(quiz):
    rows = [["Ngân hàng câu hỏi – Tuần 1"], [], HEADER, *GOOD, [], []]
    created = bank.import_file(quiz.session, quiz.contest.id, "cau-hoi.xlsx", _xlsx(rows))
    assert [q.text for q in created] == [GOOD[0][2], GOOD[1][2]]


def test_the_shared_header_search_speaks_of_questions_with_the_forms_status(quiz):
    from flask_babel import force_locale

    lines = "\n".join([",".join(HEADER), *[""] * (bank.MAX_LINES + 1)]).encode()
    with pytest.raises(bank.DomainError) as refused:
        bank.import_file(quiz.session, quiz.contest.id, "cau-hoi.csv", io.BytesIO(lines))
    assert (refused.value.code, refused.value.status, refused.value.field) == ("too_many_lines", 422, "file")
    with force_locale("vi"):
        assert "bên dưới các câu hỏi" in str(refused.value.message)
    with pytest.raises(bank.DomainError) as refused:
        bank.import_file(quiz.session, quiz.contest.id, "cau-hoi.csv", io.BytesIO(",".join(HEADER).encode()))
    assert refused.value.code == "no_rows"
    with force_locale("vi"):
        assert "câu hỏi" in str(refused.value.message)


def test_a_question_file_that_unpacks_to_too_much_is_refused_without_speaking_of_a_schedule(quiz):
    import zipfile

    from flask_babel import force_locale

    from events.services.transfer import MAX_UNPACKED_BYTES

    data = _xlsx([HEADER, *GOOD])
    with zipfile.ZipFile(data, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/padding.xml", b"\0" * (MAX_UNPACKED_BYTES + 1))
    data.seek(0)
    with pytest.raises(bank.DomainError) as refused:
        bank.import_file(quiz.session, quiz.contest.id, "cau-hoi.xlsx", data)
    assert refused.value.code == "too_large_unpacked" and refused.value.field == "file"
    with force_locale("vi"):
        message = str(refused.value.message)
    assert "lịch" not in message and "hoạt động" not in message and "tệp mẫu" in message
    with force_locale("en"):
        assert "schedule" not in str(refused.value.message)
