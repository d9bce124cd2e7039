"""Plans: the list, the plan page (timeline, numbers, warnings) and the organizer's forms."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.auth import role_required
from app.errors import DomainError
from app.extensions import db
from app.providers import figures
from app.services import unit_options

from .. import bp
from ..forms.schedule import PlanForm, PlanStatusForm, activity_kind_choices, audience_group_choices
from ..models import Plan, PlanStatus
from ..services import plans as plan_services
from ..services import schedule
from .saving import save_once

PLAN_FIELDS = (
    "number",
    "issued_on",
    "issuing_unit_id",
    "title",
    "themes",
    "slogans",
    "period_start",
    "period_end",
    "peak_start",
    "peak_end",
    "lead_unit_id",
    "report_deadline",
)


def is_organizer() -> bool:
    return current_user.is_authenticated and current_user.has_role("admin", "organizer")


@bp.route("/")
def index():
    return render_template(
        "events/index.html", plans=plan_services.visible_plans(db.session, include_internal=is_organizer())
    )


@bp.route("/plans/<int:plan_id>")
def plan_detail(plan_id: int):
    plan = schedule.plan_with_schedule(db.session, plan_id)
    organizer = is_organizer()
    if plan is None or (plan.status == PlanStatus.DRAFT.value and not organizer):
        abort(404)
    activities = [a for a in plan.activities if organizer or a.is_public]
    return render_template(
        "events/plan.html",
        plan=plan,
        activities=activities,
        timeline=schedule.timeline(plan, [a for a in activities if not a.cancelled]),
        by_kind=schedule.activities_by_kind(activities),
        figures=figures.collect(db.session, plan.id),
        warnings=schedule.plan_warnings(db.session, plan) if organizer else [],
        status_form=PlanStatusForm(),
        organizer=organizer,
    )


def _plan_form(plan: Plan | None) -> PlanForm:
    form = PlanForm(obj=plan)
    choices = [(0, "—")] + unit_options(db.session)
    form.issuing_unit_id.choices = form.lead_unit_id.choices = choices
    if request.method == "GET" and plan is not None:
        form.issuing_unit_id.data = plan.issuing_unit_id or 0
        form.lead_unit_id.data = plan.lead_unit_id or 0
    return form


@bp.route("/plans/new", methods=["GET", "POST"])
@bp.route("/plans/<int:plan_id>/edit", methods=["GET", "POST"])
@role_required("organizer")
def edit_plan(plan_id: int | None = None):
    plan = db.get_or_404(Plan, plan_id) if plan_id else None
    form = _plan_form(plan)
    if form.validate_on_submit():
        values = {name: getattr(form, name).data for name in PLAN_FIELDS}
        values["issuing_unit_id"] = values["issuing_unit_id"] or None
        values["lead_unit_id"] = values["lead_unit_id"] or None

        def save() -> str:
            saved = schedule.save_plan(db.session, plan, **values)
            db.session.flush()
            return url_for("events.plan_detail", plan_id=saved.id)

        response, _warnings = save_once(form, save, _("The plan was saved."))
        if response:
            return response
    return render_template("events/plan_form.html", form=form, plan=plan)


STATUS_MESSAGES = {
    "published": _l("The plan is published: citizens can see its public activities."),
    "closed": _l("The plan is closed."),
    "draft": _l("The plan is back to draft and hidden from citizens."),
}


@bp.route("/plans/<int:plan_id>/status", methods=["POST"])
@role_required("organizer")
def plan_status(plan_id: int):
    plan = db.get_or_404(Plan, plan_id)
    form = PlanStatusForm()
    if form.validate_on_submit():
        try:
            schedule.set_plan_status(plan, form.status.data)
            db.session.commit()
            flash(str(STATUS_MESSAGES[form.status.data]), "success")
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "error")
    return redirect(url_for("events.plan_detail", plan_id=plan.id))


@bp.app_context_processor
def labels():
    return {
        "activity_kind_labels": dict(activity_kind_choices()),
        "audience_group_labels": dict(audience_group_choices()),
        "plan_status_labels": {"draft": _l("Draft"), "published": _l("Published"), "closed": _l("Closed")},
    }
