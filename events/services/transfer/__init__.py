"""Moving schedules in and out: the import template, reading XLSX/CSV uploads, checking their rows, and the
XLSX export of a plan's schedule. One column spec serves the template, the import and the export, so an exported
schedule can be imported again. The file's own vocabulary (sheet and column headers, kind labels, Có/Không) is
fixed Vietnamese whatever the interface language: the users are Vietnamese offices and a file must read the same
for everyone who opens it. Explanations and error messages go through the catalogue like every other interface
string. The column spec and the shared types are in ``columns``, reading and checking files in ``reading``,
saving activities in ``importing``, the template and the export in ``writing``, and copying a plan to next
year in ``copying``."""

from __future__ import annotations

from .columns import (
    COLUMN_BY_KEY,
    COLUMN_NAMES,
    COLUMNS,
    DATA_SHEET,
    DATETIME_FORMAT,
    EXAMPLE_ROW,
    EXTENSIONS,
    GUIDE_SHEET,
    HEADER_SEARCH_ROWS,
    KIND_ALIASES,
    KIND_LABEL,
    KINDS,
    MAX_BYTES,
    MAX_COLUMNS,
    MAX_LINES,
    MAX_ROWS,
    MAX_UNPACKED_BYTES,
    NO,
    ROW_KEY,
    XLSX_MIMETYPE,
    YES,
    ActivityDraft,
    Column,
    ImportRejected,
    RowError,
    fold,
)
from .copying import copy_plan, shift_date, shift_datetime, shift_years_in_text
from .importing import import_activities, import_file, load_lookups
from .reading import parse_rows, read_upload
from .writing import build_template, export_filename, export_rows, export_schedule, schedule_activities

__all__ = [
    "COLUMNS",
    "COLUMN_BY_KEY",
    "COLUMN_NAMES",
    "DATA_SHEET",
    "DATETIME_FORMAT",
    "EXAMPLE_ROW",
    "EXTENSIONS",
    "GUIDE_SHEET",
    "HEADER_SEARCH_ROWS",
    "KINDS",
    "KIND_ALIASES",
    "KIND_LABEL",
    "MAX_BYTES",
    "MAX_COLUMNS",
    "MAX_LINES",
    "MAX_ROWS",
    "MAX_UNPACKED_BYTES",
    "NO",
    "ROW_KEY",
    "XLSX_MIMETYPE",
    "YES",
    "ActivityDraft",
    "Column",
    "ImportRejected",
    "RowError",
    "build_template",
    "export_filename",
    "copy_plan",
    "export_rows",
    "export_schedule",
    "fold",
    "import_activities",
    "import_file",
    "load_lookups",
    "parse_rows",
    "read_upload",
    "schedule_activities",
    "shift_date",
    "shift_datetime",
    "shift_years_in_text",
]
