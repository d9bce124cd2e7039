"""Moving schedules in and out: the import template, reading XLSX/CSV uploads, checking their rows, and the
XLSX export of a plan's schedule.

One column spec serves the template, the import and the export, so an exported schedule can be imported again.
The file's own vocabulary (sheet and column headers, kind labels, Có/Không) is fixed Vietnamese whatever the
interface language: the users are Vietnamese offices and a file must read the same for everyone who opens it.
Explanations and error messages go through the catalogue like every other interface string."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session, object_session, selectinload

from app.errors import DomainError
from app.models import Unit

from ..models import Activity, ActivityKind, Plan, PlanStatus, Venue
from .plans import CAMPAIGN_TZ

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 2000
EXTENSIONS = ("xlsx", "csv")
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DATA_SHEET = "Hoạt động"
GUIDE_SHEET = "Hướng dẫn"
DATETIME_FORMAT = "dd/mm/yyyy hh:mm"
ROW_KEY = "_row"  # in a row dict from read_upload: the row's number in the spreadsheet
YES, NO = "Có", "Không"
# Where the header row may be: the template has it on row 1, the export below its plan block.
HEADER_SEARCH_ROWS = 20
MAX_COLUMNS = 40


@dataclass(frozen=True)
class Column:
    """One column of the file: a stable machine ``key`` and the Vietnamese ``header`` people see."""

    key: str
    header: str
    width: int
    required: bool = False


COLUMNS: tuple[Column, ...] = (
    Column("title", "Tiêu đề", 48, required=True),
    Column("kind", "Loại", 28, required=True),
    Column("starts_at", "Bắt đầu", 18, required=True),
    Column("ends_at", "Kết thúc", 18, required=True),
    Column("venue", "Địa điểm", 34),
    Column("lead_unit", "Đơn vị chủ trì", 32, required=True),
    Column("coordinators", "Đơn vị phối hợp", 40),
    Column("audience", "Đối tượng", 36),
    Column("expected_headcount", "Số người dự kiến", 12),
    Column("capacity", "Sức chứa", 10),
    Column("is_public", "Công khai", 10),
    Column("description", "Mô tả", 60),
)
COLUMN_BY_KEY = {column.key: column for column in COLUMNS}

# The Vietnamese labels are the catalogue's translations of the English ones (events/forms/schedule.py).
KINDS: tuple[tuple[str, str, str], ...] = (
    (ActivityKind.FESTIVAL.value, "Ngày hội / lễ hội", "Fair / festival"),
    (ActivityKind.EXHIBITION.value, "Không gian trưng bày", "Exhibition space"),
    (ActivityKind.CLUSTER_TOUR.value, "Tổ chức lưu động theo cụm", "Cluster tour"),
    (ActivityKind.CONTEST.value, "Cuộc thi", "Contest"),
    (ActivityKind.DOOR_TO_DOOR.value, "Đi từng ngõ, gõ từng nhà", "Door-to-door campaign"),
    (ActivityKind.TRAINING.value, "Lớp tập huấn", "Training class"),
    (ActivityKind.CYBER_DRILL.value, "Diễn tập an toàn thông tin mạng", "Cybersecurity drill"),
    (ActivityKind.CASHLESS_DRIVE.value, "Vận động thanh toán không dùng tiền mặt", "Cashless-payment drive"),
    (ActivityKind.COMMUNICATIONS.value, "Tuyên truyền", "Communications"),
    (ActivityKind.CEREMONY.value, "Buổi lễ", "Ceremony"),
)
KIND_LABEL = {code: label for code, label, _ in KINDS}

# The template's example row: the Tân Uyên festival of seed 000.
EXAMPLE_ROW = {
    "title": "Ngày hội Chuyển đổi số thành phố Tân Uyên",
    "kind": KIND_LABEL["festival"],
    "starts_at": datetime(2024, 10, 5, 7, 30),
    "ends_at": datetime(2024, 10, 5, 21, 0),
    "venue": "Quảng trường thành phố Tân Uyên",
    "lead_unit": "Phòng Văn hóa và Thông tin",
    "coordinators": "Thành Đoàn Tân Uyên; Công an thành phố Tân Uyên; Điện lực Tân Uyên",
    "audience": "Người dân, doanh nghiệp, cán bộ, công chức, viên chức, đoàn viên thanh niên, học sinh",
    "expected_headcount": 3000,
    "capacity": 2000,
    "is_public": YES,
    "description": "Lễ ra mắt Kênh giao tiếp số (Zalo mini app); mô hình khu ấp thông minh; phát động cuộc thi trực "
    "tuyến về an toàn, an ninh thông tin; diễu hành tuyên truyền; không gian trải nghiệm ứng dụng số.",
}


@dataclass(frozen=True)
class RowError:
    """One problem in one cell: ``row_number`` as the spreadsheet numbers it, ``column`` its header."""

    row_number: int
    column: str
    message: str


@dataclass
class ActivityDraft:
    """A checked row, ready to become an Activity. Times are aware, in the campaign's zone."""

    row_number: int
    title: str
    kind: str
    starts_at: datetime
    ends_at: datetime
    lead_unit_id: int
    venue_id: int | None = None
    coordinator_ids: list[int] = field(default_factory=list)
    audience: str = ""
    expected_headcount: int | None = None
    capacity: int | None = None
    is_public: bool = True
    description: str = ""


class ImportRejected(DomainError):
    """Some rows are invalid, so nothing was imported; ``errors`` lists them."""

    code = "invalid_rows"
    status = 422

    def __init__(self, errors: list[RowError]):
        super().__init__(
            _l(
                "Nothing was imported because of errors in %(count)s row(s). Correct them and upload the file again.",
                count=len({error.row_number for error in errors}),
            ),
            field="file",
        )
        self.errors = errors


class _CellError(ValueError):
    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


# --- text matching -------------------------------------------------------------------------------------------


def fold(value) -> str:
    """Lower case, no diacritics, single spaces: "Ngày Hội" and "ngay hoi" fold alike."""
    text = unicodedata.normalize("NFD", str(value)).replace("đ", "d").replace("Đ", "D")
    text = "".join(char for char in text if not unicodedata.combining(char))
    return " ".join(text.casefold().split())


# Headers (or machine keys, for files other tools write) to column keys, as a file or a row dict names them.
COLUMN_NAMES = {fold(c.key): c.key for c in COLUMNS} | {fold(c.header): c.key for c in COLUMNS}


def _squash(value) -> str:
    # Case- and space-insensitive but keeping diacritics: "Tân An" and "Tấn An" are different communes.
    return " ".join(unicodedata.normalize("NFC", str(value)).casefold().split())


def _kind_aliases() -> dict[str, str]:
    aliases: dict[str, str] = {}
    for code, label, english in KINDS:
        names = [code, code.replace("_", " "), label, english, *label.split("/"), *english.split("/")]
        for name in names:
            if fold(name):
                aliases.setdefault(fold(name), code)
    return aliases


KIND_ALIASES = _kind_aliases()


class _NameIndex:
    """Finds a unit or venue by name (or short name): exactly first, then ignoring diacritics when that
    leaves a single candidate."""

    def __init__(self, records: Iterable, *, with_short_name: bool):
        self.exact: dict[str, set[int]] = {}
        self.folded: dict[str, set[int]] = {}
        for record in records:
            names = [record.name] + ([record.short_name] if with_short_name and record.short_name else [])
            for name in names:
                self.exact.setdefault(_squash(name), set()).add(record.id)
                self.folded.setdefault(fold(name), set()).add(record.id)

    def find(self, name: str) -> set[int]:
        return self.exact.get(_squash(name)) or self.folded.get(fold(name)) or set()


# --- cells ---------------------------------------------------------------------------------------------------


def _is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _text(value) -> str:
    if _is_blank(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


_DMY = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?:[ T]+(\d{1,2})[:hH](\d{2})(?::(\d{2}))?)?$")
_YMD = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2}))?)?$")


def _local(value: datetime) -> datetime:
    """A naive cell is local (Vietnam) time; the minute is the finest unit a schedule uses."""
    value = value.replace(tzinfo=CAMPAIGN_TZ) if value.tzinfo is None else value.astimezone(CAMPAIGN_TZ)
    # Excel keeps times as fractions of a day, so 07:30 may come back as 07:29:59.999.
    return (value + timedelta(seconds=30)).replace(second=0, microsecond=0)


def _datetime(value) -> datetime:
    if isinstance(value, datetime):
        return _local(value)
    if isinstance(value, date):
        raise _CellError(_l("Add the time: write dd/mm/yyyy hh:mm, for example 05/10/2024 07:30."))
    text = _text(value)
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
        return datetime(int(year), int(month), int(day), int(hour), int(minute), tzinfo=CAMPAIGN_TZ)
    except ValueError as error:
        raise _CellError(_l("This date or time does not exist: %(value)s.", value=text)) from error


_GROUPED = re.compile(r"^\d{1,3}([.,\s]\d{3})+$")


def _count(value) -> int | None:
    if _is_blank(value):
        return None
    if isinstance(value, bool):
        raise _CellError(_l("Write a whole number."))
    if isinstance(value, int):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    else:
        text = _text(value)
        if _GROUPED.match(text):  # "3.000" is how Vietnamese writes three thousand
            text = re.sub(r"[.,\s]", "", text)
        if not re.fullmatch(r"-?\d+", text):
            raise _CellError(_l("Write a whole number."))
        number = int(text)
    if number < 0:
        raise _CellError(_l("Write a number of 0 or more."))
    return number


_YES = {"co", "c", "x", "yes", "y", "true", "1", "cong khai"}
_NO = {"khong", "k", "no", "n", "false", "0", "noi bo"}


def _yes_no(value) -> bool:
    if _is_blank(value):
        return True
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
    rows: Iterable[Mapping | Sequence], units: Iterable, venues: Iterable, *, first_row: int = 2
) -> tuple[list[ActivityDraft], list[RowError]]:
    """Check data rows and turn the good ones into drafts, without touching the database.

    ``rows`` are dicts (keyed by column key or Vietnamese header; a ``_row`` key gives the spreadsheet's row
    number, as ``read_upload`` does) or lists in column order, numbered from ``first_row``. ``units`` and
    ``venues`` are the records names are looked up in (anything with ``id``, ``name`` and, for units,
    ``short_name``). Blank rows are skipped. Returns the drafts of valid rows and every error found."""
    unit_index = _NameIndex(units, with_short_name=True)
    venue_index = _NameIndex(venues, with_short_name=False)
    drafts: list[ActivityDraft] = []
    errors: list[RowError] = []
    for position, row in enumerate(rows):
        number = row.get(ROW_KEY, first_row + position) if isinstance(row, Mapping) else first_row + position
        cells = _cells(row)
        if all(_is_blank(value) for value in cells.values()):
            continue
        draft, row_errors = _parse_row(number, cells, unit_index, venue_index)
        errors.extend(row_errors)
        if draft is not None:
            drafts.append(draft)
    return drafts, errors


def _parse_row(number: int, cells: dict, units: _NameIndex, venues: _NameIndex):
    values: dict = {}
    errors: list[RowError] = []

    def check(key: str, parse: Callable):
        try:
            values[key] = parse(cells.get(key))
        except _CellError as error:
            errors.append(RowError(number, COLUMN_BY_KEY[key].header, error.message))

    def required(parse: Callable, message) -> Callable:
        def parse_required(value):
            if _is_blank(value):
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
    check("starts_at", required(_datetime, _l("Enter when it starts (dd/mm/yyyy hh:mm).")))
    check("ends_at", required(_datetime, _l("Enter when it ends (dd/mm/yyyy hh:mm).")))
    check("venue", find_venue)
    check("lead_unit", required(find_unit, _l("Enter the lead unit.")))
    check("coordinators", coordinators)
    check("audience", limited(300))
    check("expected_headcount", _count)
    check("capacity", _count)
    check("is_public", _yes_no)
    check("description", _text)
    starts_at, ends_at = values.get("starts_at"), values.get("ends_at")
    if starts_at and ends_at and ends_at <= starts_at:
        errors.append(RowError(number, COLUMN_BY_KEY["ends_at"].header, _l("It must end after it starts.")))
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
    lines = _xlsx_lines(data) if extension == "xlsx" else _csv_lines(data)
    return _data_rows(lines)


def _xlsx_lines(data: bytes) -> Iterator[tuple[int, tuple]]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as error:
        raise _file_error(
            _l("This file could not be read as an Excel workbook (.xlsx). Save it again from Excel and retry."),
            "unreadable",
        ) from error
    try:
        sheet = workbook[DATA_SHEET] if DATA_SHEET in workbook.sheetnames else workbook.worksheets[0]
        yield from enumerate(sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS), start=1)
    finally:
        workbook.close()


def _csv_lines(data: bytes) -> Iterable[tuple[int, tuple]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise _file_error(
            _l("The CSV file is not in UTF-8. In Excel, save it as “CSV UTF-8 (Comma delimited)”."), "not_utf8"
        ) from error
    text = unicodedata.normalize("NFC", text)
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    # Excel set to Vietnamese writes ";" between cells, because "," is its decimal separator.
    delimiter = max((";", ",", "\t"), key=first_line.count)
    return enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), start=1)


def _header_map(cells: Sequence) -> dict[int, str]:
    found = {}
    for index, cell in enumerate(cells):
        key = COLUMN_NAMES.get(fold(cell)) if not _is_blank(cell) else None
        if key is not None and key not in found.values():
            found[index] = key
    return found


def _data_rows(lines: Iterable[tuple[int, Sequence]]) -> list[dict]:
    header: dict[int, str] | None = None
    rows: list[dict] = []
    for number, cells in lines:
        if header is None:
            candidate = _header_map(cells)
            if {"title", "starts_at"} <= set(candidate.values()):
                header = candidate
                missing = [c.header for c in COLUMNS if c.required and c.key not in header.values()]
                if missing:
                    raise _file_error(
                        _l("The file has no column “%(names)s”. Download the template and keep its header row.",
                           names="”, “".join(missing)),
                        "missing_columns",
                    )
            elif number >= HEADER_SEARCH_ROWS:
                break
            continue
        if all(_is_blank(cell) for cell in cells):
            continue
        if len(rows) >= MAX_ROWS:
            raise _file_error(
                _l("The file has more than %(count)s activities. Split it into smaller files.", count=MAX_ROWS),
                "too_many_rows",
            )
        row = {key: cells[index] for index, key in header.items() if index < len(cells)}
        row[ROW_KEY] = number
        rows.append(row)
    if header is None:
        raise _file_error(
            _l("The header row was not found: the first row must hold the column names of the template "
               "(Tiêu đề, Loại, Bắt đầu…)."),
            "no_header",
        )
    if not rows:
        raise _file_error(_l("The file has no activity rows."), "no_rows")
    return rows


# --- import --------------------------------------------------------------------------------------------------


def load_lookups(session: Session) -> tuple[list[Unit], list[Venue]]:
    """Every unit and venue, for ``parse_rows`` to find names in."""
    return list(session.scalars(select(Unit))), list(session.scalars(select(Venue)))


def _duplicates(session: Session, plan: Plan, drafts: Sequence[ActivityDraft]) -> list[RowError]:
    # The same title at the same start is the same activity: uploading a file twice must not double the plan.
    seen = {
        (_squash(title), starts_at)
        for title, starts_at in session.execute(
            select(Activity.title, Activity.starts_at).where(Activity.plan_id == plan.id, Activity.cancelled.is_(False))
        )
    }
    errors = []
    for draft in drafts:
        key = (_squash(draft.title), draft.starts_at)
        if key in seen:
            errors.append(
                RowError(
                    draft.row_number,
                    COLUMN_BY_KEY["title"].header,
                    _l("This activity, with the same start, is already in the plan or earlier in the file."),
                )
            )
        seen.add(key)
    return errors


def import_activities(
    session: Session, plan: Plan, drafts: Sequence[ActivityDraft], *, progress: Callable[[int], None] | None = None
) -> list[Activity]:
    """Add the drafts to ``plan`` as activities (flushed, not committed) and return them.

    All or nothing: everything is checked before the first activity is added. A closed plan takes no
    new activities; an activity already in the plan (same title and start) or twice in the file is refused
    with ImportRejected. ``progress(1)`` is called after each activity."""
    if plan.status == PlanStatus.CLOSED.value:
        raise DomainError(
            _l("This plan is closed: reopen it before importing activities."), code="plan_closed", field="file"
        )
    if not drafts:
        raise _file_error(_l("The file has no activity rows."), "no_rows")
    duplicates = _duplicates(session, plan, drafts)
    if duplicates:
        raise ImportRejected(duplicates)
    unit_ids = {d.lead_unit_id for d in drafts} | {u for d in drafts for u in d.coordinator_ids}
    venue_ids = {d.venue_id for d in drafts if d.venue_id is not None}
    units = {u.id: u for u in session.scalars(select(Unit).where(Unit.id.in_(unit_ids)))}
    venues = {v.id: v for v in session.scalars(select(Venue).where(Venue.id.in_(venue_ids)))} if venue_ids else {}
    if set(units) != unit_ids or set(venues) != venue_ids:
        # Only when a unit or venue was deleted between reading the file and saving it.
        raise _file_error(_l("A unit or venue named in the file no longer exists. Upload the file again."), "stale")
    created = []
    for draft in drafts:
        venue = venues.get(draft.venue_id)
        activity = Activity(
            plan=plan,
            title=draft.title,
            kind=draft.kind,
            starts_at=draft.starts_at,
            ends_at=draft.ends_at,
            venue=venue,
            area_unit_id=venue.unit_id if venue else None,
            lead_unit_id=draft.lead_unit_id,
            coordinating_units=[units[i] for i in draft.coordinator_ids],
            audience=draft.audience,
            expected_headcount=draft.expected_headcount,
            capacity=draft.capacity,
            is_public=draft.is_public,
            description=draft.description,
        )
        session.add(activity)
        created.append(activity)
        if progress:
            progress(1)
    session.flush()
    return created


def import_file(session: Session, plan: Plan, filename: str, stream) -> list[Activity]:
    """Read, check and import an uploaded file into ``plan``. Raises ImportRejected with every row error
    (and adds nothing) when any row is invalid, or DomainError when the file itself cannot be used."""
    rows = read_upload(filename, stream)
    units, venues = load_lookups(session)
    drafts, errors = parse_rows(rows, units, venues)
    if errors:
        raise ImportRejected(errors)
    return import_activities(session, plan, drafts)


# --- writing XLSX --------------------------------------------------------------------------------------------


def _styles():
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    return {
        "header_font": Font(bold=True, color="FFFFFF"),
        "header_fill": PatternFill("solid", fgColor="B71C1C"),
        "header_border": Border(bottom=Side(style="thin", color="7F0000")),
        "wrap": Alignment(wrap_text=True, vertical="top"),
        "top": Alignment(vertical="top"),
        "bold": Font(bold=True),
        "title": Font(bold=True, size=14),
    }


def _write_header(sheet, row: int) -> None:
    from openpyxl.utils import get_column_letter

    styles = _styles()
    for index, column in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=row, column=index, value=column.header)
        cell.font, cell.fill, cell.border = styles["header_font"], styles["header_fill"], styles["header_border"]
        cell.alignment = styles["wrap"]
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = sheet.cell(row=row + 1, column=1)


def _write_row(sheet, row: int, values: dict) -> None:
    styles = _styles()
    for index, column in enumerate(COLUMNS, start=1):
        value = values.get(column.key)
        cell = sheet.cell(row=row, column=index, value=value)
        if isinstance(value, datetime):
            cell.number_format = DATETIME_FORMAT
        cell.alignment = styles["wrap"] if column.key in ("title", "description", "audience") else styles["top"]


def _add_validations(sheet, first_row: int, kinds_range: str) -> None:
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    last_row = first_row + MAX_ROWS - 1
    letter = {c.key: get_column_letter(i) for i, c in enumerate(COLUMNS, start=1)}
    kinds = DataValidation(type="list", formula1=kinds_range, allow_blank=True, errorStyle="warning")
    kinds.error = str(_l("Choose a kind from the list (or its code)."))
    public = DataValidation(type="list", formula1=f'"{YES},{NO}"', allow_blank=True)
    public.error = str(_l("Write “Có” or “Không”."))
    counts = DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0", allow_blank=True)
    counts.error = str(_l("Write a number of 0 or more."))
    for validation in (kinds, public, counts):
        validation.showErrorMessage = True
        sheet.add_data_validation(validation)
    kinds.add(f"{letter['kind']}{first_row}:{letter['kind']}{last_row}")
    public.add(f"{letter['is_public']}{first_row}:{letter['is_public']}{last_row}")
    for key in ("expected_headcount", "capacity"):
        counts.add(f"{letter[key]}{first_row}:{letter[key]}{last_row}")


def _guide_sheet(workbook) -> str:
    """Fill the "Hướng dẫn" sheet; returns the range holding the kind labels, for the drop-down list."""
    styles = _styles()
    sheet = workbook.create_sheet(GUIDE_SHEET)
    sheet.column_dimensions["A"].width = 42
    sheet.column_dimensions["B"].width = 18
    sheet.column_dimensions["C"].width = 90
    lines = [
        (str(_l("How to fill in the import file")), styles["title"]),
        (str(_l("One row per activity, on the “%(sheet)s” sheet. Keep the header row as it is.", sheet=DATA_SHEET)),
         None),
        (str(_l("Delete the example row before you import, or the example activity is imported too.")), None),
        (str(_l("Times are Vietnam time (UTC+7), written dd/mm/yyyy hh:mm in 24 hours, e.g. 05/10/2024 07:30.")),
         None),
        (str(_l("If any row has an error, nothing is imported: the page lists each error with its row number.")),
         None),
        (str(_l("At most %(count)s activities and 2 MB per file; .xlsx, or .csv saved as UTF-8.", count=MAX_ROWS)),
         None),
    ]
    row = 1
    for text, font in lines:
        cell = sheet.cell(row=row, column=1, value=text)
        if font:
            cell.font = font
        row += 1
    row += 1
    explanations = {
        "title": _l("The activity's name, as the plan writes it."),
        "kind": _l("One of the kinds listed below (the label or the code)."),
        "starts_at": _l("dd/mm/yyyy hh:mm, e.g. 05/10/2024 07:30."),
        "ends_at": _l("dd/mm/yyyy hh:mm, after the start."),
        "venue": _l("The name of a venue already in the app, or empty."),
        "lead_unit": _l("The name or short name of a unit already in the app."),
        "coordinators": _l("Unit names separated by “;”."),
        "audience": _l("Who it is for, in words."),
        "expected_headcount": _l("A whole number, 0 or more."),
        "capacity": _l("A whole number, 0 or more; empty when there is no limit."),
        "is_public": _l("“Có” to show it on the public calendar, “Không” for internal activities. Empty means Có."),
        "description": _l("What happens, in words."),
    }
    for index, text in enumerate((_l("Column"), _l("Required"), _l("What to write")), start=1):
        sheet.cell(row=row, column=index, value=str(text)).font = styles["bold"]
    row += 1
    for column in COLUMNS:
        sheet.cell(row=row, column=1, value=column.header)
        sheet.cell(row=row, column=2, value=YES if column.required else NO)
        sheet.cell(row=row, column=3, value=str(explanations[column.key])).alignment = styles["wrap"]
        row += 1
    row += 1
    for index, text in enumerate((_l("Kind (Loại)"), _l("Code")), start=1):
        sheet.cell(row=row, column=index, value=str(text)).font = styles["bold"]
    row += 1
    first_kind = row
    for code, label, _english in KINDS:
        sheet.cell(row=row, column=1, value=label)
        sheet.cell(row=row, column=2, value=code)
        row += 1
    return f"'{GUIDE_SHEET}'!$A${first_kind}:$A${row - 1}"


def _save(workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def build_template() -> bytes:
    """The import template (XLSX): the header row and one example row (the Tân Uyên festival) on the
    "Hoạt động" sheet, drop-down lists for Loại and Công khai, and a "Hướng dẫn" sheet explaining every column."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = DATA_SHEET
    _write_header(sheet, 1)
    _write_row(sheet, 2, EXAMPLE_ROW)
    kinds_range = _guide_sheet(workbook)
    _add_validations(sheet, 2, kinds_range)
    return _save(workbook)


def export_rows(activities: Iterable[Activity]) -> list[dict]:
    """Activities as rows of the column spec (times as naive local datetimes, as a spreadsheet holds them)."""
    rows = []
    for activity in activities:
        rows.append({
            "title": activity.title,
            "kind": KIND_LABEL.get(activity.kind, activity.kind),
            "starts_at": activity.starts_at.astimezone(CAMPAIGN_TZ).replace(tzinfo=None),
            "ends_at": activity.ends_at.astimezone(CAMPAIGN_TZ).replace(tzinfo=None),
            "venue": activity.venue.name if activity.venue else None,
            "lead_unit": activity.lead_unit.name if activity.lead_unit else None,
            "coordinators": "; ".join(unit.name for unit in activity.coordinating_units) or None,
            "audience": activity.audience or None,
            "expected_headcount": activity.expected_headcount,
            "capacity": activity.capacity,
            "is_public": YES if activity.is_public else NO,
            "description": activity.description or None,
        })
    return rows


def schedule_activities(plan: Plan) -> list[Activity]:
    """The plan's activities that are going ahead, by start time, with what the export shows loaded at once."""
    session = object_session(plan)
    if session is None:
        activities = list(plan.activities)
    else:
        activities = list(
            session.scalars(
                select(Activity)
                .where(Activity.plan_id == plan.id)
                .options(
                    selectinload(Activity.venue),
                    selectinload(Activity.lead_unit),
                    selectinload(Activity.coordinating_units),
                )
                .order_by(Activity.starts_at, Activity.id)
            )
        )
    return sorted((a for a in activities if not a.cancelled), key=lambda a: (a.starts_at, a.id or 0))


def export_schedule(
    plan: Plan, *, activities: Sequence[Activity] | None = None, progress: Callable[[int], None] | None = None
) -> bytes:
    """The plan's schedule as XLSX: a block with the plan's number, title and period, then the template's
    columns (so the file can be imported again), real date-time cells shown dd/mm/yyyy hh:mm in Vietnam time,
    a frozen header row and fitted column widths. Cancelled activities are left out. ``activities`` saves a
    query when the caller already has ``schedule_activities(plan)``; ``progress(1)`` is called after each one."""
    from openpyxl import Workbook

    styles = _styles()
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = DATA_SHEET
    number = plan.number or str(_l("(no number yet)"))
    sheet.cell(row=1, column=1, value=str(_l("Plan No. %(number)s", number=number))).font = styles["bold"]
    sheet.cell(row=2, column=1, value=plan.title).font = styles["title"]
    period = f"{plan.period_start:%d/%m/%Y} – {plan.period_end:%d/%m/%Y}"
    sheet.cell(row=3, column=1, value=str(_l("Period: %(period)s", period=period)))
    header_row = 5
    _write_header(sheet, header_row)
    row = header_row + 1
    if activities is None:
        activities = schedule_activities(plan)
    for values in export_rows(activities):
        _write_row(sheet, row, values)
        row += 1
        if progress:
            progress(1)
    kinds_range = _guide_sheet(workbook)
    _add_validations(sheet, header_row + 1, kinds_range)
    sheet.auto_filter.ref = f"A{header_row}:{sheet.cell(row=header_row, column=len(COLUMNS)).column_letter}{row - 1}"
    sheet.page_setup.orientation = "landscape"
    sheet.print_title_rows = f"{header_row}:{header_row}"
    return _save(workbook)


def export_filename(plan: Plan) -> str:
    """The export's file name, from the plan's number ("/" cannot be in a file name)."""
    name = re.sub(r"[\\/:*?\"<>|]+", "-", plan.number) if plan.number else f"ke-hoach-{plan.id}"
    return f"Lịch hoạt động {name}.xlsx"
