"""The shared header-row search of imports (app/tabular.py), on a made-up table: what the schedule's and the
question bank's imports rely on, whatever their columns."""

from __future__ import annotations

import pytest

from app.errors import DomainError
from app.tabular import ROW_KEY, Table, data_rows


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
