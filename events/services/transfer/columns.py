"""The column spec shared by the template, the import and the export, the kinds and their Vietnamese labels,
the import's result types and errors, and matching names in a file's text."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import lazy_gettext as _l

from app.errors import DomainError
from app.tabular import XLSX_MIMETYPE  # noqa: F401 (re-exported with the transfer package)

from ...models import ActivityKind, AudienceGroup

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 2000
# Lines read at most, blank ones included; a file with more is refused rather than half-read.
MAX_LINES = 10_000
# What the parts of an .xlsx may unpack to (the template filled with 2,000 rows is well under 5 MB).
MAX_UNPACKED_BYTES = 40 * 1024 * 1024
EXTENSIONS = ("xlsx", "csv")
DATA_SHEET = "Hoạt động"
GUIDE_SHEET = "Hướng dẫn"
# The export's other sheets (read by people, not by the import): each activity's programme and each tour's stops.
PROGRAMME_SHEET = "Chương trình"
PROGRAMME_HEADERS = (
    ("Hoạt động", 40),
    ("Bắt đầu", 18),
    ("Kết thúc", 18),
    ("Nội dung", 48),
    ("Đơn vị phụ trách", 32),
    ("Điểm tổ chức", 20),
)
STOPS_SHEET = "Điểm tổ chức"
STOPS_HEADERS = (
    ("Hoạt động", 40),
    ("Thứ tự", 8),
    ("Điểm", 20),
    ("Đơn vị chủ trì", 32),
    ("Đơn vị tham gia", 48),
    ("Bắt đầu", 18),
    ("Kết thúc", 18),
    ("Địa điểm", 34),
)
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
    # Added for issue 14, after the first twelve so that files filled in from the older template still read.
    Column("registration_open", "Nhận đăng ký", 12),
    Column("registration_opens_at", "Mở đăng ký", 18),
    Column("registration_closes_at", "Đóng đăng ký", 18),
    Column("audience_groups", "Nhóm đối tượng", 36),
    Column("area", "Khu vực (xã, phường)", 28),
    Column("what_to_bring", "Cần mang theo", 36),
)
COLUMN_BY_KEY = {column.key: column for column in COLUMNS}

# The Vietnamese labels are the catalogue's translations of the English ones (events/forms/schedule.py).
KINDS: tuple[tuple[str, str, str], ...] = (
    (ActivityKind.FESTIVAL, "Ngày hội / lễ hội", "Fair / festival"),
    (ActivityKind.EXHIBITION, "Không gian trưng bày", "Exhibition space"),
    (ActivityKind.CLUSTER_TOUR, "Tổ chức lưu động theo cụm", "Cluster tour"),
    (ActivityKind.CONTEST, "Cuộc thi", "Contest"),
    (ActivityKind.DOOR_TO_DOOR, "Đi từng ngõ, gõ từng nhà", "Door-to-door campaign"),
    (ActivityKind.TRAINING, "Lớp tập huấn", "Training class"),
    (ActivityKind.CYBER_DRILL, "Diễn tập an toàn thông tin mạng", "Cybersecurity drill"),
    (ActivityKind.CASHLESS_DRIVE, "Vận động thanh toán không dùng tiền mặt", "Cashless-payment drive"),
    (ActivityKind.COMMUNICATIONS, "Tuyên truyền", "Communications"),
    (ActivityKind.CEREMONY, "Buổi lễ", "Ceremony"),
)
KIND_LABEL = {code: label for code, label, _ in KINDS}

# The audience groups as the file names them (the catalogue's Vietnamese for AudienceGroup's labels).
AUDIENCE_GROUPS: tuple[tuple[str, str, str], ...] = (
    (AudienceGroup.CITIZENS.value, "Người dân", "Residents"),
    (AudienceGroup.STUDENTS.value, "Học sinh, sinh viên", "Pupils and students"),
    (AudienceGroup.CIVIL_SERVANTS.value, "Cán bộ, công chức, viên chức", "Civil servants"),
    (AudienceGroup.ENTERPRISES.value, "Doanh nghiệp", "Enterprises"),
    (AudienceGroup.YOUTH.value, "Đoàn viên thanh niên", "Youth Union members"),
    (AudienceGroup.ELDERLY.value, "Người cao tuổi", "Older people"),
)
AUDIENCE_LABEL = {code: label for code, label, _ in AUDIENCE_GROUPS}
# Units an activity's area may be: the administrative tree, not departments or organisations.
AREA_UNIT_KINDS = frozenset({"province", "district", "ward", "hamlet"})

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
    "registration_open": YES,
    "registration_opens_at": datetime(2024, 9, 20, 8, 0),
    "registration_closes_at": datetime(2024, 10, 4, 17, 0),
    "audience_groups": "Người dân, Học sinh, sinh viên, Đoàn viên thanh niên",
    "area": "Phường Uyên Hưng",
    "what_to_bring": "Căn cước công dân hoặc tài khoản định danh điện tử (VNeID); điện thoại thông minh",
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
    registration_open: bool = False
    registration_opens_at: datetime | None = None
    registration_closes_at: datetime | None = None
    audience_groups: list[str] = field(default_factory=list)
    area_unit_id: int | None = None
    what_to_bring: str = ""


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
AUDIENCE_ALIASES = {fold(name): code for code, label, english in AUDIENCE_GROUPS for name in (code, label, english)}


class _NameIndex:
    """Finds a unit or venue by name (or short name): exactly first, then ignoring diacritics when that
    leaves a single candidate."""

    def __init__(self, records: Iterable, *, with_short_name: bool, kinds: frozenset[str] | None = None):
        self.exact: dict[str, set[int]] = {}
        self.folded: dict[str, set[int]] = {}
        for record in records:
            kind = getattr(record, "kind", None)
            if kinds is not None and kind is not None and kind not in kinds:
                continue
            names = [record.name] + ([record.short_name] if with_short_name and record.short_name else [])
            for name in names:
                self.exact.setdefault(_squash(name), set()).add(record.id)
                self.folded.setdefault(fold(name), set()).add(record.id)

    def find(self, name: str) -> set[int]:
        return self.exact.get(_squash(name)) or self.folded.get(fold(name)) or set()
