"""Pages of the contests feature, one module per sub-feature (the same name in ``forms/``, ``services/`` and
``templates/contests/``): the list of contests (here), the citizen's sign-up and return (participants), taking a
round (attempts), a round's results, public and the organizer's full ranking (results), and the organizer's
rounds, question bank and flags review."""

from __future__ import annotations

import re

from flask import abort, current_app, render_template, request
from flask_login import current_user
from itsdangerous import BadSignature, URLSafeSerializer

from app.extensions import db
from app.models import utcnow

from .. import bp, services
from ..models import Prize
from ..services.participants import cookie_name
from ..services.participants.identities import keyed_hash

TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
RETURN_COOKIE_DAYS = 120  # a contest runs a few weeks; its results come out after


def quiz_registration_limit() -> str:
    """Sign-ups and returns by phone per address: loose enough for a school lab behind one address."""
    return current_app.config["QUIZ_REGISTRATION_RATE_LIMIT"]


def quiz_answer_limit() -> str:
    """Answer saves, starts and submits per address (the same lab, answering at once)."""
    return current_app.config["QUIZ_ANSWER_RATE_LIMIT"]


def quiz_participant_limit() -> str:
    """Starts, answer saves and submits per participant (their token), so one scripted participant is held back
    without holding back the lab behind the same address."""
    return current_app.config["QUIZ_PARTICIPANT_RATE_LIMIT"]


def participant_key() -> str:
    """Rate-limit key of the participant in the URL (their return token), wherever they answer from."""
    return "quiz-participant:" + str((request.view_args or {}).get("token", ""))


def valid_token(token: str) -> str:
    if not TOKEN.match(token or ""):
        abort(404)
    return token


DEVICE_COOKIE = "dxdev"


def device_hash() -> str | None:
    """The keyed hash of this browser's device cookie (a random value, never personal data), or None on its first
    request: the flags' "many identities from one device" counts it. Not a ban: a school lab shares computers."""
    device = request.cookies.get(DEVICE_COOKIE, "")
    if not TOKEN.match(device):
        return None
    return keyed_hash(device, current_app.config["SECRET_KEY"], "device")


def remember_device(response):
    """Give this browser its device cookie if it has none yet."""
    import secrets

    if not TOKEN.match(request.cookies.get(DEVICE_COOKIE, "")):
        response.set_cookie(
            DEVICE_COOKIE,
            secrets.token_urlsafe(24),
            max_age=RETURN_COOKIE_DAYS * 24 * 3600,
            path="/contests/",
            httponly=True,
            samesite="Lax",
            secure=request.is_secure,
        )
    return response


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="contests.return")


def remember_participant(response, contest_id: int, token: str):
    """Set the signed return cookie: on this phone, the contest page offers to continue as this participant."""
    response.set_cookie(
        cookie_name(contest_id),
        _serializer().dumps(token),
        max_age=RETURN_COOKIE_DAYS * 24 * 3600,
        path="/contests/",
        httponly=True,
        samesite="Lax",
        secure=request.is_secure,
    )
    return remember_device(response)


def remembered_token(contest_id: int) -> str | None:
    """The participant token of the signed return cookie of this contest, if any and untampered."""
    raw = request.cookies.get(cookie_name(contest_id))
    if not raw:
        return None
    try:
        token = _serializer().loads(raw)
    except BadSignature:
        return None
    return token if isinstance(token, str) and TOKEN.match(token) else None


@bp.route("/")
def index():
    contests = services.contest_listing(db.session, include_unpublished=current_user.is_organizer, now=utcnow())
    return render_template("contests/index.html", contests=contests)


@bp.app_template_filter("prize_label")
def prize_label(prize) -> str:
    """A prize's label, from the prize or its stored value (a message's payload holds the value)."""
    try:
        return str(Prize(prize).label)
    except ValueError:
        return str(prize or "")


from . import attempts, flags, participants, questions, results, rounds  # noqa: E402,F401
