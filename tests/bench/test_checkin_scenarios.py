"""The check-in bench scenarios are accepted by the real app (CSRF on): the volunteer signs in through the form,
the redeem API admits the loaded tickets' signed tokens (201, verdict admitted), and the big screen answers."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from datetime import UTC, datetime

import pytest
from werkzeug.serving import make_server

from app.extensions import db
from bench import dataset
from bench.scenarios import Context, features
from bench.scenarios import checkin as bench_checkin


@pytest.fixture
def served(make_app, tmp_path, monkeypatch):
    app = make_app(WTF_CSRF_ENABLED=True)
    monkeypatch.setattr(bench_checkin, "TICKETS", 300)
    monkeypatch.setattr(bench_checkin, "KEYS_FOLDER", str(tmp_path / "instance" / "checkin-keys"))
    monkeypatch.setattr(bench_checkin, "TOKENS_FILE", str(tmp_path / "tokens.txt"))
    data = dataset.build(datetime.now(UTC), dataset.Size.small())
    with app.app_context():
        dataset.load(db.session, data)
        bench_checkin.load(db.session, Context("", 0, "", data))
        db.session.commit()
        url = str(db.engine.url.render_as_string(hide_password=False))
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield Context(f"http://127.0.0.1:{server.server_port}", server.server_port, url, data)
    server.shutdown()
    thread.join(timeout=5)


def send(ctx, scenario, token: str, n: int) -> tuple[int, bytes]:
    headers = dict(line.split(": ", 1) for line in scenario.headers.splitlines() if line)
    body = None
    if scenario.body is not None:
        body = scenario.body.replace("{token}", token).replace("{key}", f"bench-submission-key-09-{n:012d}").encode()
    request = urllib.request.Request(ctx.base + scenario.path, data=body, headers=headers, method=scenario.method)  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def test_the_checkin_feature_is_found_after_events():
    names = [feature.name for feature in features()]
    assert names.index("events") < names.index("checkin")


def test_every_checkin_scenario_gets_its_expected_status_from_the_app(served):
    screen, redeem = bench_checkin.scenarios(Context(served.base, served.port, served.database_url, served.data))
    assert (screen.ceiling, redeem.ceiling, redeem.connections) == ("/select", "/insert", 50)
    with open(redeem.tokens_file) as handle:
        tokens = handle.read().splitlines()  # base45 has spaces: one token a line
    assert len(tokens) == 300 and all(len(token) == 117 for token in tokens)
    status, page = send(served, screen, "", 0)
    assert status == 200 and "người đang ở bên trong" in page.decode()
    for n, token in enumerate(tokens[:3] + tokens[:1]):  # a booth admits every time: the same ticket again too
        status, body = send(served, redeem, token, n)
        assert status == 201, body[:300]
        assert json.loads(body)["scan"]["verdict"] == "admitted"
