"""Reading an uploaded .xlsx or .csv file into rows, and checking the rows' cells into activity drafts."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime, timedelta
from functools import partial
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l

from app import tabular
from app.errors import DomainError
from app.tabular import Table, data_rows, is_blank
from app.text import ascii_digits, forbidden_characters, nfc
from app.urls import MAX_DB_INT

from .columns import (
    AREA_UNIT_KINDS,
    AUDIENCE_ALIASES,
    COLUMN_BY_KEY,
    COLUMN_NAMES,
    COLUMNS,
    DATA_SHEET,
    EXTENSIONS,
    HEADER_SEARCH_ROWS,
    KIND_ALIASES,
    MAX_BYTES,
    MAX_COLUMNS,
    MAX_LINES,
    MAX_ROWS,
    MAX_UNPACKED_BYTES,
    ROW_KEY,
    ActivityDraft,
    RowError,
    _CellError,
    _NameIndex,
    fold,
)

# --- cells ---------------------------------------------------------------------------------------------------


def _text(value) -> str:
    """A cell as text: NFC (one spelling per letter); control characters (a NUL, an ESC; line breaks are
    allowed, the long columns keep them) are refused rather than stored."""
    if is_blank(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = nfc(str(value).strip())
    if forbidden_characters(text, multiline=True):
        raise _CellError(_l("Remove the invisible control characters from this field."))
    return text


# ASCII digits only: cells go through ascii_digits first, so a date typed in another script reads the same.
_TIME = r"(?:[ T]+([0-9]{1,2})[:hH]([0-9]{2})(?::([0-9]{2}))?)?"
_DMY = re.compile(r"^([0-9]{1,2})[/.-]([0-9]{1,2})[/.-]([0-9]{4})" + _TIME + "$")
_YMD = re.compile(r"^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})" + _TIME.replace("[:hH]", ":") + "$")


def _local(value: datetime, tz: ZoneInfo) -> datetime:
    """A naive cell is local time; the minute is the finest unit a schedule uses."""
    value = value.replace(tzinfo=tz) if value.tzinfo is None else value.astimezone(tz)
    # Excel keeps times as fractions of a day, so 07:30 may come back as 07:29:59.999.
    return (value + timedelta(seconds=30)).replace(second=0, microsecond=0)


def _datetime(value, tz: ZoneInfo) -> datetime:
    if isinstance(value, datetime):
        return _local(value, tz)
    if isinstance(value, date):
        raise _CellError(_l("Add the time: write dd/mm/yyyy hh:mm, for example 05/10/2024 07:30."))
    text = ascii_digits(_text(value))
    match = _DMY.match(text)
    if match:
        day, month, year, hour, minute, _second = match.groups()
    else:
        match = _YMD.match(text)
        if not match:
            raise _CellError(_l("Write the date and time as dd/mm/yyyy hh:mm, for example 05/10/2024 07:30."))
        year, month, day, hour, minute, _second = match.groups()
    if hour is None:
        raise _CellError(_l("Add the time: write dd/mm/yyyy hh:mm, for example 05/10/2024 07:30."))
    try:
        return datetime(int(year), int(month), int(day), int(hour), int(minute), tzinfo=tz)
    except ValueError as error:
        raise _CellError(_l("This date or time does not exist: %(value)s.", value=text)) from error


def _optional_datetime(value, tz: ZoneInfo) -> datetime | None:
    return None if is_blank(value) else _datetime(value, tz)


def _audience_groups(value) -> list[str]:
    """Codes or Vietnamese labels separated by commas (or ";"). Some labels hold a comma themselves ("Học sinh,
    sinh viên"), so pieces are joined again, longest first, until they name a group."""
    pieces = [piece.strip() for piece in re.split(r"[,;\n]", _text(value))]
    pieces = [piece for piece in pieces if piece]
    codes: list[str] = []
    unknown: list[str] = []
    index = 0
    while index < len(pieces):
        for length in (3, 2, 1):
            code = AUDIENCE_ALIASES.get(fold(", ".join(pieces[index : index + length])))
            if code is not None and index + length <= len(pieces):
                break
        else:
            unknown.append(pieces[index])
            index += 1
            continue
        if code not in codes:
            codes.append(code)
        index += length
    if unknown:
        raise _CellError(
            _l(
                "Unknown audience group “%(value)s”: write the groups listed on the “Hướng dẫn” sheet, separated by "
                "commas.",
                value=", ".join(unknown),
            )
        )
    return sorted(codes)


_GROUPED = re.compile(r"^[0-9]{1,3}([.,\s][0-9]{3})+$")


def _count(value) -> int | None:
    if is_blank(value):
        return None
    if isinstance(value, bool):
        raise _CellError(_l("Write a whole number."))
    if isinstance(value, int):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    else:
        text = ascii_digits(_text(value))
        if _GROUPED.match(text):  # "3.000" is how Vietnamese writes three thousand
            text = re.sub(r"[.,\s]", "", text)
        if not re.fullmatch(r"-?[0-9]+", text):
            raise _CellError(_l("Write a whole number."))
        number = int(text)
    if number < 0:
        raise _CellError(_l("Write a number of 0 or more."))
    if number > MAX_DB_INT:
        raise _CellError(_l("This number is too large."))
    return number


_YES = {"co", "c", "x", "yes", "y", "true", "1", "cong khai"}
_NO = {"khong", "k", "no", "n", "false", "0", "noi bo"}


def _yes_no(value, default: bool = True) -> bool:
    if is_blank(value):
        return default
    if isinstance(value, bool):
        return value
    folded = fold(_text(value))
    if folded in _YES:
        return True
    if folded in _NO:
        return False
    raise _CellError(_l("Write “Có” or “Không”."))


# --- rows ----------------------------------------------------------------------------------------------------


def _cells(row) -> dict:
    """A row as {column key: value}; dicts may be keyed by column key or by header, lists follow COLUMNS."""
    if isinstance(row, Mapping):
        cells = {}
        for name, value in row.items():
            key = COLUMN_NAMES.get(fold(name))
            if key is not None:
                cells[key] = value
        return cells
    return {column.key: value for column, value in zip(COLUMNS, row, strict=False)}


def parse_rows(
    rows: Iterable[Mapping | Sequence], units: Iterable, venues: Iterable, *, tz: ZoneInfo, first_row: int = 2
) -> tuple[list[ActivityDraft], list[RowError]]:
    """Check data rows and turn the good ones into drafts, without touching the database.

    ``rows`` are dicts (keyed by column key or Vietnamese header; a ``_row`` key gives the spreadsheet's row
    number, as ``read_upload`` does) or lists in column order, numbered from ``first_row``. ``units`` and
    ``venues`` are the records names are looked up in (anything with ``id``, ``name`` and, for units,
    ``short_name``); times without a zone are in ``tz``. Blank rows are skipped. Returns the drafts of valid
    rows and every error found."""
    units = list(units)
    unit_index = _NameIndex(units, with_short_name=True)
    area_index = _NameIndex(units, with_short_name=True, kinds=AREA_UNIT_KINDS)
    venue_index = _NameIndex(venues, with_short_name=False)
    drafts: list[ActivityDraft] = []
    errors: list[RowError] = []
    for position, row in enumerate(rows):
        number = row.get(ROW_KEY, first_row + position) if isinstance(row, Mapping) else first_row + position
        cells = _cells(row)
        if all(is_blank(value) for value in cells.values()):
            continue
        draft, row_errors = _parse_row(number, cells, unit_index, venue_index, area_index, tz)
        errors.extend(row_errors)
        if draft is not None:
            drafts.append(draft)
    return drafts, errors


def _parse_row(number: int, cells: dict, units: _NameIndex, venues: _NameIndex, areas: _NameIndex, tz: ZoneInfo):
    values: dict = {}
    errors: list[RowError] = []

    def check(key: str, parse: Callable):
        try:
            values[key] = parse(cells.get(key))
        except _CellError as error:
            errors.append(RowError(number, COLUMN_BY_KEY[key].header, error.message))

    def required(parse: Callable, message) -> Callable:
        def parse_required(value):
            if is_blank(value):
                raise _CellError(message)
            return parse(value)

        return parse_required

    def limited(length: int) -> Callable:
        def parse_text(value):
            text = _text(value)
            if len(text) > length:
                raise _CellError(_l("At most %(count)s characters.", count=length))
            return text

        return parse_text

    def kind(value):
        code = KIND_ALIASES.get(fold(_text(value)))
        if code is None:
            raise _CellError(_l("Unknown kind “%(value)s”: choose one from the “Hướng dẫn” sheet.", value=_text(value)))
        return code

    def one(index: _NameIndex, unknown: Callable, ambiguous: Callable) -> Callable:
        def parse_name(value):
            name = _text(value)
            if not name:
                return None
            found = index.find(name)
            if not found:
                raise _CellError(unknown(name))
            if len(found) > 1:
                raise _CellError(ambiguous(name))
            return next(iter(found))

        return parse_name

    find_unit = one(
        units,
        lambda name: _l("No unit is called “%(name)s”. Write its name or short name as on the Units page.", name=name),
        lambda name: _l("Several units are called “%(name)s”. Write the full name of the one you mean.", name=name),
    )
    find_venue = one(
        venues,
        lambda name: _l("No venue is called “%(name)s”. Add the venue first, or leave the cell empty.", name=name),
        lambda name: _l("Several venues are called “%(name)s”.", name=name),
    )

    find_area = one(
        areas,
        lambda name: _l(
            "No ward, commune or district is called “%(name)s”. Write its name as on the Units page.", name=name
        ),
        lambda name: _l("Several units are called “%(name)s”. Write the full name of the one you mean.", name=name),
    )

    def coordinators(value):
        names = [name.strip() for name in re.split(r"[;\n]", _text(value)) if name.strip()]
        ids: list[int] = []
        problems: list = []
        for name in names:
            try:
                unit_id = find_unit(name)
            except _CellError as error:
                problems.append(error.message)
                continue
            if unit_id not in ids:
                ids.append(unit_id)
        if problems:
            raise _CellError(" ".join(str(problem) for problem in problems))
        return ids

    check("title", required(limited(300), _l("Enter the activity's title.")))
    check("kind", required(kind, _l("Choose the kind of activity.")))
    check("starts_at", required(partial(_datetime, tz=tz), _l("Enter when it starts (dd/mm/yyyy hh:mm).")))
    check("ends_at", required(partial(_datetime, tz=tz), _l("Enter when it ends (dd/mm/yyyy hh:mm).")))
    check("venue", find_venue)
    check("lead_unit", required(find_unit, _l("Enter the lead unit.")))
    check("coordinators", coordinators)
    check("audience", limited(300))
    check("expected_headcount", _count)
    check("capacity", _count)
    check("is_public", _yes_no)
    check("description", _text)
    check("registration_open", partial(_yes_no, default=False))
    check("registration_opens_at", partial(_optional_datetime, tz=tz))
    check("registration_closes_at", partial(_optional_datetime, tz=tz))
    check("audience_groups", _audience_groups)
    check("area", find_area)
    check("what_to_bring", _text)
    starts_at, ends_at = values.get("starts_at"), values.get("ends_at")
    if starts_at and ends_at and ends_at <= starts_at:
        errors.append(RowError(number, COLUMN_BY_KEY["ends_at"].header, _l("It must end after it starts.")))
    opens, closes = values.get("registration_opens_at"), values.get("registration_closes_at")
    if opens and closes and closes <= opens:
        errors.append(
            RowError(
                number, COLUMN_BY_KEY["registration_closes_at"].header, _l("Registration must close after it opens.")
            )
        )
    if errors:
        order = [column.header for column in COLUMNS]
        return None, sorted(errors, key=lambda error: order.index(error.column))
    return ActivityDraft(
        row_number=number,
        title=values["title"],
        kind=values["kind"],
        starts_at=starts_at,
        ends_at=ends_at,
        lead_unit_id=values["lead_unit"],
        venue_id=values["venue"],
        coordinator_ids=values["coordinators"],
        audience=values["audience"],
        expected_headcount=values["expected_headcount"],
        capacity=values["capacity"],
        is_public=values["is_public"],
        description=values["description"],
        registration_open=values["registration_open"],
        registration_opens_at=opens,
        registration_closes_at=closes,
        audience_groups=values["audience_groups"],
        area_unit_id=values["area"],
        what_to_bring=values["what_to_bring"],
    ), []


# --- files ---------------------------------------------------------------------------------------------------


def _file_error(message, code: str) -> DomainError:
    return DomainError(message, code=code, field="file")


def read_upload(filename: str, stream) -> list[dict]:
    """The data rows of an uploaded .xlsx or .csv file, as dicts keyed by column key plus ``_row`` (the row's
    number in the spreadsheet). The header row is found by its column names, so both the template and an
    export (whose header sits under a plan block) are read. Blank rows are left out.

    Raises DomainError (field ``file``) for another extension, a file over 2 MB or over 2,000 rows, a file that
    cannot be read, a missing header row or required column, or no data at all."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if extension not in EXTENSIONS:
        raise _file_error(_l("Choose an .xlsx or .csv file (the import template is an .xlsx file)."), "bad_extension")
    data = stream.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise _file_error(_l("The file is larger than %(size)s MB. Split it into smaller files.", size=2), "too_large")
    if not data.strip():
        raise _file_error(_l("The file is empty."), "empty_file")
    lines = xlsx_lines(data) if extension == "xlsx" else csv_lines(data)
    return data_rows(lines, _schedule_table())


def xlsx_lines(data: bytes) -> Iterator[tuple[int, tuple]]:
    """The numbered lines of a schedule's XLSX file ("Hoạt động" sheet, or the first), read by ``app.tabular``
    with the schedule's limits. Shared with the quiz's question import."""
    return tabular.xlsx_lines(
        data, max_unpacked_bytes=MAX_UNPACKED_BYTES, max_columns=MAX_COLUMNS, sheet=DATA_SHEET, error=_file_error
    )


def csv_lines(data: bytes) -> Iterable[tuple[int, tuple]]:
    """The numbered lines of a schedule's CSV file, read by ``app.tabular`` with the schedule's line limit."""
    return tabular.csv_lines(data, max_lines=MAX_LINES, error=_file_error)


def _schedule_table() -> Table:
    """The schedule's file for the shared header-row search: the template's columns, its messages."""
    return Table(
        column_of=lambda cell: COLUMN_NAMES.get(fold(cell)),
        marks=frozenset({"title", "starts_at"}),
        required=[(c.key, c.header) for c in COLUMNS if c.required],
        max_lines=MAX_LINES,
        max_rows=MAX_ROWS,
        header_search_lines=HEADER_SEARCH_ROWS,
        too_many_lines=_l(
            "The file has more than %(count)s lines. Delete the empty rows below the activities.", count=MAX_LINES
        ),
        too_many_rows=_l("The file has more than %(count)s activities. Split it into smaller files.", count=MAX_ROWS),
        no_header=_l(
            "The header row was not found: the first row must hold the column names of the template "
            "(Tiêu đề, Loại, Bắt đầu…)."
        ),
        no_rows=_l("The file has no activity rows."),
        error=_file_error,
    )
