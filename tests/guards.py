"""The vocabulary of the route tables (tests/app/test_route_guards.py, test_csrf_sweep.py, test_hostile_forms.py).

Each feature owns its rows, in its own test package (``tests/<feature>/guard_rows.py``: a ``WRITES`` dict, endpoint
-> ``Row``); tests/app/test_route_guards.py assembles them and checks them against the route map, so a new route
means editing one file: its feature's rows."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

PUBLIC = "public"  # citizens, no account
SIGNED_IN = "signed in"  # any account
ROLES = ("admin", "organizer", "unit_reporter", "volunteer", "juror", "appraiser")
# Roles whose users reach only some records of a kind (ARCHITECTURE rule 11): a row letting one of them write
# says who the same role elsewhere is (``scope``), or why the route has no per-record scope (``unscoped``).
SCOPED_ROLES = frozenset({"unit_reporter", "volunteer", "juror", "appraiser"})
# The users of tests/conftest.py's records who hold a role but in another unit or assignment (keys of
# ``records.users``) -> that role: another ward's reporter, a volunteer assigned nowhere, a juror of no entry.
OUTSIDERS = {"other_unit_reporter": "unit_reporter", "other_volunteer": "volunteer", "other_juror": "juror"}
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
PASSWORD = "mat-khau-thu-nghiem"  # tests/conftest.py's password of every test account
ORGANIZER = frozenset({"organizer"})
ADMIN = frozenset({"admin"})


@dataclass
class Request:
    url: str
    data: dict | None = None
    json: dict | None = None
    content_type: str | None = None
    headers: dict = field(default_factory=dict)
    method: str = "POST"

    def send(self, client):
        if self.method == "GET":
            return client.get(self.url, headers=self.headers)
        if self.json is not None:
            return client.post(self.url, json=self.json, headers=self.headers)
        return client.post(self.url, data=self.data or {}, content_type=self.content_type, headers=self.headers)


@dataclass
class Row:
    """Who may write here (PUBLIC, SIGNED_IN or a set of roles; admins may always), a request per URL rule
    (built from the records fixture, fresh for each call), and what success looks like.

    ``scope`` names the user (a key of ``records.users``) who holds the right role but in another unit or
    assignment: sending the same valid request, they get 404 and the database stays as it was."""

    who: str | frozenset[str]
    requests: dict[str, Callable[[object], Request]]
    ok: int = 302
    changes_db: bool = True
    as_role: str | None = None  # who sends the successful request (default: the first allowed role)
    scope: str | None = None  # the right role out of scope (see above)
    unscoped: str = ""  # why a route open to a scoped role has no per-record scope


@dataclass
class ScopedRead:
    """A page or API read of one record under a scope: ``outsider`` (a key of ``records.users``) gets 404,
    ``insider`` gets ``ok``."""

    request: Callable[[object], Request]
    outsider: str
    insider: str
    ok: int = 200


def local(moment) -> str:
    return moment.astimezone(TZ).strftime("%d/%m/%Y %H:%M")


def day(moment) -> str:
    return moment.astimezone(TZ).strftime("%d/%m/%Y")
