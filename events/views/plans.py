"""Plans: the list, the plan page (timeline, figures, warnings) and the organizer's forms."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.auth import role_required
from app.errors import DomainError
from app.extensions import db
from app.models import utcnow
from app.providers import figures
from app.timezone import campaign_zone

from .. import bp
from ..forms.plans import PlanForm, PlanStatusForm
from ..models import AudienceGroup, Plan, PlanStatus
from ..services import plans as services
from ..services.conflicts import plan_warnings
from ..services.registration.ordering import unit_options_in_order
from . import save_once

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
STATUS_MESSAGES = {
    PlanStatus.PUBLISHED: _l("The plan is published: citizens can see its public activities."),
    PlanStatus.CLOSED: _l("The plan is closed."),
    PlanStatus.DRAFT: _l("The plan is back to draft and hidden from citizens."),
}


@bp.route("/")
def index():
    organizer = current_user.is_organizer
    return render_template(
        "events/plans/index.html",
        plans=services.visible_plans(db.session, include_internal=organizer),
        organizer=organizer,
    )


@bp.route("/plans/<int:plan_id>")
def plan_detail(plan_id: int):
    plan = services.plan_with_schedule(db.session, plan_id)
    if plan is None or not plan.is_visible_to(current_user):
        abort(404)
    organizer = current_user.is_organizer
    activities = [a for a in plan.activities if a.is_visible_to(current_user)]
    tz = campaign_zone()
    return render_template(
        "events/plans/page.html",
        plan=plan,
        activities=activities,
        timeline=services.timeline(plan, [a for a in activities if not a.cancelled], tz=tz),
        by_kind=services.activities_by_kind(activities),
        figures=figures.collect(db.session, plan.id),
        warnings=plan_warnings(db.session, plan, tz=tz) if organizer else [],
        status_form=PlanStatusForm(),
        organizer=organizer,
    )


def _plan_form(plan: Plan | None) -> PlanForm:
    form = PlanForm(obj=plan)
    choices = [(0, "—")] + unit_options_in_order(db.session)
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
            today = utcnow().astimezone(campaign_zone()).date()
            saved = services.save_plan(db.session, plan, today=today, **values)
            db.session.flush()
            return url_for("events.plan_detail", plan_id=saved.id)

        response, _warnings = save_once(form, save, _("The plan was saved."))
        if response:
            return response
    return render_template("events/plans/form.html", form=form, plan=plan)


@bp.route("/plans/<int:plan_id>/status", methods=["POST"])
@role_required("organizer")
def plan_status(plan_id: int):
    plan = db.get_or_404(Plan, plan_id)
    form = PlanStatusForm()
    if form.validate_on_submit():
        try:
            services.set_plan_status(plan, form.status.data)
            db.session.commit()
            flash(str(STATUS_MESSAGES[plan.status]), "success")
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "error")
    return redirect(url_for("events.plan_detail", plan_id=plan.id))


@bp.app_context_processor
def labels():
    # Audience groups are stored as a list of codes, so templates look their labels up by code.
    return {"audience_group_labels": dict(AudienceGroup.choices())}
