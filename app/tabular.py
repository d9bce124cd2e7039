"""The data rows of an imported spreadsheet, whichever feature imports it (events' schedule, the quiz's question
bank): the file's numbered lines (``xlsx_lines``, ``csv_lines``, an .xlsx's unpacked size checked before anything
is inflated), then the header row found by its column names among the first lines, so both a template and an
export whose header sits under a title block are read; blank lines are left out; lines and rows are bounded while
reading, so a file of a million empty rows is refused at the first line past the bound, not after it was all
parsed. Every limit is the caller's: each import says how much it takes."""

from __future__ import annotations

import csv
import io
import itertools
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
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
    """The non-blank lines under the header row of ``lines`` (numbered lines, as ``xlsx_lines``/``csv_lines`` give
    them), as dicts keyed by column key plus ``ROW_KEY``. Raises ``table.error``
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


# --- files ---------------------------------------------------------------------------------------------------

FileError = Callable[[object, str], DomainError]  # (message, code) -> the feature's error


def file_error(message, code: str) -> DomainError:
    """The default error of a file that cannot be read: a DomainError on the form's "file" field."""
    return DomainError(message, code=code, field="file")


def _unreadable(error: FileError) -> DomainError:
    return error(
        _l("This file could not be read as an Excel workbook (.xlsx). Save it again from Excel and retry."),
        "unreadable",
    )


def unpacked_size(data: bytes) -> int:
    """What the members of the zip file ``data`` (an .xlsx, a .docx) say they unpack to, read from its directory
    before anything is inflated. Raises zipfile.BadZipFile (or OSError/ValueError) for a file that is no zip."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return sum(member.file_size for member in archive.infolist())


def check_unpacked_size(data: bytes, *, max_unpacked_bytes: int, error: FileError = file_error) -> None:
    """Refuse an .xlsx that unpacks to more than ``max_unpacked_bytes``: 2 MB on the wire can unpack to gigabytes
    of XML. A file that is no zip is refused as unreadable."""
    try:
        unpacked = unpacked_size(data)
    except (zipfile.BadZipFile, OSError, ValueError) as failure:
        raise _unreadable(error) from failure
    if unpacked > max_unpacked_bytes:
        raise error(
            _l("The file unpacks to more data than an import may hold. Copy its rows into the template and retry."),
            "too_large_unpacked",
        )


def xlsx_lines(
    data: bytes,
    *,
    max_unpacked_bytes: int,
    max_columns: int,
    sheet: str | None = None,
    error: FileError = file_error,
) -> Iterator[tuple[int, tuple]]:
    """The numbered lines (cell values, at most ``max_columns`` a line) of the XLSX file's sheet named ``sheet``
    (the first sheet when it has none), its unpacked size checked before it is read; an unreadable file is
    ``error(message, code)``. Lines are read lazily: ``data_rows`` stops at its line bound, so millions of
    formatted empty rows are never all parsed."""
    from openpyxl import load_workbook

    check_unpacked_size(data, max_unpacked_bytes=max_unpacked_bytes, error=error)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as failure:  # openpyxl raises anything from KeyError to XML parse errors on a damaged file
        raise _unreadable(error) from failure
    try:
        found = workbook[sheet] if sheet is not None and sheet in workbook.sheetnames else workbook.worksheets[0]
        yield from enumerate(found.iter_rows(values_only=True, max_col=max_columns), start=1)
    except DomainError:
        raise
    except Exception as failure:
        raise _unreadable(error) from failure
    finally:
        workbook.close()


def csv_lines(data: bytes, *, max_lines: int, error: FileError = file_error) -> Iterable[tuple[int, tuple]]:
    """The numbered lines of a UTF-8 CSV file (NFC; ";", "," or tab between cells, as Excel writes them), at most
    ``max_lines`` + 1 (so that ``data_rows`` sees there were too many); a file that is not UTF-8 or is malformed
    is ``error(message, code)``."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as failure:
        raise error(
            _l("The CSV file is not in UTF-8. In Excel, save it as “CSV UTF-8 (Comma delimited)”."), "not_utf8"
        ) from failure
    text = unicodedata.normalize("NFC", text)
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    # Excel set to Vietnamese writes ";" between cells, because "," is its decimal separator.
    delimiter = max((";", ",", "\t"), key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        # Whole lines are read here, so a malformed one is a clear error rather than a failure half-way.
        return list(enumerate(itertools.islice(reader, max_lines + 1), start=1))
    except csv.Error as failure:
        raise error(
            _l("This CSV file could not be read (a cell is too long or a quote is not closed)."), "bad_csv"
        ) from failure
