"""The events feature's load: the public calendar, an activity page, the plan feed (200 and 304), the
registration form and JSON API POSTs, and 500 registrations racing for 100 seats."""

from __future__ import annotations

import http.client
import json
import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import quote

from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from app import normalise_database_url

from .. import dataset, report
from . import Check, Context, Feature, Scenario, register, session_cookie

RACE_REQUESTS, RACE_CONCURRENCY = 500, 50
NAME = "Nguyễn Văn Bền"


def scenarios(ctx: Context) -> list[Scenario]:
    """The scenarios, with the CSRF tokens, cookies and ETag fetched once before the runs."""
    data = ctx.data
    ward_id = next(row["id"] for row in data.rows(dataset.Unit) if row["kind"] == "ward")
    status, headers, body = ctx.get(f"/events/api/activities/{data.api_activity_id}/registration")
    if status != 200:
        raise RuntimeError(f"registration status API answered {status}: {body[:500]!r}")
    api_token, api_cookie = json.loads(body)["csrf_token"], session_cookie(headers)
    status, headers, body = ctx.get(f"/events/activities/{data.form_activity_id}/register")
    match = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', body) or re.search(
        rb'value="([^"]+)"[^>]*name="csrf_token"', body
    )
    if status != 200 or not match:
        raise RuntimeError(f"registration form answered {status} without a CSRF token: {body[:500]!r}")
    form_token, form_cookie = match.group(1).decode(), session_cookie(headers)
    feed = f"/events/plans/{data.main_plan_id}/calendar.ics"
    status, headers, body = ctx.get(feed)
    if status != 200 or "ETag" not in headers:
        raise RuntimeError(f"the plan feed answered {status} without an ETag")
    feed_events, etag = body.count(b"BEGIN:VEVENT"), headers["ETag"]
    month = data.busiest_month.isoformat()
    status, _, body = ctx.get(f"/events/calendar?date={month}")
    month_activities = len(set(re.findall(rb'href="/events/activities/(\d+)"', body)))
    ctx.facts.update(ward_id=ward_id, api_token=api_token, api_cookie=api_cookie)
    ctx.notes.append(
        f"Data: {len(data.rows(dataset.Unit))} units, {len(data.rows(dataset.Plan))} plans, "
        f"{len(data.rows(dataset.Activity))} activities ({len(data.rows(dataset.TourStop))} tour stops, "
        f"{len(data.rows(dataset.ProgrammeItem))} programme items), {len(data.rows(dataset.Registration))} "
        f"registrations; the busiest month shows {month_activities} activities; the plan feed has "
        f"{feed_events} events."
    )
    form_body = (f"csrf_token={quote(form_token)}&name={quote(NAME)}&phone={{phone}}&ward_id={ward_id}&email="
                 "&consent=y&submission={key}")  # fmt: skip
    api_body = json.dumps({"name": NAME, "phone": "PHONE", "ward_id": ward_id, "consent": True}).replace(
        "PHONE", "{phone}"
    )
    return [
        Scenario("calendar (default page)", "page", "GET", "/events/calendar", "200"),
        Scenario(f"calendar month {month}", "page", "GET", f"/events/calendar?date={month}", "200"),
        Scenario(
            f"activity page /{data.page_activity_id}",
            "page",
            "GET",
            f"/events/activities/{data.page_activity_id}",
            "200",
        ),
        Scenario(f"plan feed ({feed_events} events)", "page", "GET", feed, "200"),
        Scenario("plan feed, 304", "page", "GET", feed, "304", headers=f"If-None-Match: {etag}"),
        Scenario(
            "registration form POST",
            "write",
            "POST",
            f"/events/activities/{data.form_activity_id}/register",
            "303",
            headers=f"Cookie: {form_cookie}\nContent-Type: application/x-www-form-urlencoded",
            body=form_body,
            phone_prefix="08",
        ),
        Scenario(
            "registration API POST",
            "write",
            "POST",
            f"/events/api/activities/{data.api_activity_id}/registrations",
            "201",
            headers=f"Cookie: {api_cookie}\nX-CSRFToken: {api_token}\nContent-Type: application/json",
            body=api_body,
            phone_prefix="09",
        ),
    ]


def race(ctx: Context) -> tuple[str, bool]:
    """500 registrations sent at once (50 at a time) for the 100 seats of one activity; then count in the
    database."""
    path = f"/events/api/activities/{ctx.data.race_activity_id}/registrations"
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    start_line = threading.Barrier(RACE_CONCURRENCY)

    def one(index: int) -> None:
        if index < RACE_CONCURRENCY:
            start_line.wait()
        body = json.dumps({"name": NAME, "phone": f"07{index:08d}", "ward_id": ctx.facts["ward_id"], "consent": True})
        conn = http.client.HTTPConnection("127.0.0.1", ctx.port, timeout=60)
        try:
            conn.request("POST", path, body=body, headers={"Content-Type": "application/json",
                         "Cookie": ctx.facts["api_cookie"], "X-CSRFToken": ctx.facts["api_token"]})  # fmt: skip
            status = conn.getresponse().status
        except OSError:
            status = 0
        finally:
            conn.close()
        with lock:
            statuses[status] = statuses.get(status, 0) + 1

    started = time.monotonic()
    with ThreadPoolExecutor(RACE_CONCURRENCY) as pool:
        list(pool.map(one, range(RACE_REQUESTS)))
    seconds = time.monotonic() - started
    engine = create_engine(normalise_database_url(ctx.database_url))
    try:
        with Session(engine) as session:
            counts = dataset.registration_counts(session, ctx.data.race_activity_id)
    finally:
        engine.dispose()
    result = report.RaceResult(RACE_REQUESTS, dataset.RACE_CAPACITY, statuses, counts, seconds)
    return result.line(), result.ok


register(Feature("events", scenarios, checks=(Check("race", race),), order=0))
