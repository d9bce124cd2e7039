"""Badges: the organizer asks for an activity's sheet; a short list is built at once, a long one by the scheduler
with its progress on the page (kept in the database, so any worker shows it)."""

from __future__ import annotations

import os

from flask import abort, current_app, flash, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from app import documents
from app.auth import role_required
from app.extensions import db
from app.forms import ConfirmForm
from app.models import DocumentJobState, utcnow
from events.models import Activity, Registration, RegistrationStatus

from .. import badging, bp
from ..services import badges as services


def _confirmed(activity_id: int) -> int:
    return db.session.scalar(
        select(func.count(Registration.id)).where(
            Registration.activity_id == activity_id, Registration.status == RegistrationStatus.CONFIRMED
        )
    )


@bp.route("/activities/<int:activity_id>/badges", methods=["GET", "POST"])
@role_required("organizer")
def badges(activity_id: int):
    activity = db.get_or_404(Activity, activity_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        job = services.request_job(db.session, activity.id, user_id=current_user.id, now=utcnow())
        db.session.commit()
        if job.state == DocumentJobState.QUEUED and _confirmed(activity.id) <= services.BUILD_NOW_LIMIT:
            # A short list is drawn while the organizer waits (about a second); the scheduler takes long ones.
            services.build_job(
                db.engine,
                job.id,
                now=utcnow,
                folder=badging.folder(),
                badges_for=badging.badges_for,
                title_for=badging.title_for,
            )
            db.session.expire_all()
            flash(_("The badge sheet is ready."), "success")
        else:
            flash(_("The badge sheet is being built. This page shows its progress."), "info")
        return redirect(url_for("checkin.badges", activity_id=activity.id), code=303)
    if form.is_submitted():
        abort(400)
    jobs = services.recent_jobs(db.session, activity.id)
    busy = any(job.busy for job in jobs)
    response = current_app.make_response(
        render_template(
            "checkin/badges/index.html",
            activity=activity,
            form=form,
            jobs=jobs,
            busy=busy,
            confirmed=_confirmed(activity.id),
            per_page=services.PER_PAGE,
        )
    )
    if busy:
        response.headers["Refresh"] = "3"  # the progress comes from the database, whichever worker answers
    return response


@bp.route("/badges/<int:job_id>.pdf")
@role_required("organizer")
def badge_file(job_id: int):
    job = documents.find(db.session, services.BADGES, job_id)
    if job is None:
        abort(404)
    path = documents.job_path(badging.folder(), job) if job.state == DocumentJobState.DONE else None
    if path is None or not os.path.exists(path):
        abort(404)
    response = send_file(
        path, mimetype=job.content_type, as_attachment=True, download_name=f"badges-{job.subject_id}.pdf"
    )
    response.headers["Cache-Control"] = "no-store"  # names of people: never in a shared cache
    return response
