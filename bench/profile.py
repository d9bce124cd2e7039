"""Profile one page of the bench's database with pyinstrument, in process (no gunicorn, no load):

    .venv/bin/python -m bench.profile /events/calendar            # GET, 5 times after one warm-up request
    .venv/bin/python -m bench.profile --post-api 51 --repeat 20   # the registration JSON API POST
    .venv/bin/python -m bench.profile --post-form 52              # the registration form POST
    .venv/bin/python -m bench.profile /events/calendar --miss     # a cached page as it costs when rendered

It uses the database the last ``make bench`` left (``BENCH_URL``, default PostgreSQL's dxday_bench) and prints
the call tree (``--html FILE`` writes pyinstrument's page instead). Under load, ``py-spy dump --pid <worker>`` or
``py-spy record --pid <worker> --duration 10 --format speedscope -o out.json`` show the same from a gunicorn
worker."""

from __future__ import annotations

import argparse
import itertools
import json
import re
import statistics
import time

from pyinstrument import Profiler

from app import create_app
from app.models import Unit, UnitKind

from .runner import SECRET_KEY
from .scenarios.events import NAME

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/dxday_bench"
_phones = itertools.count()


def _ward_id(app) -> int:
    from sqlalchemy import select

    from app.extensions import db

    with app.app_context():
        return db.session.scalar(select(Unit.id).where(Unit.kind == UnitKind.WARD.value).limit(1))


def requester(app, args):
    """A function doing one request of the chosen kind with a test client."""
    client = app.test_client()
    if args.post_api:
        token = client.get(f"/events/api/activities/{args.post_api}/registration").get_json()["csrf_token"]
        ward = _ward_id(app)

        def post_api():
            body = {"name": NAME, "phone": f"05{next(_phones) + int(time.time()) % 10**6 * 100:08d}", "ward_id": ward,
                    "consent": True}  # fmt: skip
            response = client.post(f"/events/api/activities/{args.post_api}/registrations", data=json.dumps(body),
                                   headers={"X-CSRFToken": token, "Content-Type": "application/json"})  # fmt: skip
            assert response.status_code == 201, response.get_data(as_text=True)[:500]

        return post_api
    if args.post_form:
        page = client.get(f"/events/activities/{args.post_form}/register").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        ward = _ward_id(app)

        def post_form():
            n = next(_phones) + int(time.time()) % 10**6 * 100
            data = {"csrf_token": token, "name": NAME, "phone": f"05{n:08d}", "ward_id": str(ward), "consent": "y",
                    "submission": f"bench-profile-submission-key-{n:012d}"}  # fmt: skip
            response = client.post(f"/events/activities/{args.post_form}/register", data=data)
            assert response.status_code == 303, response.get_data(as_text=True)[:500]

        return post_form

    misses = itertools.count()

    def get():
        path = args.path
        if args.miss:  # a query parameter no page reads, new each time: a cached page is rendered every time
            path += ("&" if "?" in path else "?") + f"bench-miss={next(misses)}"
        response = client.get(path, headers=dict(h.split(": ", 1) for h in args.header))
        assert response.status_code < 400, response.status_code

    return get


def _count_statements(app, one) -> list[str]:
    """The SQL statements one request runs."""
    from sqlalchemy import event

    from app.extensions import db

    seen: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        one()
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return seen


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("path", nargs="?", default="/events/calendar")
    parser.add_argument("--url", default=DEFAULT_URL)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--header", action="append", default=[], help='"Name: value", e.g. If-None-Match')
    parser.add_argument("--post-api", type=int, metavar="ACTIVITY_ID")
    parser.add_argument("--post-form", type=int, metavar="ACTIVITY_ID")
    parser.add_argument("--miss", action="store_true", help="a new URL each time: what a page costs uncached")
    parser.add_argument("--html", metavar="FILE")
    parser.add_argument("--sql", action="store_true", help="list the SQL statements of one request")
    args = parser.parse_args()
    app = create_app({"SQLALCHEMY_DATABASE_URI": args.url, "SECRET_KEY": SECRET_KEY, "SCHEDULER_AUTOSTART": False,
                      "REGISTRATION_RATE_LIMIT": "100000000 per minute", "RATELIMIT_ENABLED": False})  # fmt: skip
    one = requester(app, args)
    one()  # warm-up: imports, templates, connections
    statements = _count_statements(app, one)
    # CPU time without the profiler first: on a shared machine it moves much less than the wall time.
    cpu_times = []
    for _ in range(args.repeat):
        cpu_started = time.process_time()
        one()
        cpu_times.append(time.process_time() - cpu_started)
    cpu = statistics.median(cpu_times) * 1000
    profiler = Profiler(interval=0.0005)
    started = time.perf_counter()
    with profiler:
        for _ in range(args.repeat):
            one()
    per_request = (time.perf_counter() - started) / args.repeat * 1000
    print(f"{args.post_api and 'API POST' or args.post_form and 'form POST' or args.path}: "
          f"{cpu:.1f} ms CPU per request (median, unprofiled, this process), {per_request:.1f} ms wall (profiled) over "
          f"{args.repeat}; {len(statements)} SQL statements per request")  # fmt: skip
    if args.sql:
        for statement in statements:
            print("  SQL:", " ".join(statement.split())[:160])
    if args.html:
        with open(args.html, "w") as handle:
            handle.write(profiler.output_html())
    else:
        print(profiler.output_text(unicode=True, color=False, show_all=False))


if __name__ == "__main__":
    main()
