"""The bench's scenarios come from one module per feature (bench/scenarios/<feature>.py): the runner finds them
without a list to edit, and the events feature's requests are accepted by the real app (with CSRF on), so a load
run measures successes, not error pages."""

from __future__ import annotations

import threading
import urllib.error
import urllib.request
from datetime import UTC, datetime

import pytest
from werkzeug.serving import make_server

from app.extensions import db
from bench import dataset, scenarios
from bench.scenarios import Check, Context, Feature, Scenario, features, register, selected


def test_features_are_found_by_module_with_events_first():
    found = features()
    assert found[0].name == "events"
    assert [check.name for check in found[0].checks] == ["race"]


@pytest.fixture
def demo_feature():
    feature = Feature(
        "demo",
        lambda ctx: [Scenario("demo big screen", "page", "GET", "/demo", "200")],
        checks=(Check("demo check", lambda ctx: ("demo ok", True)),),
    )
    register(feature)
    yield feature
    scenarios.FEATURES.pop("demo", None)


def test_a_feature_registers_itself_and_runs_after_events(demo_feature):
    names = [feature.name for feature in features()]
    assert names.index("events") < names.index("demo")
    ctx = Context("http://127.0.0.1:1", 1, "sqlite://", dataset.Dataset())
    (scenario,) = demo_feature.scenarios(ctx)
    assert (scenario.ceiling, scenario.expect) == ("/select", "200")
    with pytest.raises(ValueError, match="two bench features"):
        register(Feature("demo", lambda ctx: []))


def test_bench_scenarios_selects_by_a_word_of_the_name():
    assert selected("plan feed, 304", None)
    assert selected("plan feed, 304", frozenset({"feed"}))
    assert not selected("registration API POST", frozenset({"feed", "race"}))
    assert selected("race", frozenset({"feed", "race"}))


@pytest.fixture
def served(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    data = dataset.build(datetime.now(UTC), dataset.Size.small())
    with app.app_context():
        dataset.load(db.session, data)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield Context(f"http://127.0.0.1:{server.server_port}", server.server_port, "", data)
    server.shutdown()
    thread.join(timeout=5)


def _send(ctx: Context, scenario: Scenario, n: int) -> int:
    headers = dict(line.split(": ", 1) for line in scenario.headers.splitlines() if line)
    body = None
    if scenario.body is not None:
        phone = f"{scenario.phone_prefix}{n:08d}"
        body = scenario.body.replace("{phone}", phone).replace("{key}", f"test-key-{n:012d}").encode()
    request = urllib.request.Request(ctx.base + scenario.path, data=body, headers=headers, method=scenario.method)  # noqa: S310

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    try:
        with urllib.request.build_opener(NoRedirect).open(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_every_events_scenario_gets_its_expected_status_from_the_app(served):
    events = scenarios.FEATURES["events"] if "events" in scenarios.FEATURES else features()[0]
    plan = events.scenarios(served)
    assert len(plan) == 7
    assert served.notes and served.notes[0].startswith("Data: 40 units")
    for n, scenario in enumerate(plan):
        # twice: a registration scenario sends a new phone each time, a page answers the same again
        assert [_send(served, scenario, 2 * n + k) for k in (0, 1)] == [int(scenario.expect)] * 2, scenario.name
