"""Badges: an A4 PDF sheet per activity (10 badges a page: name, ward, the ticket's QR and short code), built as
a document of app/documents.py (in the background for long lists, with their progress kept in the database).

Rendering is a plain function of plain values (``Badge`` rows in, PDF bytes out); the job functions take an
engine, ``now`` and the instance folder, so any process may run them and every worker sees their progress."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, selectinload

from app import documents
from app.documents import FONTS
from app.errors import DomainError
from app.models import DocumentJob
from app.scheduler import JobResult
from events.models import Activity, Registration, RegistrationStatus
from events.services.registration import person_sort_key

BADGES = "checkin.badges"  # the kind of document a badge sheet is (app/documents.py)

# A4 portrait, 2 columns x 5 rows of 95 x 55 mm badges (a common perforated badge sheet).
PAGE_W, PAGE_H = 210.0, 297.0
COLUMNS, ROWS = 2, 5
PER_PAGE = COLUMNS * ROWS
BADGE_W, BADGE_H = 95.0, 55.0
MARGIN_X = (PAGE_W - COLUMNS * BADGE_W) / 2
MARGIN_Y = (PAGE_H - ROWS * BADGE_H) / 2
QR_SIZE = 45.0  # mm, quiet zone included: about 1 mm a module for a version-5 code, read at once by any phone

# Lists up to this size are built while the organizer waits; longer ones by the scheduler, with progress.
BUILD_NOW_LIMIT = 60
# Built sheets hold names: they are deleted (file and row) this long after they were built (Decree 13/2023).
KEEP_SHEETS = timedelta(days=7)


@dataclass(frozen=True)
class Badge:
    name: str
    ward: str
    token: str  # what the QR holds: the signed ticket token
    code: str  # the short code printed under it, typed when a camera fails


def badge_registrations(session: Session, activity_id: int) -> list[Registration]:
    """The confirmed registrations of the activity (the people holding a ticket), in Vietnamese name order."""
    rows = session.scalars(
        select(Registration)
        .where(Registration.activity_id == activity_id, Registration.status == RegistrationStatus.CONFIRMED)
        .options(selectinload(Registration.ward))
    ).all()
    return sorted(rows, key=lambda row: person_sort_key(row.name))


def _qr_matrix(token: str) -> list[list[bool]]:
    """The modules of ``token``'s QR code, quiet zone included. A signed ticket (117 base45 characters) always
    fits version 5 at level M in alphanumeric mode; its mask is fixed (a valid choice for any reader) instead of
    scoring all eight, which would cost eight times the drawing of a code — the slow part of a 20,000-badge
    sheet. Anything longer falls back to the smallest version that fits."""
    import qrcode
    from qrcode.constants import ERROR_CORRECT_M
    from qrcode.exceptions import DataOverflowError

    try:
        code = qrcode.QRCode(version=5, error_correction=ERROR_CORRECT_M, border=4, mask_pattern=2)
        code.add_data(token)
        code.make(fit=False)
    except DataOverflowError:
        code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=4)
        code.add_data(token)
        code.make(fit=True)
    return code.get_matrix()


def _draw_qr(pdf, token: str, x: float, y: float, size: float) -> None:
    """The QR code as filled vector rectangles (one per horizontal run of dark modules), written as one PDF path
    and filled once: sharp at any zoom or printer resolution, small in the file, and about ten times faster than a
    call of ``pdf.rect`` per run (fpdf2 is pinned; the zbar test reads every code back)."""
    matrix = _qr_matrix(token)
    module = size / len(matrix)
    k, page_h = pdf.k, pdf.h
    ops = []
    for row_index, row in enumerate(matrix):
        top = (page_h - (y + row_index * module)) * k
        start = None
        for col_index, dark in enumerate([*row, False]):
            if dark and start is None:
                start = col_index
            elif not dark and start is not None:
                left = (x + start * module) * k
                ops.append(f"{left:.2f} {top:.2f} {(col_index - start) * module * k:.2f} {-module * k:.2f} re")
                start = None
    pdf._out("0 g " + " ".join(ops) + " f")  # black fill, one path


def _fit(pdf, text: str, width: float, size: float, minimum: float) -> float:
    """The largest font size from ``size`` down to ``minimum`` at which ``text`` fits ``width``."""
    while size > minimum:
        pdf.set_font_size(size)
        if pdf.get_string_width(text) <= width:
            return size
        size -= 0.5
    pdf.set_font_size(minimum)
    return minimum


def render_badges(
    badges: Iterable[Badge], *, title: str, subtitle: str = "", progress: Callable[[int], None] | None = None
) -> bytes:
    """An A4 PDF of ``badges``, 10 a page, with cutting lines; ``progress(n)`` is called after each n badges."""
    from fpdf import FPDF

    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_margin(0)
    pdf.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    pdf.set_title(title)
    pdf.set_creator("dxday")
    text_x = QR_SIZE + 1.0
    text_w = BADGE_W - text_x - 3.0
    count = 0
    for count, badge in enumerate(badges, start=1):
        slot = (count - 1) % PER_PAGE
        if slot == 0:
            pdf.add_page()
        x = MARGIN_X + (slot % COLUMNS) * BADGE_W
        y = MARGIN_Y + (slot // COLUMNS) * BADGE_H
        pdf.set_draw_color(190, 190, 190)
        pdf.set_line_width(0.2)
        pdf.rect(x, y, BADGE_W, BADGE_H)
        pdf.set_fill_color(0, 0, 0)
        _draw_qr(pdf, badge.token, x + 1.0, y + 1.0, QR_SIZE)
        pdf.set_text_color(0, 0, 0)
        pdf.set_font("DejaVu", "", 7)
        pdf.set_xy(x + text_x, y + 4)
        pdf.multi_cell(text_w, 3.2, title, max_line_height=3.2, align="L")
        if subtitle:
            pdf.set_x(x + text_x)
            pdf.multi_cell(text_w, 3.2, subtitle, align="L")
        pdf.set_font("DejaVu", "B", 14)
        words = badge.name.split()
        # The given name (last word) on its own line when the whole name does not fit: it is what people call.
        lines = (
            [badge.name]
            if pdf.get_string_width(badge.name) <= text_w or len(words) < 2
            else [
                " ".join(words[:-1]),
                words[-1],
            ]
        )
        line_y = y + 20
        for line in lines:
            size = _fit(pdf, line, text_w, 14, 8)
            pdf.set_xy(x + text_x, line_y)
            pdf.cell(text_w, size * 0.45, line)
            line_y += size * 0.45 + 1.5
        if badge.ward:
            pdf.set_font("DejaVu", "", 9)
            _fit(pdf, badge.ward, text_w, 9, 6)
            pdf.set_xy(x + text_x, line_y + 1)
            pdf.cell(text_w, 4, badge.ward)
        pdf.set_font("DejaVu", "B", 10)
        pdf.set_xy(x + 1.0, y + QR_SIZE + 1.5)
        pdf.cell(QR_SIZE, 5, badge.code, align="C")
        if progress is not None:
            progress(1)
    if count == 0:
        pdf.add_page()
        pdf.set_font("DejaVu", "", 12)
        pdf.set_xy(20, 20)
        pdf.multi_cell(170, 6, str(_l("No confirmed registration yet: no badge to print.")))
    return bytes(pdf.output())


# --- background jobs ---------------------------------------------------------------------------------------
# A badge sheet is a document of app/documents.py: the kind below is registered when check-in is set up.


def badge_kind(
    badges_for: Callable[[Session, Activity], list[Badge]], title_for: Callable[[Activity], tuple[str, str]]
) -> documents.DocumentKind:
    """The badge sheet as a kind of document: ``badges_for`` turns an activity into its badges (the caller signs
    the tokens), ``title_for`` gives the sheet's title and subtitle. Files go where they always went
    (``badges/`` of the instance folder) and are kept ``KEEP_SHEETS``."""

    def build(session: Session, job: DocumentJob, progress: documents.Progress) -> bytes:
        activity = session.get(Activity, job.subject_id)
        if activity is None:
            raise DomainError(_l("This activity does not exist."), code="not_found", status=404)
        badges = badges_for(session, activity)
        progress.start(len(badges))
        title, subtitle = title_for(activity)
        return render_badges(badges, title=title, subtitle=subtitle, progress=progress)

    return documents.DocumentKind(
        key=BADGES, build=build, keep=KEEP_SHEETS, folder="badges", file_prefix="badges", content_type="application/pdf"
    )


def job_path(folder: str, job: DocumentJob) -> str | None:
    """Where a built sheet's file is, under ``folder`` (the instance folder, ``badging.folder()``)."""
    return documents.job_path(folder, job)


def request_job(session: Session, activity_id: int, *, user_id: int | None, now: datetime) -> DocumentJob:
    """Queue a sheet of badges for the activity; a sheet already waiting or being built is returned instead of a
    second one (a double click, two organizers at once)."""
    if session.get(Activity, activity_id) is None:
        raise DomainError(_l("This activity does not exist."), code="not_found", status=404)
    return documents.request(session, BADGES, activity_id, user_id=user_id, now=now)


def recent_jobs(session: Session, activity_id: int, limit: int = 5) -> list[DocumentJob]:
    """The activity's latest badge sheets, newest first."""
    return documents.recent(session, BADGES, activity_id, limit)


def build_job(
    engine: Engine,
    job_id: int,
    *,
    now: Callable[[], datetime],
    folder: str,
    badges_for: Callable[[Session, Activity], list[Badge]],
    title_for: Callable[[Activity], tuple[str, str]],
) -> bool:
    """Build the queued sheet ``job_id`` now (the page does, for a short list); see ``documents.build_job``."""
    kind = badge_kind(badges_for, title_for)
    return documents.build_job(engine, job_id, now=now, instance_path=folder, kind=kind)


def build_queued(engine: Engine, *, now: Callable[[], datetime], folder: str, badges_for, title_for) -> JobResult:
    """Build every queued badge sheet, oldest first, as ``core.build_documents`` does for every kind."""
    kind = badge_kind(badges_for, title_for)
    return documents.build_queued(engine, now=now, instance_path=folder, kinds={BADGES: kind})
