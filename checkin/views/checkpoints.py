"""The organizer's checkpoints of an activity: create, edit, delete, and the volunteers who scan at each."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from app.auth import role_required
from app.errors import DomainError
from app.extensions import db
from app.forms import ConfirmForm
from app.pages import confirm_page, refuse_unconfirmed
from app.scopes import get_in_scope
from app.services import unit_options
from events.models import Activity

from .. import bp
from ..forms.checkpoints import AssignForm, CheckpointForm
from ..models import Checkpoint
from ..services import checkpoints as services


def _page(activity_id: int) -> str:
    return url_for("checkin.activity_checkpoints", activity_id=activity_id)


@bp.route("/activities/<int:activity_id>/checkpoints")
@role_required("organizer")
def activity_checkpoints(activity_id: int):
    activity = db.get_or_404(Activity, activity_id)
    points = services.activity_checkpoints(db.session, activity_id)
    assign_form = AssignForm()
    assign_form.user_id.choices = [(0, _("Choose a volunteer"))] + [
        (user.id, user.name + (f" ({user.unit.label})" if user.unit else ""))
        for user in services.volunteers(db.session)
    ]
    return render_template(
        "checkin/checkpoints/index.html",
        activity=activity,
        points=points,
        assigned=services.assignments(db.session, [point.id for point in points]),
        assign_form=assign_form,
        button_form=ConfirmForm(),
    )


@bp.route("/activities/<int:activity_id>/checkpoints/new", methods=["GET", "POST"])
@bp.route("/checkpoints/<int:checkpoint_id>/edit", methods=["GET", "POST"])
@role_required("organizer")
def edit_checkpoint(activity_id: int | None = None, checkpoint_id: int | None = None):
    checkpoint = (
        get_in_scope(db.session, Checkpoint, checkpoint_id, current_user, write=True) if checkpoint_id else None
    )
    activity = checkpoint.activity if checkpoint is not None else db.get_or_404(Activity, activity_id)
    form = CheckpointForm(obj=checkpoint)
    form.host_unit_id.choices = [(0, "—")] + unit_options(db.session)
    if request.method == "GET" and checkpoint is not None:
        form.host_unit_id.data = checkpoint.host_unit_id or 0
    if form.validate_on_submit():
        try:
            services.save_checkpoint(
                db.session,
                activity,
                checkpoint,
                name=form.name.data,
                kind=form.kind.data,
                rule=form.rule.data,
                host_unit_id=form.host_unit_id.data or None,
                position=form.position.data,
                description=form.description.data or "",
            )
        except DomainError as error:
            db.session.rollback()
            form.add_domain_error(error)
        else:
            db.session.commit()
            flash(_("The checkpoint was saved."), "success")
            return redirect(_page(activity.id), code=303)
    return render_template("checkin/checkpoints/form.html", form=form, activity=activity, checkpoint=checkpoint)


@bp.route("/checkpoints/<int:checkpoint_id>/delete", methods=["GET", "POST"])
@role_required("organizer")
def delete_checkpoint(checkpoint_id: int):
    checkpoint = get_in_scope(db.session, Checkpoint, checkpoint_id, current_user, write=True)
    here = url_for("checkin.delete_checkpoint", checkpoint_id=checkpoint.id)
    back = _page(checkpoint.activity_id)
    if request.method == "POST":
        if refused := refuse_unconfirmed(here):
            return refused
        try:
            services.delete_checkpoint(db.session, checkpoint)
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "error")
            return redirect(back, code=303)
        db.session.commit()
        flash(_("The checkpoint was removed."), "success")
        return redirect(back, code=303)
    volunteers = services.assignments(db.session, [checkpoint.id])[checkpoint.id]
    losses = [
        _("“%(name)s” leaves the activity “%(activity)s”.", name=checkpoint.name, activity=checkpoint.activity.title)
    ]
    if volunteers:
        losses.append(
            ngettext(
                "%(num)s volunteer is no longer assigned to scan here.",
                "%(num)s volunteers are no longer assigned to scan here.",
                len(volunteers),
            )
        )
    scans = services.scan_count(db.session, checkpoint.id)
    if scans:
        losses = [_("Nothing: tickets were already scanned here, so the checkpoint is kept as the record of who came.")]
    return confirm_page(
        title=_("Remove the checkpoint “%(name)s”?", name=checkpoint.name),
        losses=losses,
        action=here,
        button=_("Remove the checkpoint"),
        back=back,
    )


@bp.route("/checkpoints/<int:checkpoint_id>/volunteers", methods=["POST"])
@role_required("organizer")
def assign_volunteer(checkpoint_id: int):
    checkpoint = get_in_scope(db.session, Checkpoint, checkpoint_id, current_user, write=True)
    form = AssignForm()
    if not form.validate_on_submit():  # (a missing CSRF token was refused with 400 before this view)
        flash(_("Choose a volunteer from the list."), "error")
        return redirect(_page(checkpoint.activity_id), code=303)
    try:
        added = services.assign(db.session, checkpoint, form.user_id.data)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(_page(checkpoint.activity_id), code=303)
    db.session.commit()
    if added:
        flash(_("The volunteer now scans at “%(name)s”.", name=checkpoint.name), "success")
    return redirect(_page(checkpoint.activity_id) + f"#checkpoint-{checkpoint.id}", code=303)


@bp.route("/checkpoints/<int:checkpoint_id>/volunteers/<int:user_id>/remove", methods=["POST"])
@role_required("organizer")
def unassign_volunteer(checkpoint_id: int, user_id: int):
    checkpoint = get_in_scope(db.session, Checkpoint, checkpoint_id, current_user, write=True)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if services.unassign(db.session, checkpoint, user_id):
        db.session.commit()
        flash(_("The volunteer no longer scans at “%(name)s”.", name=checkpoint.name), "success")
    return redirect(_page(checkpoint.activity_id) + f"#checkpoint-{checkpoint.id}", code=303)
