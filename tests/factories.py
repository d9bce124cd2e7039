"""Test records built in one place: plans, activities, users, and many calls at the same moment.

Each factory returns a new, unsaved model object with the usual values of the tests (a published plan, a
festival); pass what a test cares about and add the object to the session yourself. A model that gains a
required column is then mended here, not in twenty files."""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta

from werkzeug.security import generate_password_hash

from app.models import Unit, User
from events.models import Activity, Plan

PASSWORD = "mat-khau-thu-nghiem"  # every test account's password
_password_hashes: dict[str, str] = {}


def hashed(password: str = PASSWORD) -> str:
    """A real scrypt hash, computed once per password per run: the suite stays fast without weakening the app."""
    if password not in _password_hashes:
        _password_hashes[password] = generate_password_hash(password)
    return _password_hashes[password]


def make_plan(
    title: str = "Kế hoạch",
    *,
    status: str = "published",
    period_start: date = date(2024, 1, 1),
    period_end: date = date(2100, 1, 1),
    **fields,
) -> Plan:
    """A plan, published by default, whose period covers every date the tests use unless told otherwise."""
    return Plan(title=title, status=status, period_start=period_start, period_end=period_end, **fields)


def make_activity(
    plan: Plan | int,
    *,
    starts_at: datetime,
    ends_at: datetime | None = None,
    hours: float = 8,
    title: str = "Ngày hội Chuyển đổi số",
    kind: str = "festival",
    **fields,
) -> Activity:
    """An activity of ``plan`` (a Plan or its id): a festival of ``hours`` hours from ``starts_at`` unless
    ``ends_at``, ``title`` or ``kind`` say otherwise; any other column as a keyword."""
    owner = {"plan": plan} if isinstance(plan, Plan) else {"plan_id": plan}
    return Activity(
        **owner,
        title=title,
        kind=kind,
        starts_at=starts_at,
        ends_at=ends_at if ends_at is not None else starts_at + timedelta(hours=hours),
        **fields,
    )


def make_user(
    role: str | tuple[str, ...] | None = None,
    unit: Unit | int | None = None,
    *,
    name: str = "Người dùng thử",
    email: str | None = None,
    password: str = PASSWORD,
    active: bool = True,
    **fields,
) -> User:
    """A user holding ``role`` (one role, a tuple of roles, or None) in ``unit`` (a Unit or its id)."""
    roles = (role,) if isinstance(role, str) else tuple(role or ())
    if isinstance(unit, Unit):
        fields["unit"] = unit
    elif unit is not None:
        fields["unit_id"] = unit
    user = User(
        name=name,
        email=email or f"{'-'.join(roles) or 'user'}-{uuid.uuid4().hex[:6]}@example.vn",
        password_hash=hashed(password),
        active=active,
        **fields,
    )
    user.set_roles(roles)
    return user


def all_at_once(calls, workers: int | None = None) -> list:
    """Run ``calls`` (functions without arguments) in threads released together by a barrier, so that their
    requests reach the server at the same moment (at most ``workers`` at a time, each thread waiting once, on its
    first call); their results in order, an exception raised here."""
    workers = workers or len(calls)
    barrier = threading.Barrier(workers)
    started = threading.local()

    def run(call):
        if not getattr(started, "done", False):
            started.done = True
            barrier.wait(timeout=60)
        return call()

    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(run, calls))
