"""Every form write of the app, taken from the route table, with each of its fields made hostile in turn while
the rest of its valid body stays: a field error, a refusal or a redirect, never a server error.

The role test's table (tests/app/test_route_guards.py) holds a valid request per state-changing route, so a new
form is swept as soon as it gets its row there."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

_spec = importlib.util.spec_from_file_location("dxday_route_table", Path(__file__).with_name("test_route_guards.py"))
route_guards = sys.modules.setdefault(_spec.name, importlib.util.module_from_spec(_spec))
_spec.loader.exec_module(route_guards)

HOSTILE = {
    "nul": "Hội\x00chợ",
    "escape": "Ngày hội\x1b[2J",
    "huge number": "9" * 30,
    "year one": "01/01/0001 00:00",
    "bidi": "\u202egpj.exe",
    "long": "x" * 20_000,
}


@pytest.fixture
def app(make_app):
    return make_app(REGISTRATION_RATE_LIMIT="100000 per minute", LOGIN_RATE_LIMIT="100000 per minute")


@pytest.mark.parametrize("kind", list(HOSTILE))
def test_every_form_survives_hostile_values_in_every_field(app, make_records, sign_in, kind):
    records = make_records(app)
    client = app.test_client()
    problems, tried = [], 0
    for endpoint, rules in sorted(route_guards.write_rules(app).items()):
        if endpoint in {"auth.logout", "auth.sign_out_everywhere"}:
            continue  # no fields, and they end the session the sweep runs in
        for rule in sorted(rules):
            request = route_guards.WRITES[endpoint].requests[rule](records)
            if not request.data or request.content_type == "multipart/form-data":
                continue  # JSON is fuzzed through its description (test_openapi); uploads by their own tests
            for field in request.data:
                sign_in(client, records.users["admin"])
                hostile = route_guards.Request(request.url, {**request.data, field: HOSTILE[kind]})
                response = hostile.send(client)
                tried += 1
                if response.status_code >= 500:
                    problems.append(f"{rule} {field}: {response.status_code}")
    assert problems == []
    assert tried >= 60
