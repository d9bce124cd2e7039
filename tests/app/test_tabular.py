"""The shared header-row search of imports (app/tabular.py), on a made-up table: what the schedule's and the
question bank's imports rely on, whatever their columns."""

from __future__ import annotations

import pytest

from app.errors import DomainError
from app.tabular import ROW_KEY, Table, check_unpacked_size, csv_lines, data_rows, unpacked_size, xlsx_lines


class FileError(DomainError):
    status = 418


def _table() -> Table:
    names = {"ten": "name", "tuoi": "age", "ghi chu": "note"}
    return Table(
        column_of=lambda cell: names.get(str(cell).strip().lower()),
        marks=frozenset({"name", "age"}),
        required=[("name", "Ten"), ("age", "Tuoi"), ("note", "Ghi chu")],
        max_lines=10,
        max_rows=3,
        header_search_lines=4,
        too_many_lines="too many lines",
        too_many_rows="too many rows",
        no_header="no header",
        no_rows="no rows",
        error=lambda message, code: FileError(message, code=code, field="file"),
    )


def _numbered(*lines):
    return list(enumerate(lines, start=1))


def test_the_header_is_found_under_a_title_block_and_blank_lines_are_left_out():
    lines = _numbered(
        ("Danh sach",), (), ("Ten", "Tuoi", "Ghi chu", "Ten"), ("An", 20, None), ("", " ", None), ("Binh", 30)
    )
    rows = data_rows(lines, _table())
    assert rows == [
        {"name": "An", "age": 20, "note": None, ROW_KEY: 4},
        {"name": "Binh", "age": 30, ROW_KEY: 6},
    ]


@pytest.mark.parametrize(
    ("lines", "code", "message"),
    [
        ([("x",)] * 4 + [("Ten", "Tuoi", "Ghi chu")] + [("An", 1)], "no_header", "no header"),  # past the search
        ([("Ten", "Tuoi")], "missing_columns", None),
        ([("Ten", "Tuoi", "Ghi chu")] + [()] * 5, "no_rows", "no rows"),
        ([("Ten", "Tuoi", "Ghi chu")] + [("An", 1)] * 4, "too_many_rows", "too many rows"),
        ([("Ten", "Tuoi", "Ghi chu")] + [()] * 10, "too_many_lines", "too many lines"),
    ],
)
def test_each_refusal_is_the_tables_own_error_and_message(app, lines, code, message):
    with app.test_request_context(), pytest.raises(FileError) as refused:
        data_rows(_numbered(*lines), _table())
    assert (refused.value.code, refused.value.status, refused.value.field) == (code, 418, "file")
    if message:
        assert refused.value.message == message
    else:
        assert "“Ghi chu”" in str(refused.value.message)


# --- the readers: lines of a file, with the caller's limits ---------------------------------------------------


def _workbook(**sheets) -> bytes:
    import io

    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for title, lines in sheets.items():
        sheet = book.create_sheet(title)
        for line in lines:
            sheet.append(line)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_csv_lines_take_excels_vietnamese_semicolons_a_bom_and_decomposed_letters():
    data = "\ufeffTen;Tuoi\nNguye\u0302\u0303n An;20\n".encode()
    assert csv_lines(data, max_lines=10) == [(1, ["Ten", "Tuoi"]), (2, ["Nguyễn An", "20"])]
    assert csv_lines(b"a,b\n1,2\n", max_lines=10)[1] == (2, ["1", "2"])
    assert csv_lines(b"a\tb\n", max_lines=10) == [(1, ["a", "b"])]


def test_csv_lines_stop_one_past_the_callers_bound():
    data = "".join(f"{n}\n" for n in range(100)).encode()
    assert len(csv_lines(data, max_lines=5)) == 6  # one more: enough for data_rows to say "too many"


@pytest.mark.parametrize(
    ("data", "code"),
    [("Tên;Tuổi\n".encode("utf-16"), "not_utf8"), (b'a;b\n"never closed' + b"x" * 200_000, "bad_csv")],
)
def test_csv_lines_refusals_are_the_callers_error(app, data, code):
    with app.test_request_context(), pytest.raises(FileError) as refused:
        csv_lines(data, max_lines=10, error=lambda message, code: FileError(message, code=code, field="file"))
    assert refused.value.code == code and refused.value.status == 418


def test_xlsx_lines_read_the_named_sheet_or_the_first_and_at_most_the_columns_asked():
    data = _workbook(Guide=[("read me",)], Data=[("a", "b", "c"), (1, 2, 3)])
    assert list(xlsx_lines(data, max_unpacked_bytes=10**7, max_columns=2, sheet="Data")) == [
        (1, ("a", "b")),
        (2, (1, 2)),
    ]
    assert list(xlsx_lines(data, max_unpacked_bytes=10**7, max_columns=1)) == [(1, ("read me",))]
    assert list(xlsx_lines(data, max_unpacked_bytes=10**7, max_columns=1, sheet="Nope")) == [(1, ("read me",))]


def test_an_xlsx_over_the_callers_unpacked_bound_is_refused_before_it_is_inflated(app):
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/padding.xml", b"\0" * 2_000_001)
    data = buffer.getvalue()
    assert len(data) < 10_000 and unpacked_size(data) == 2_000_001
    with app.test_request_context(), pytest.raises(DomainError) as refused:
        list(xlsx_lines(data, max_unpacked_bytes=2_000_000, max_columns=5))
    assert (refused.value.code, refused.value.field) == ("too_large_unpacked", "file")
    with app.test_request_context(), pytest.raises(DomainError) as refused:
        check_unpacked_size(b"not a zip at all", max_unpacked_bytes=10)
    assert refused.value.code == "unreadable"
