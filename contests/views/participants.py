"""A citizen takes part in an online quiz: the contest page, the sign-up, the way back (a signed cookie on the same
phone; on another device a one-time code sent to the phone on file, or as the fallback the phone, year of birth and
CCCD's last 4 digits), and the participant's own page listing the rounds."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from app import cache
from app.errors import DomainError
from app.extensions import db, limiter
from app.models import utcnow
from app.services import unit_tree
from app.timezone import campaign_zone

from .. import PUBLIC_CACHE, bp
from ..forms.participants import CodeForm, FallbackForm, ParticipantForm, ResendForm, ReturnForm, ward_choices
from ..services import participants as participant_services
from ..services import public_quiz_or_404, quiz_or_404
from ..services.participants import identities, return_codes
from ..services.rounds import rounds_of
from . import device_hash, quiz_registration_limit, remember_device, remember_participant, remembered_token, valid_token


@bp.route("/<int:contest_id>")
def contest_page(contest_id: int):
    contest = public_quiz_or_404(db.session, contest_id)
    participant = participant_services.participant_by_token(
        db.session, remembered_token(contest.id), contest_id=contest.id
    )
    return render_template(
        "contests/participants/contest.html",
        contest=contest,
        rounds=rounds_of(db.session, contest.id, public_only=True),
        participant=participant,
        now=utcnow(),
    )


@bp.route("/<int:contest_id>/join", methods=["GET", "POST"])
@limiter.limit(quiz_registration_limit, methods=["POST"])
def join(contest_id: int):
    if request.method != "POST":
        # The same blank form for every visitor (the crowd of a round's opening): kept as bytes per version of the
        # contests and of the units, each visitor's CSRF token put in.
        page = cache.page(
            db.session,
            PUBLIC_CACHE,
            lambda: f"quiz-join:{cache.version(db.session, 'events')}",
            lambda: (_join_page(public_quiz_or_404(db.session, contest_id), ParticipantForm()), None),
            now=utcnow(),
        )
        return remember_device(current_app.make_response(page))
    form = ParticipantForm()
    valid = form.validate_on_submit()  # first: only a ward id of the right shape reaches the query
    contest, wrong_ward = participant_services.signup_contest(
        db.session, contest_id, form.ward_id.data if valid else None
    )
    if valid:
        now = utcnow()
        try:
            if wrong_ward is not None:
                raise wrong_ward
            participant = identities.register_participant(
                db.session,
                contest,
                full_name=form.full_name.data,
                phone=form.phone.data,
                ward_unit_id=form.ward_id.data,
                birth_year=form.birth_year.data,
                cccd=form.cccd.data or None,
                consent=form.consent.data,
                now=now,
                today=now.astimezone(campaign_zone()).date(),
                secret=current_app.config["IDENTITY_KEYS"],
                locale=str(get_locale()),
                device_hash=device_hash(),
            )
            token = participant.return_token  # read before the commit expires it
        except identities.AlreadyRegistered as error:
            db.session.rollback()
            # The same answer for a known phone and a known CCCD, and no word of which: the way back by a code
            # sent to the phone on file (the owner's, which never reaches this browser).
            owner = error.participant
            _send_code(contest, phone=owner.phone if owner is not None and owner.phone else form.phone.data)
            flash(str(identities.ALREADY_REGISTERED), "info")
            return redirect(url_for(".return_code", contest_id=contest.id), code=303)
        except DomainError as error:
            db.session.rollback()
            form.add_domain_error(error)
        else:
            db.session.commit()
            response = redirect(url_for(".participant_home", token=token), code=303)
            return remember_participant(response, contest_id, token)
    return remember_device(current_app.make_response(_join_page(contest, form)))


def _join_page(contest, form: ParticipantForm) -> str:
    # The sign-up's ~500 wards: listed once per version of the units and language, their <option>s rendered once.
    locale = str(get_locale())
    form.ward_id.choices = cache.memo(db.session, "events", f"quiz-wards:{locale}",
                                      lambda: ward_choices(unit_tree(db.session)))  # fmt: skip
    form.ward_id.options_key = f"quiz-wards:{cache.version(db.session, 'events')}:{locale}"
    return render_template("contests/participants/join.html", contest=contest, form=form)


# --- the way back on another device -------------------------------------------------------------------------------

PENDING_CODE = "quiz_return_code"  # the session keeps only the id of the code asked, never the phone
FALLBACK_LIMIT = "5 per hour"  # per (phone, address): about 750,000 combinations of year and 4 digits


def _pending_code(contest_id: int) -> int | None:
    pending = session.get(PENDING_CODE)
    if isinstance(pending, dict) and pending.get("contest") == contest_id and isinstance(pending.get("id"), int):
        return pending["id"]
    return None


def _send_code(contest, *, phone: str | None = None, again: int | None = None) -> DomainError | None:
    """Ask a code and commit; the code's id goes into the session. Returns the refusal, if any (limits)."""
    try:
        row, _code = return_codes.issue_code(
            db.session,
            contest,
            phone=phone,
            again=again,
            address=request.remote_addr or "",
            now=utcnow(),
            secret=current_app.config["SECRET_KEY"],
            keys=current_app.config["IDENTITY_KEYS"],
        )
    except DomainError as error:
        db.session.rollback()
        return error
    code_id = row.id
    db.session.commit()
    session[PENDING_CODE] = {"contest": contest.id, "id": code_id}
    return None


def _returned(participant):
    """The participant is back on this device: their new token in the link and the cookie."""
    token = participant.return_token  # the rotated one, read before the commit expires it
    db.session.commit()
    session.pop(PENDING_CODE, None)
    response = redirect(url_for(".participant_home", token=token), code=303)
    return remember_participant(response, participant.contest_id, token)


@bp.route("/<int:contest_id>/return", methods=["GET", "POST"])
@limiter.limit(quiz_registration_limit, methods=["POST"])
def return_by_phone(contest_id: int):
    """Step 1: the phone. The answer is the same whether or not it took part (a code goes only to a known one)."""
    contest = public_quiz_or_404(db.session, contest_id)
    form = ReturnForm()
    if form.validate_on_submit():
        refused = _send_code(contest, phone=form.phone.data)
        if refused is None or (
            isinstance(refused, return_codes.CodeTooSoon) and _pending_code(contest.id) is not None
        ):  # a reload of step 1 within the minute: the code already sent is still good
            return redirect(url_for(".return_code", contest_id=contest.id), code=303)
        form.add_domain_error(refused)
    return render_template("contests/participants/return.html", contest=contest, form=form)


@bp.route("/<int:contest_id>/return/code", methods=["GET", "POST"])
@limiter.limit(quiz_registration_limit, methods=["POST"])
def return_code(contest_id: int):
    """Step 2: the code. A wrong try is committed (it counts) and answered on the field with the tries left."""
    contest = public_quiz_or_404(db.session, contest_id)
    pending = _pending_code(contest.id)
    if pending is None:
        return redirect(url_for(".return_by_phone", contest_id=contest.id), code=303)
    form = CodeForm()
    if form.validate_on_submit():
        try:
            participant = return_codes.check_code(
                db.session, pending, form.code.data, now=utcnow(), secret=current_app.config["SECRET_KEY"]
            )
        except return_codes.WrongCode as error:
            db.session.commit()
            form.code.errors = [error.message, _("Tries left for this code: %(n)s.", n=error.tries_left)]
        except return_codes.CodeNotValid as error:
            db.session.commit()
            form.add_domain_error(error)
        else:
            return _returned(participant)
    return render_template("contests/participants/return_code.html", contest=contest, form=form, resend=ResendForm())


@bp.route("/<int:contest_id>/return/resend", methods=["POST"])
@limiter.limit(quiz_registration_limit)
def return_resend(contest_id: int):
    """A new code for the same phone, a minute after the last, within the day's limits."""
    contest = public_quiz_or_404(db.session, contest_id)
    pending = _pending_code(contest.id)
    if pending is None:
        return redirect(url_for(".return_by_phone", contest_id=contest.id), code=303)
    if ResendForm().validate_on_submit():
        refused = _send_code(contest, again=pending)
        if refused is None:
            flash(_("If this phone took part, a new code is on its way."), "info")
        else:
            flash(refused.message, "error")
    return redirect(url_for(".return_code", contest_id=contest.id), code=303)


def _phone_address_key() -> str:
    """Rate-limit key of the fallback: the phone typed and the client's address together (keyed, so a counter
    store never holds a phone), so that whoever tries a phone from one address is held back without holding back
    its owner on another."""
    typed = (request.form.get("phone") or "")[:40]
    try:
        phone = identities.normalise_phone(typed)
    except DomainError:  # not a phone: the form refuses it, but the try still counts
        phone = "".join(ch for ch in typed if ch.isdigit())
    value = f"{phone}|{request.remote_addr or ''}"
    return "quiz-fallback:" + identities.keyed_hash(value, current_app.config["SECRET_KEY"], "limit")[:32]


@bp.route("/<int:contest_id>/return/other", methods=["GET", "POST"])
@limiter.limit(quiz_registration_limit, methods=["POST"])
@limiter.limit(FALLBACK_LIMIT, methods=["POST"], key_func=_phone_address_key)
def return_fallback(contest_id: int):
    """The fallback when no code arrives: phone, year of birth and the CCCD's last 4 digits, all three."""
    contest = public_quiz_or_404(db.session, contest_id)
    form = FallbackForm()
    if form.validate_on_submit():
        participant = identities.returning_participant(
            db.session,
            contest,
            form.phone.data,
            form.birth_year.data,
            form.cccd_last4.data,
            current_app.config["IDENTITY_KEYS"],
        )
        if participant is not None:
            identities.rotate_return_token(participant)
            return _returned(participant)
        # One answer whichever was wrong: the page must not tell who took part.
        form.form_errors.append(_("We found no participant with these details."))
    return render_template("contests/participants/return_other.html", contest=contest, form=form)


@bp.route("/me/<token>")
def participant_home(token: str):
    participant = participant_services.participant_by_token(db.session, valid_token(token))
    if participant is None:
        abort(404)
    now = utcnow()
    response = current_app.make_response(
        render_template(
            "contests/participants/home.html",
            participant=participant,
            contest=quiz_or_404(db.session, participant.contest_id),
            rounds=participant_services.participant_rounds(db.session, participant, now),
            now=now,
        )
    )
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return remember_participant(response, participant.contest_id, participant.return_token)


@bp.route("/me/<token>/forget", methods=["POST"])
def forget_device(token: str):
    """ "Not me": a shared computer (a school lab) forgets the participant; their answers stay saved."""
    participant = participant_services.participant_by_token(db.session, valid_token(token))
    if participant is None:
        abort(404)
    response = redirect(url_for(".contest_page", contest_id=participant.contest_id), code=303)
    response.delete_cookie(participant_services.cookie_name(participant.contest_id), path="/contests/")
    return response
