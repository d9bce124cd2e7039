"""The check-in feature's load: 50 scanners redeeming 20,000 tickets through the JSON API (against the
ceiling's POST /insert) and the public big screen of the square (against GET /select).

``load`` adds a festival under way (started an hour ago) with an entrance, an exit and four booths, 20,000 confirmed
registrations, 40,000 earlier scans (so the screen's aggregates have work to do), a volunteer assigned to the booth
that the scanners use, and writes the 20,000 signed tokens to a file that wrk's script hands out one per request.
Tokens are signed with the key the bench's app will use (its instance folder's ``checkin-keys``)."""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.parse
import urllib.request
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert, select
from werkzeug.security import generate_password_hash

from . import Context, Feature, Scenario, page_csrf, register, session_cookie

TICKETS = 20_000
SCANNERS = 50
TITLE = "Ngày hội Chuyển đổi số (soát vé, bench)"
VOLUNTEER = ("bench-scanner@dxday.example", "bench-scanner-password-1010")
KEYS_FOLDER: str | None = None  # None: the bench's instance folder (bench.runner.WORK)/checkin-keys
TOKENS_FILE: str | None = None  # None: bench.runner.WORK/checkin-tokens.txt


def _work() -> str:
    from ..runner import WORK

    return WORK


def keys_folder() -> str:
    return KEYS_FOLDER or os.path.join(_work(), "checkin-keys")


def tokens_file() -> str:
    return TOKENS_FILE or os.path.join(_work(), "checkin-tokens.txt")


def load(session, ctx: Context) -> None:
    from app.models import Role, Unit, User, UserRole
    from checkin.keys import _folder_keys
    from checkin.models import Checkpoint, CheckpointAssignment, Scan
    from checkin.services import tokens
    from events.models import Activity, Registration

    now = datetime.now(UTC).replace(microsecond=0)
    ward_id = session.scalar(select(Unit.id).where(Unit.kind == "ward").order_by(Unit.id).limit(1))
    festival = Activity(
        plan_id=ctx.data.main_plan_id,
        title=TITLE,
        kind="festival",
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(hours=23),
        is_public=True,
        capacity=None,
    )
    session.add(festival)
    session.flush()
    points = [
        Checkpoint(activity_id=festival.id, name=name, kind=kind, rule=rule, position=position)
        for position, (name, kind, rule) in enumerate(
            [
                ("Cổng chính", "entrance", "once_per_day"),
                ("Cổng ra", "exit", "every_time"),
                ("Không gian chính quyền số", "booth", "every_time"),
                ("Không gian kinh tế số", "booth", "every_time"),
                ("Không gian xã hội số", "booth", "every_time"),
                ("Không gian trải nghiệm ứng dụng số", "booth", "every_time"),
            ]
        )
    ]
    session.add_all(points)
    volunteer = User(
        name="Tình nguyện viên bench", email=VOLUNTEER[0], password_hash=generate_password_hash(VOLUNTEER[1])
    )
    session.add(volunteer)
    session.flush()
    session.add(UserRole(user_id=volunteer.id, role=Role.VOLUNTEER))
    booth = points[2]
    session.add(CheckpointAssignment(checkpoint_id=booth.id, user_id=volunteer.id))
    created = now - timedelta(days=3)
    session.execute(
        insert(Registration),
        [
            {"activity_id": festival.id, "name": f"Người tham dự {n}", "phone": f"07{n:08d}", "ward_unit_id": ward_id,
             "consent_at": created, "status": "confirmed", "token": f"bench-ticket-{n:08d}-{festival.id}",
             "created_at": created, "locale": "vi"}
            for n in range(TICKETS)
        ],
    )  # fmt: skip
    ids = list(
        session.scalars(
            select(Registration.id).where(Registration.activity_id == festival.id).order_by(Registration.id)
        )
    )
    scans = []
    for n, ticket_id in enumerate(ids):  # 15,000 came in, 5,000 of them left; 20,000 booth visits
        at = now - timedelta(minutes=50) + timedelta(seconds=n % 3000)
        if n < 15_000:
            scans.append((points[0].id, ticket_id, at, f"{ticket_id}:{at.date().isoformat()}"))
        if n < 5_000:
            scans.append((points[1].id, ticket_id, at + timedelta(minutes=20), None))
        scans.append((points[2 + n % 4].id, ticket_id, at + timedelta(minutes=5), None))
    session.execute(
        insert(Scan),
        [
            {"checkpoint_id": point_id, "ticket_id": ticket_id, "device_id": "bench-loader", "nonce": f"load-{i}",
             "scanned_at": at, "received_at": at, "verdict": "admitted", "admitted": True, "offline": False,
             "admission_slot": slot, "user_id": volunteer.id}
            for i, (point_id, ticket_id, at, slot) in enumerate(scans)
        ],
    )  # fmt: skip
    keys = _folder_keys(keys_folder())
    with open(tokens_file(), "w") as handle:
        for ticket_id in ids:
            handle.write(tokens.sign(ticket_id, festival.id, created, keys) + "\n")
    ctx.facts.update(checkin_activity=festival.id, checkin_booth=booth.id)


def _no_redirect_opener():
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    return urllib.request.build_opener(NoRedirect)


def sign_in(ctx: Context) -> tuple[str, str]:
    """The volunteer's session cookie and CSRF token, signed in through the real form."""
    status, headers, body = ctx.get("/login")
    cookie, token = session_cookie(headers), page_csrf(body)
    form = urllib.parse.urlencode({"csrf_token": token, "login": VOLUNTEER[0], "password": VOLUNTEER[1]}).encode()
    request = urllib.request.Request(ctx.base + "/login", data=form, headers={"Cookie": cookie}, method="POST")  # noqa: S310
    try:
        response = _no_redirect_opener().open(request, timeout=30)
        status, headers = response.status, dict(response.headers)
    except urllib.error.HTTPError as error:
        status, headers = error.code, dict(error.headers)
    if status != 302:
        raise RuntimeError(f"the bench volunteer could not sign in: {status}")
    cookie = session_cookie(headers) or cookie
    status, headers, body = ctx.get("/checkin/", headers={"Cookie": cookie})
    if status != 200:
        raise RuntimeError(f"/checkin/ answered {status} to the bench volunteer")
    return session_cookie(headers) or cookie, page_csrf(body)


def scenarios(ctx: Context) -> list[Scenario]:
    from app import normalise_database_url

    activity_id, booth_id = ctx.facts.get("checkin_activity"), ctx.facts.get("checkin_booth")
    if activity_id is None:  # the runner loads in another Context: find the festival again by its title
        from sqlalchemy import create_engine

        from checkin.models import Checkpoint
        from events.models import Activity

        engine = create_engine(normalise_database_url(ctx.database_url))
        with engine.connect() as conn:
            activity_id = conn.scalar(select(Activity.id).where(Activity.title == TITLE))
            booth_id = conn.scalar(
                select(Checkpoint.id).where(Checkpoint.activity_id == activity_id, Checkpoint.kind == "booth")
                .order_by(Checkpoint.position).limit(1)
            )  # fmt: skip
        engine.dispose()
    cookie, token = sign_in(ctx)
    scanned_at = datetime.now(UTC).replace(microsecond=0).isoformat()
    body = json.dumps(
        {"token": "TOKEN", "checkpoint_id": booth_id, "device_id": "bench-scanner", "nonce": "NONCE",
         "scanned_at": scanned_at}
    ).replace('"TOKEN"', '"{token}"').replace('"NONCE"', '"{key}"')  # fmt: skip
    ctx.notes.append(
        f"Check-in: {TICKETS} tickets of one festival, {SCANNERS} concurrent scanners (connections) posting signed "
        "tokens to the redeem API at an every-time booth; the big screen aggregates 40,000 earlier scans."
    )
    return [
        Scenario("check-in big screen", "page", "GET", f"/checkin/activities/{activity_id}/screen", "200"),
        Scenario(
            f"check-in redeem API POST ({SCANNERS} scanners)",
            "write",
            "POST",
            "/checkin/api/scans",
            "201",
            headers=f"Cookie: {cookie}\nX-CSRFToken: {token}\nContent-Type: application/json",
            body=body,
            tokens_file=tokens_file(),
            connections=SCANNERS,
        ),  # fmt: skip
    ]


register(Feature("checkin", scenarios, load=load))
