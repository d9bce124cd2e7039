"""The data rows of an imported spreadsheet, whichever feature imports it (events' schedule, the quiz's question
bank): the header row is found by its column names among the first lines, so both a template and an export whose
header sits under a title block are read; blank lines are left out; lines and rows are bounded while reading, so a
file of a million empty rows is refused at the first line past the bound, not after it was all parsed."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from .errors import DomainError

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ROW_KEY = "_row"  # in a row dict: the row's number as the spreadsheet shows it


@dataclass(frozen=True)
class Table:
    """What one kind of import file looks like, and what its errors say.

    ``column_of`` gives the column key a header cell names (or None); the header row is the first of the first
    ``header_search_lines`` lines naming every key of ``marks``; ``required`` lists the (key, header as the
    template writes it) of the columns that must be there. The messages speak of the file's own rows ("Delete the
    empty rows below the questions"); ``error`` makes the DomainError of the feature (its field and status)."""

    column_of: Callable[[object], str | None]
    marks: frozenset[str]
    required: Sequence[tuple[str, str]]
    max_lines: int
    max_rows: int
    too_many_lines: object
    too_many_rows: object
    no_header: object
    no_rows: object
    error: Callable[[object, str], DomainError]
    header_search_lines: int = 20


def is_blank(value) -> bool:
    """An empty cell: nothing, or only spaces."""
    return value is None or (isinstance(value, str) and not value.strip())


def header_map(cells: Sequence, column_of: Callable[[object], str | None]) -> dict[int, str]:
    """Cell index → column key of the cells of one line that name a column (the first of two naming the same)."""
    found: dict[int, str] = {}
    for index, cell in enumerate(cells):
        key = column_of(cell) if not is_blank(cell) else None
        if key is not None and key not in found.values():
            found[index] = key
    return found


def data_rows(lines: Iterable[tuple[int, Sequence]], table: Table) -> list[dict]:
    """The non-blank lines under the header row of ``lines`` (numbered lines, as ``xlsx_lines``/``csv_lines`` of
    events' transfer reading give them), as dicts keyed by column key plus ``ROW_KEY``. Raises ``table.error``
    for too many lines or rows, no header row, a missing required column, or no data row."""
    header: dict[int, str] | None = None
    rows: list[dict] = []
    for number, cells in lines:
        if number > table.max_lines:
            raise table.error(table.too_many_lines, "too_many_lines")
        if header is None:
            candidate = header_map(cells, table.column_of)
            if table.marks <= set(candidate.values()):
                header = candidate
                missing = [name for key, name in table.required if key not in header.values()]
                if missing:
                    raise table.error(
                        _l(
                            "The file has no column “%(names)s”. Download the template and keep its header row.",
                            names="”, “".join(missing),
                        ),
                        "missing_columns",
                    )
            elif number >= table.header_search_lines:
                break
            continue
        if all(is_blank(cell) for cell in cells):
            continue
        if len(rows) >= table.max_rows:
            raise table.error(table.too_many_rows, "too_many_rows")
        row = {key: cells[index] for index, key in header.items() if index < len(cells)}
        row[ROW_KEY] = number
        rows.append(row)
    if header is None:
        raise table.error(table.no_header, "no_header")
    if not rows:
        raise table.error(table.no_rows, "no_rows")
    return rows
