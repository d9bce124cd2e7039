"""A citizen takes part in an online quiz: the contest page, the sign-up, the way back (a signed cookie on the same
phone, or the phone and year of birth), and the participant's own page listing the rounds."""

from __future__ import annotations

from flask import abort, current_app, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from app import cache
from app.errors import DomainError
from app.extensions import db, limiter
from app.models import utcnow
from app.services import normalise_phone, unit_tree
from app.timezone import campaign_zone

from .. import PUBLIC_CACHE, bp
from ..forms.participants import ParticipantForm, ReturnForm, ward_choices
from ..services import identities, pages
from . import device_hash, quiz_registration_limit, remember_device, remember_participant, remembered_token, valid_token


@bp.route("/<int:contest_id>")
def contest_page(contest_id: int):
    contest = pages.public_quiz_or_404(db.session, contest_id)
    participant = pages.participant_by_token(db.session, remembered_token(contest.id), contest_id=contest.id)
    return render_template(
        "contests/participants/contest.html",
        contest=contest,
        rounds=pages.rounds_of(db.session, contest.id, public_only=True),
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
            lambda: (_join_page(pages.public_quiz_or_404(db.session, contest_id), ParticipantForm()), None),
            now=utcnow(),
        )
        return remember_device(current_app.make_response(page))
    contest = pages.public_quiz_or_404(db.session, contest_id)
    form = ParticipantForm()
    if form.validate_on_submit():
        now = utcnow()
        try:
            pages.check_ward(db.session, form.ward_id.data)
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
                secret=current_app.config["SECRET_KEY"],
                locale=str(get_locale()),
                device_hash=device_hash(),
            )
            token = participant.return_token  # read before the commit expires it
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


def _phone_key() -> str:
    return "quiz-return:" + (normalise_phone(request.form.get("phone")) or "")


@bp.route("/<int:contest_id>/return", methods=["GET", "POST"])
@limiter.limit(quiz_registration_limit, methods=["POST"])
@limiter.limit("10 per hour", methods=["POST"], key_func=_phone_key)  # a year of birth is easy to guess by trying
def return_by_phone(contest_id: int):
    contest = pages.public_quiz_or_404(db.session, contest_id)
    form = ReturnForm()
    if form.validate_on_submit():
        participant = identities.returning_participant(
            db.session, contest, form.phone.data, form.birth_year.data, current_app.config["SECRET_KEY"]
        )
        if participant is not None:
            response = redirect(url_for(".participant_home", token=participant.return_token), code=303)
            return remember_participant(response, contest.id, participant.return_token)
        # One answer for a wrong phone and a wrong year: the page must not tell who took part.
        form.form_errors.append(_("We found no participant with this phone number and year of birth."))
    return render_template("contests/participants/return.html", contest=contest, form=form)


@bp.route("/me/<token>")
def participant_home(token: str):
    participant = pages.participant_by_token(db.session, valid_token(token))
    if participant is None:
        abort(404)
    now = utcnow()
    response = current_app.make_response(
        render_template(
            "contests/participants/home.html",
            participant=participant,
            contest=pages.quiz_or_404(db.session, participant.contest_id),
            rounds=pages.participant_rounds(db.session, participant, now),
            now=now,
        )
    )
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return remember_participant(response, participant.contest_id, participant.return_token)


@bp.route("/me/<token>/forget", methods=["POST"])
def forget_device(token: str):
    """ "Not me": a shared computer (a school lab) forgets the participant; their answers stay saved."""
    participant = pages.participant_by_token(db.session, valid_token(token))
    if participant is None:
        abort(404)
    response = redirect(url_for(".contest_page", contest_id=participant.contest_id), code=303)
    response.delete_cookie(pages.cookie_name(participant.contest_id), path="/contests/")
    return response
