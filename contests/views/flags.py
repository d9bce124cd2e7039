"""The organizer's review of flagged attempts (implausibly fast, identical answer sequences, many identities from
one device): flags are not bans. Disqualifying takes a reason, kept in the audit trail."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.auth import role_required
from app.errors import DomainError
from app.extensions import db
from app.forms import ConfirmForm
from app.models import utcnow

from .. import bp
from ..forms.flags import DisqualifyForm
from ..services import flags as flag_services
from ..services import pages


@bp.route("/rounds/<int:round_id>/flags")
@role_required("organizer")
def flags(round_id: int):
    quiz_round = pages.round_or_404(db.session, round_id)
    return render_template(
        "contests/flags/index.html",
        quiz_round=quiz_round,
        contest=quiz_round.contest,
        flagged=pages.flagged_attempts(db.session, quiz_round.id),
        form=DisqualifyForm(formdata=None),
    )


@bp.route("/attempts/<int:attempt_id>/disqualify", methods=["POST"])
@role_required("organizer")
def disqualify(attempt_id: int):
    attempt = pages.attempt_or_404(db.session, attempt_id)
    form = DisqualifyForm()
    back = url_for(".flags", round_id=attempt.round_id)
    if not form.validate_on_submit():
        if not form.is_submitted() or "csrf_token" in form.errors:
            abort(400)
        flash(" ".join(str(m) for m in form.reason.errors), "error")
        return redirect(back, code=303)
    try:
        flag_services.disqualify(db.session, attempt, reason=form.reason.data, actor_id=current_user.id, now=utcnow())
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(back, code=303)
    db.session.commit()
    flash(_("The attempt is disqualified. Recompute the results if the round is closed."), "success")
    return redirect(back, code=303)


@bp.route("/flags/<int:flag_id>/reviewed", methods=["POST"])
@role_required("organizer")
def flag_reviewed(flag_id: int):
    flag = pages.flag_or_404(db.session, flag_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    flag_services.review_flag(flag, reviewer_id=current_user.id, now=utcnow())
    db.session.commit()
    flash(_("The flag is marked as reviewed; the attempt keeps its result."), "success")
    return redirect(url_for(".flags", round_id=flag.attempt.round_id), code=303)
