"""Moving schedules in and out: import from a template, export as XLSX, copy a plan to next year."""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from app.auth import role_required
from app.errors import DomainError
from app.extensions import db
from app.models import utcnow
from app.submissions import run_once
from app.timezone import campaign_zone

from .. import bp
from ..forms.transfer import CopyPlanForm, ImportForm
from ..models import Plan
from ..services import transfer
from . import xlsx_response


@bp.route("/import-template.xlsx")
@role_required("organizer")
def import_template():
    return xlsx_response(transfer.build_template(), "Mẫu nhập hoạt động.xlsx")


@bp.route("/plans/<int:plan_id>/export.xlsx")
@role_required("organizer")
def export_schedule(plan_id: int):
    plan = db.get_or_404(Plan, plan_id)
    return xlsx_response(transfer.export_schedule(plan, tz=campaign_zone()), transfer.export_filename(plan))


@bp.route("/plans/<int:plan_id>/import", methods=["GET", "POST"])
@role_required("organizer")
def import_activities(plan_id: int):
    plan = db.get_or_404(Plan, plan_id)
    form = ImportForm()
    row_errors: list[transfer.RowError] = []
    if form.validate_on_submit():
        upload = form.file.data
        try:
            created = transfer.import_file(db.session, plan, upload.filename or "", upload.stream, tz=campaign_zone())
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


@bp.route("/plans/<int:plan_id>/copy", methods=["GET", "POST"])
@role_required("organizer")
def copy_plan(plan_id: int):
    plan = db.get_or_404(Plan, plan_id)
    form = CopyPlanForm(hooks=list(transfer.copy_hooks))
    if not form.validate_on_submit():
        if form.is_submitted():
            abort(400)
        return render_template("events/transfer/copy.html", form=form, plan=plan)

    def copy_it() -> str:
        copy = transfer.copy_plan(
            db.session, plan, years=1, now=utcnow(), tz=campaign_zone(), carry=set(form.carry.data or ())
        )
        flash(
            _(
                "The plan was copied to %(year)s as a draft. Check the dates, then give it its number.",
                year=copy.period_start.year,
            ),
            "success",
        )
        if transfer.texts_naming_years(db.session, copy, transfer.previous_years(copy)):
            return url_for("events.copy_review", plan_id=copy.id)
        return url_for("events.plan_detail", plan_id=copy.id)

    try:
        url, _replayed = run_once(form.submission.data, copy_it)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("events.plan_detail", plan_id=plan.id))
    return redirect(url)


@bp.route("/plans/<int:plan_id>/review-years")
@role_required("organizer")
def copy_review(plan_id: int):
    """The texts of a copied plan that still name last campaign's years, with links to edit them."""
    plan = db.get_or_404(Plan, plan_id)
    years = transfer.previous_years(plan)
    texts = transfer.texts_naming_years(db.session, plan, years)
    return render_template("events/transfer/review.html", plan=plan, years=years, texts=texts)
