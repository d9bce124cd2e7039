"""Moving schedules in and out: import from a template, export as XLSX, copy a plan to next year."""

import re
import unicodedata
from urllib.parse import quote

from flask import Response, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from app.auth import role_required
from app.errors import DomainError
from app.extensions import db
from app.models import utcnow
from app.submissions import run_once

from .. import bp
from ..forms.transfer import CopyPlanForm, ImportForm
from ..models import Plan
from ..services import copying, transfer


def _ascii_filename(name: str) -> str:
    """A plain-ASCII fallback for clients that do not read ``filename*`` (đ has no decomposition of its own)."""
    text = unicodedata.normalize("NFKD", name.replace("đ", "d").replace("Đ", "D"))
    text = text.encode("ascii", "ignore").decode("ascii")
    stem, _dot, extension = text.rpartition(".")
    stem = re.sub(r"[^A-Za-z0-9_-]+", "-", stem).strip("-").lower() or "dxday"
    return f"{stem}.{extension}"


def _xlsx_response(data: bytes, filename: str) -> Response:
    response = Response(data, mimetype=transfer.XLSX_MIMETYPE)
    response.headers["Content-Disposition"] = (
        f"attachment; filename=\"{_ascii_filename(filename)}\"; filename*=UTF-8''{quote(filename, safe='')}"
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/import-template.xlsx")
@role_required("organizer")
def import_template():
    return _xlsx_response(transfer.build_template(), "Mẫu nhập hoạt động.xlsx")


@bp.route("/plans/<int:plan_id>/export.xlsx")
@role_required("organizer")
def export_schedule(plan_id: int):
    plan = db.get_or_404(Plan, plan_id)
    return _xlsx_response(transfer.export_schedule(plan), transfer.export_filename(plan))


@bp.route("/plans/<int:plan_id>/import", methods=["GET", "POST"])
@role_required("organizer")
def import_activities(plan_id: int):
    plan = db.get_or_404(Plan, plan_id)
    form = ImportForm()
    row_errors: list[transfer.RowError] = []
    if form.validate_on_submit():
        upload = form.file.data
        try:
            created = transfer.import_file(db.session, plan, upload.filename or "", upload.stream)
        except transfer.ImportRejected as rejected:
            db.session.rollback()
            row_errors = rejected.errors
            form.file.errors = [*form.file.errors, rejected.message]
        except DomainError as error:
            db.session.rollback()
            form.file.errors = [*form.file.errors, error.message]
        else:
            db.session.commit()
            flash(ngettext("Imported %(num)d activity.", "Imported %(num)d activities.", len(created)), "success")
            return redirect(url_for("events.plan_detail", plan_id=plan.id))
    return render_template("events/transfer/import.html", form=form, plan=plan, row_errors=row_errors)


@bp.route("/plans/<int:plan_id>/copy", methods=["POST"])
@role_required("organizer")
def copy_plan(plan_id: int):
    plan = db.get_or_404(Plan, plan_id)
    form = CopyPlanForm()
    if not form.validate_on_submit():
        abort(400)

    def copy_it() -> str:
        copy = copying.copy_plan(db.session, plan, years=1, now=utcnow())
        flash(
            _(
                "The plan was copied to %(year)s as a draft. Check the dates, then give it its number.",
                year=copy.period_start.year,
            ),
            "success",
        )
        return url_for("events.plan_detail", plan_id=copy.id)

    try:
        url, _replayed = run_once(form.submission.data, copy_it)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("events.plan_detail", plan_id=plan.id))
    return redirect(url)
