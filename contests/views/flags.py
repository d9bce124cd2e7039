"""The organizer's review of flagged attempts (implausibly fast, identical answer sequences, many identities from
one device): flags are not bans. Disqualifying and reinstating take a reason, kept in the audit trail; "detect
flags now" runs the scheduled detection on one round at once."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from app.auth import role_required
from app.errors import DomainError
from app.extensions import db
from app.forms import ConfirmForm
from app.models import utcnow

from .. import bp
from ..forms.flags import DisqualifyForm, ReinstateForm
from ..services import flags as flag_services
from ..services.rounds import round_or_404


@bp.route("/rounds/<int:round_id>/flags")
@role_required("organizer")
def flags(round_id: int):
    quiz_round = round_or_404(db.session, round_id)
    return render_template(
        "contests/flags/index.html",
        quiz_round=quiz_round,
        contest=quiz_round.contest,
        flagged=flag_services.flagged_attempts(db.session, quiz_round.id),
        form=DisqualifyForm(formdata=None),
        reinstate_form=ReinstateForm(formdata=None),
    )


@bp.route("/rounds/<int:round_id>/flags/detect", methods=["POST"])
@role_required("organizer")
def detect_flags_now(round_id: int):
    """The scheduled detection, for this round, now (a second click finds nothing new: one flag per kind)."""
    quiz_round = round_or_404(db.session, round_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    new = flag_services.detect_round(db.session, quiz_round, now=utcnow())
    db.session.commit()
    flash(ngettext("%(num)d new flag to review.", "%(num)d new flags to review.", new) if new
          else _("No new flag: every attempt was looked at."), "success")  # fmt: skip
    return redirect(url_for(".flags", round_id=round_id), code=303)


@bp.route("/attempts/<int:attempt_id>/disqualify", methods=["POST"])
@role_required("organizer")
def disqualify(attempt_id: int):
    attempt = flag_services.attempt_or_404(db.session, attempt_id)
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
    flash(_("The attempt is disqualified; a closed round's results are computed again."), "success")
    return redirect(back, code=303)


@bp.route("/attempts/<int:attempt_id>/reinstate", methods=["POST"])
@role_required("organizer")
def reinstate(attempt_id: int):
    """Undo a disqualification, with a reason; a closed round's results are computed again by the service. A
    double submit finds the attempt already reinstated and changes nothing."""
    attempt = flag_services.attempt_or_404(db.session, attempt_id)
    form = ReinstateForm()
    valid = form.validate_on_submit()
    if not form.is_submitted() or "csrf_token" in form.errors:
        abort(400)
    back = (
        url_for(".round_ranking", round_id=attempt.round_id)
        if form.back.data == "ranking"
        else url_for(".flags", round_id=attempt.round_id)
    )
    if not valid:
        flash(" ".join(str(m) for m in form.reason.errors) or _("Write why this attempt is reinstated."), "error")
        return redirect(back, code=303)
    if attempt.disqualified_at is None:
        flash(_("This attempt is not disqualified: nothing to undo."), "success")
        return redirect(back, code=303)
    try:
        results = flag_services.reinstate(
            db.session, attempt, reason=form.reason.data, actor_id=current_user.id, now=utcnow()
        )
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(back, code=303)
    db.session.commit()
    flash(_("The attempt is reinstated and its results are computed again.") if results is not None
          else _("The attempt is reinstated; it is ranked when the round closes."), "success")  # fmt: skip
    return redirect(back, code=303)


@bp.route("/flags/<int:flag_id>/reviewed", methods=["POST"])
@role_required("organizer")
def flag_reviewed(flag_id: int):
    flag = flag_services.flag_or_404(db.session, flag_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    flag_services.review_flag(flag, reviewer_id=current_user.id, now=utcnow())
    db.session.commit()
    flash(_("The flag is marked as reviewed; the attempt keeps its result."), "success")
    return redirect(url_for(".flags", round_id=flag.attempt.round_id), code=303)
