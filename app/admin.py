"""Administration: accounts, the unit tree, the audit trail and the scheduler's jobs."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from . import scheduler, services
from .auth import role_required
from .errors import DomainError
from .extensions import db
from .forms import ConfirmForm, UnitForm, UserForm
from .models import AuditEntry, Role, Unit, User

bp = Blueprint("admin", __name__, url_prefix="/admin")

PAGE_SIZE = 50


def _unit_choices(exclude: set[int] | None = None, blank: str = "") -> list[tuple[int, str]]:
    exclude = exclude or set()
    return [(0, blank or _("(none)"))] + [
        option for option in services.unit_options(db.session) if option[0] not in exclude
    ]


@bp.route("/users")
@role_required(Role.ADMIN)
def users():
    query = request.args.get("q", "").strip()
    stmt = select(User).options(selectinload(User.unit)).order_by(User.name)
    if query:
        like = f"%{query.lower()}%"
        stmt = stmt.where(func.lower(User.name).like(like) | func.lower(User.email).like(like))
    page = db.paginate(stmt, per_page=PAGE_SIZE, error_out=False)
    return render_template("admin/users.html", page=page, query=query)


@bp.route("/users/new", methods=["GET", "POST"])
@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def edit_user(user_id: int | None = None):
    user = db.get_or_404(User, user_id) if user_id else None
    form = UserForm(obj=user)
    form.unit_id.choices = _unit_choices()
    if request.method == "GET" and user is not None:
        form.roles.data = sorted(user.roles)
        form.unit_id.data = user.unit_id or 0
    if form.validate_on_submit():
        if user is not None and user.id == current_user.id and (not form.active.data or "admin" not in form.roles.data):
            form.roles.errors = list(form.roles.errors) + [_("You cannot remove your own administrator access.")]
        else:
            try:
                saved = services.save_user(
                    db.session,
                    name=form.name.data,
                    email=form.email.data,
                    phone=form.phone.data,
                    unit_id=form.unit_id.data or None,
                    roles=form.roles.data,
                    active=form.active.data,
                    password=form.password.data or None,
                    user=user,
                )
                db.session.commit()
            except DomainError as error:
                db.session.rollback()
                form.add_domain_error(error)
            else:
                flash(_("The account of %(name)s was saved.", name=saved.name), "success")
                return redirect(url_for("admin.users"))
    return render_template("admin/user_form.html", form=form, user=user)


@bp.route("/units")
@role_required(Role.ORGANIZER)
def units():
    return render_template("admin/units.html", tree=services.unit_tree(db.session))


@bp.route("/units/new", methods=["GET", "POST"])
@bp.route("/units/<int:unit_id>", methods=["GET", "POST"])
@role_required(Role.ORGANIZER)
def edit_unit(unit_id: int | None = None):
    unit = db.get_or_404(Unit, unit_id) if unit_id else None
    form = UnitForm(obj=unit)
    own_subtree = services.descendant_ids(db.session, unit.id) if unit else set()
    form.parent_id.choices = _unit_choices(exclude=own_subtree, blank=_("(top of the tree)"))
    if request.method == "GET":
        form.parent_id.data = (unit.parent_id if unit else request.args.get("parent", type=int)) or 0
    if form.validate_on_submit():
        try:
            saved = services.save_unit(
                db.session,
                name=form.name.data,
                kind=form.kind.data,
                parent_id=form.parent_id.data or None,
                short_name=form.short_name.data,
                unit=unit,
            )
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            form.add_domain_error(error)
        else:
            flash(_("The unit %(name)s was saved.", name=saved.name), "success")
            return redirect(url_for("admin.units"))
    return render_template("admin/unit_form.html", form=form, unit=unit)


@bp.route("/audit")
@role_required(Role.ADMIN)
def audit():
    stmt = select(AuditEntry).order_by(AuditEntry.id.desc())
    entity = request.args.get("entity", "").strip()
    if entity:
        stmt = stmt.where(AuditEntry.entity == entity)
    page = db.paginate(stmt, per_page=PAGE_SIZE, error_out=False)
    return render_template("admin/audit.html", page=page, entity=entity)


@bp.route("/jobs", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def jobs():
    form = ConfirmForm()
    if form.validate_on_submit():
        job_id = request.form.get("job_id", "")
        if job_id not in scheduler.job_ids():
            abort(404)
        result = scheduler.run_job_now(job_id)
        db.session.commit()
        flash(_("The job ran: %(message)s", message=result.message), "success" if result.ok else "error")
        return redirect(url_for("admin.jobs"))
    return render_template("admin/jobs.html", jobs=scheduler.job_statuses(), form=form)
