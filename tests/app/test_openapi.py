"""The JSON API is described at /api/openapi.json: the description is valid OpenAPI 3.1, names every JSON route
of the app and no other, matches the real answers (request and response, checked by openapi-core), and no request
generated from it (schemathesis) makes the server fail."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from openapi_core import OpenAPI
from openapi_core.contrib.werkzeug import WerkzeugOpenAPIRequest, WerkzeugOpenAPIResponse
from openapi_core.validation.request.exceptions import MissingRequiredParameter, RequestValidationError
from openapi_spec_validator import OpenAPIV31SpecValidator, validate

from app.api_docs import load_spec
from tests.events.conftest import campaign, registration_setup  # noqa: F401 (fixtures reused from events)

PHONE = "0912345678"
HTTP_METHODS = {"get", "put", "post", "delete", "patch"}


@pytest.fixture
def app(make_app):
    # A generous limit, so tests that register several times are not stopped; the rate-limit test builds its own.
    return make_app(REGISTRATION_RATE_LIMIT="1000 per minute")


@pytest.fixture(scope="module")
def openapi() -> OpenAPI:
    return OpenAPI.from_dict(load_spec())


def checked(openapi: OpenAPI, response, body: bytes | None = None, *, request_error: type | None = None):
    """Validate the request that was sent and the response that came back against the description. A request that
    breaks the description on purpose names the ``request_error`` that openapi-core must find in it."""
    request = _Request(response.request, body)
    if request_error is None:
        openapi.validate_request(request)
    else:
        with pytest.raises(request_error):
            openapi.validate_request(request)
    openapi.validate_response(request, WerkzeugOpenAPIResponse(response))
    return response


class _Request(WerkzeugOpenAPIRequest):
    # The app has read the request's body stream by now: hand openapi-core the bytes that were sent.
    def __init__(self, request, body: bytes | None):
        super().__init__(request)
        self._body = body

    @property
    def body(self) -> bytes | None:
        return self._body if self._body is not None else super().body


def json_routes(app) -> dict[str, set[str]]:
    """The app's JSON routes (every path with ``/api/``, and ``/healthz``) as OpenAPI paths with their methods."""
    routes: dict[str, set[str]] = {}
    for rule in app.url_map.iter_rules():
        if "/api/" in rule.rule or rule.rule == "/healthz":
            path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
            routes.setdefault(path, set()).update(m.lower() for m in rule.methods if m.lower() in HTTP_METHODS)
    return routes


def described_routes() -> dict[str, set[str]]:
    return {path: {m for m in item if m in HTTP_METHODS} for path, item in load_spec()["paths"].items()}


# --- the description itself ------------------------------------------------------------------------------------


def test_the_description_is_valid_openapi_3_1():
    spec = load_spec()
    validate(spec, cls=OpenAPIV31SpecValidator)
    assert spec["openapi"].startswith("3.1.")
    assert str(OpenAPI.from_dict(spec).version) == "OpenAPIV3.1"


def test_every_json_route_is_described_and_every_described_path_exists(app):
    routes, described = json_routes(app), described_routes()
    assert "/events/api/activities/{activity_id}/registrations" in routes  # the conversion works on real rules
    undescribed = {path: methods - described.get(path, set()) for path, methods in routes.items()}
    assert {path: methods for path, methods in undescribed.items() if methods} == {}, "add them to app/openapi.yaml"
    missing = {path: methods - routes.get(path, set()) for path, methods in described.items()}
    assert {path: methods for path, methods in missing.items() if methods} == {}, "no such route in the app"


def test_every_operation_describes_its_errors_with_the_shared_error_schema():
    for path, item in load_spec()["paths"].items():
        for method, operation in item.items():
            if method not in HTTP_METHODS:
                continue
            for status, response in operation["responses"].items():
                if path == "/healthz":
                    continue  # a load balancer reads the same Health body whatever the status (200 or 503)
                if status.startswith(("4", "5")) and "$ref" not in response:
                    assert "#/components/schemas/Error" in str(response["content"]["application/json"]), (
                        f"{method.upper()} {path} {status}"
                    )


def _with_examples(node, pointer=""):
    """(JSON pointer, object) of every parameter and media type in the description that has examples."""
    if isinstance(node, dict):
        if "schema" in node and ("example" in node or "examples" in node):
            yield pointer, node
        for key, value in node.items():
            yield from _with_examples(value, f"{pointer}/{str(key).replace('~', '~0').replace('/', '~1')}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _with_examples(value, f"{pointer}/{index}")


def test_every_example_matches_its_schema():
    from urllib.parse import quote

    from jsonschema import Draft202012Validator
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012

    spec = load_spec()
    registry = Registry().with_resource("urn:dxday-api", Resource.from_contents(spec, DRAFT202012))
    found = 0
    for pointer, node in _with_examples(spec):
        examples = [node["example"]] if "example" in node else [e["value"] for e in node["examples"].values()]
        validator = Draft202012Validator({"$ref": "urn:dxday-api#" + quote(pointer + "/schema")}, registry=registry)
        for example in examples:
            found += 1
            assert not list(validator.iter_errors(example)), f"{pointer}: {example!r}"
    assert found >= 4


# --- real answers, checked against the description -------------------------------------------------------------


def status_url(activity_id) -> str:
    return f"/events/api/activities/{activity_id}/registration"


def create_url(activity_id) -> str:
    return f"/events/api/activities/{activity_id}/registrations"


def body_of(setup, **changes) -> dict:
    return {
        "name": "Nguyễn Thị Bích",
        "phone": PHONE,
        "ward_id": setup.ward_id,
        "email": None,
        "consent": True,
    } | changes


def post_json(client, url, payload, **headers):
    """POST ``payload`` as JSON; returns the response and the exact bytes sent (for request validation)."""
    data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    response = client.post(url, data=data, content_type="application/json", headers=headers)
    return response, data


def csrf_token(client, activity_id) -> str:
    return client.get(status_url(activity_id)).get_json()["csrf_token"]


def test_the_document_describes_itself(client, openapi):
    response = checked(openapi, client.get("/api/openapi.json"))
    assert response.status_code == 200
    assert response.is_json
    assert response.get_json() == load_spec()
    assert "/api/openapi.json" in response.get_json()["paths"]


def test_healthz(client, openapi):
    response = checked(openapi, client.get("/healthz"))
    assert response.status_code == 200
    assert response.get_json() == {
        "status": "ok",
        "checks": {"database": {"status": "ok"}, "redis": {"status": "not_configured"}, "jobs": {"status": "ok"}},
    }


def test_healthz_without_a_database_answers_503_json(openapi, tmp_path, monkeypatch):
    from app import create_app
    from app.config import TestConfig

    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    config = {key: getattr(TestConfig, key) for key in dir(TestConfig) if key.isupper()}
    unreachable = "sqlite:///" + str(tmp_path / "no-such-folder" / "dxday.sqlite3")
    client = create_app({**config, "SQLALCHEMY_DATABASE_URI": unreachable}).test_client()
    response = checked(openapi, client.get("/healthz"))
    assert response.status_code == 503
    assert response.get_json()["status"] == "down" and response.get_json()["checks"]["database"]["status"] == "down"


def test_status_of_an_open_activity(client, openapi, registration_setup):  # noqa: F811
    activity_id = registration_setup.make_activity(capacity=5)
    response = checked(openapi, client.get(status_url(activity_id)))
    assert response.status_code == 200
    body = response.get_json()
    assert body["open"] is True and body["message"] is None
    assert (body["capacity"], body["seats_left"]) == (5, 5)
    assert body["csrf_token"]
    assert "session=" in response.headers.get("Set-Cookie", "")


def test_status_of_an_unknown_or_internal_activity_is_not_found(client, openapi, registration_setup):  # noqa: F811
    internal = registration_setup.make_activity(is_public=False)
    for activity_id in (999_999, internal):
        response = checked(openapi, client.get(status_url(activity_id)))
        assert response.status_code == 404
        assert response.get_json()["error"]["code"] == "not_found"


def test_a_registration_is_created_then_replayed_with_the_same_idempotency_key(client, openapi, registration_setup):  # noqa: F811
    activity_id = registration_setup.make_activity(capacity=1)
    key = "k" * 32
    headers = {"X-CSRFToken": csrf_token(client, activity_id), "Idempotency-Key": key}
    created, sent = post_json(client, create_url(activity_id), body_of(registration_setup), **headers)
    checked(openapi, created, sent)
    assert created.status_code == 201
    assert created.get_json()["status"] == "confirmed" and created.get_json()["position"] is None
    assert created.headers["X-RateLimit-Limit"] == "1000"

    replay, sent = post_json(client, create_url(activity_id), body_of(registration_setup), **headers)
    checked(openapi, replay, sent)
    assert replay.status_code == 200
    assert replay.get_json() == created.get_json()

    # A second person on a full activity waits, with a place in the queue.
    waiting, sent = post_json(
        client,
        create_url(activity_id),
        body_of(registration_setup, phone="0987654321"),
        **headers | {"Idempotency-Key": "w" * 40},
    )
    checked(openapi, waiting, sent)
    assert waiting.status_code == 201
    assert (waiting.get_json()["status"], waiting.get_json()["position"]) == ("waitlisted", 1)


def test_the_same_phone_without_a_key_is_already_registered(client, openapi, registration_setup):  # noqa: F811
    activity_id = registration_setup.make_activity()
    headers = {"X-CSRFToken": csrf_token(client, activity_id)}
    first, _ = post_json(client, create_url(activity_id), body_of(registration_setup), **headers)
    assert first.status_code == 201
    again, sent = post_json(client, create_url(activity_id), body_of(registration_setup), **headers)
    checked(openapi, again, sent)
    assert again.status_code == 409
    assert again.get_json()["error"]["code"] == "already_registered"


def test_invalid_fields_answer_422_with_a_message_per_field(client, openapi, registration_setup):  # noqa: F811
    activity_id = registration_setup.make_activity()
    headers = {"X-CSRFToken": csrf_token(client, activity_id)}
    payload = body_of(registration_setup, name="", phone="123", email="an@", consent=False)
    response, sent = post_json(client, create_url(activity_id), payload, **headers)
    checked(openapi, response, sent, request_error=RequestValidationError)  # the description says so too
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "invalid"
    assert set(error["fields"]) == {"name", "phone", "email", "consent"}


def test_an_unknown_ward_is_a_field_error(client, openapi, registration_setup):  # noqa: F811
    activity_id = registration_setup.make_activity()
    headers = {"X-CSRFToken": csrf_token(client, activity_id)}
    response, sent = post_json(client, create_url(activity_id), body_of(registration_setup, ward_id=999_999), **headers)
    checked(openapi, response, sent)
    assert response.status_code == 422
    assert list(response.get_json()["error"]["fields"]) == ["ward_id"]


def test_a_closed_registration_answers_409(client, openapi, registration_setup):  # noqa: F811
    past = datetime.now(UTC).replace(microsecond=0) - timedelta(days=1)
    activity_id = registration_setup.make_activity(starts_at=past)
    status = checked(openapi, client.get(status_url(activity_id))).get_json()
    assert status["open"] is False and status["message"]
    headers = {"X-CSRFToken": status["csrf_token"]}
    response, sent = post_json(client, create_url(activity_id), body_of(registration_setup), **headers)
    checked(openapi, response, sent)
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "registration_closed"


def test_registering_for_an_unknown_activity_is_not_found(client, openapi, registration_setup):  # noqa: F811
    headers = {"X-CSRFToken": "any: CSRF is off in TestConfig"}
    response, sent = post_json(client, create_url(999_999), body_of(registration_setup), **headers)
    checked(openapi, response, sent)
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("raw", [b"[1, 2]", b'"text"', b"null", b"not json", b"{"])
def test_a_body_that_is_not_a_json_object_answers_400(client, openapi, registration_setup, raw):  # noqa: F811
    activity_id = registration_setup.make_activity()
    headers = {"X-CSRFToken": csrf_token(client, activity_id)}
    response, sent = post_json(client, create_url(activity_id), raw, **headers)
    checked(openapi, response, sent, request_error=RequestValidationError)
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "bad_request"


def test_a_body_larger_than_allowed_answers_413(make_app, openapi, registration_setup):  # noqa: F811
    client = make_app(MAX_CONTENT_LENGTH=1024).test_client()
    activity_id = registration_setup.make_activity()
    payload = body_of(registration_setup, name="Bích" * 500)
    response, sent = post_json(client, create_url(activity_id), payload, **{"X-CSRFToken": "CSRF is off"})
    checked(openapi, response, sent, request_error=RequestValidationError)  # the name is too long as well
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "too_large"


def test_a_missing_csrf_token_answers_400_when_csrf_is_on(make_app, openapi, registration_setup):  # noqa: F811
    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    activity_id = registration_setup.make_activity()
    refused, sent = post_json(client, create_url(activity_id), body_of(registration_setup))
    checked(openapi, refused, sent, request_error=MissingRequiredParameter)  # the description requires the header
    assert refused.status_code == 400
    assert refused.get_json()["error"]["code"] == "csrf_failed"

    headers = {"X-CSRFToken": csrf_token(client, activity_id)}
    accepted, sent = post_json(client, create_url(activity_id), body_of(registration_setup), **headers)
    checked(openapi, accepted, sent)
    assert accepted.status_code == 201


def test_too_many_registrations_answer_429(make_app, openapi, registration_setup):  # noqa: F811
    app = make_app(REGISTRATION_RATE_LIMIT="2 per minute")
    client = app.test_client()
    activity_id = registration_setup.make_activity()
    headers = {"X-CSRFToken": csrf_token(client, activity_id)}
    answers = []
    for phone in ("0911111111", "0922222222", "0933333333"):
        response, sent = post_json(client, create_url(activity_id), body_of(registration_setup, phone=phone), **headers)
        answers.append(checked(openapi, response, sent))
    assert [a.status_code for a in answers] == [201, 201, 429]
    assert answers[2].get_json()["error"]["code"] == "rate_limited"
    assert int(answers[2].headers["Retry-After"]) > 0


# --- hostile inputs ------------------------------------------------------------------------------------------------
# The fuzz first found four bugs here (ids beyond the database's integers, NUL and lone surrogates in a name, phones
# in non-Latin digits: all 500s or wrong 201s); each case below now asserts the clear answer that replaced it.
INT4_MAX = 2**31 - 1  # activities.id is an INTEGER
INT8_MAX = 2**63 - 1  # SQLite's integers are 64-bit


VALID = object()  # stands for the open activity (in the path) or a valid registration (as the body)
HOSTILE = {
    # id: (method, activity id, body changes, statuses a client may get)
    "id-just-past-int4": ("GET", INT4_MAX + 1, None, {404}),
    "id-past-int8": ("GET", INT8_MAX + 1, None, {404}),
    "id-huge": ("GET", 10**40, None, {404}),
    "post-id-past-int8": ("POST", INT8_MAX + 1, {}, {404}),
    "id-zero": ("GET", 0, None, {404}),
    "id-negative": ("GET", "-1", None, {404}),
    "id-not-a-number": ("GET", "1e3", None, {404}),
    "name-nul": ("POST", VALID, {"name": "Nguyễn\x00Bích"}, {422}),
    "name-lone-surrogate": ("POST", VALID, {"name": "Nguyễn \ud800"}, {422}),
    "name-not-a-string": ("POST", VALID, {"name": {"nested": [1, [2, {"3": None}]]}}, {201, 422}),
    "name-very-long": ("POST", VALID, {"name": "Bích" * 10_000}, {422}),
    "phone-nul": ("POST", VALID, {"phone": "0912345678\x00"}, {422}),
    # Every script's digits are folded to 0-9 (app/text.py): the same phone, however typed, one registration.
    "phone-non-ascii-digits": ("POST", VALID, {"phone": "09\u0be8\u17e8\u09e8\u0f25\u1093\u09e9\u1817\u0be7"}, {201}),
    "email-nul": ("POST", VALID, {"email": "an\x00@example.vn"}, {422}),
    "email-lone-surrogate": ("POST", VALID, {"email": "a\udfffb@example.vn"}, {422}),
    "ward-huge": ("POST", VALID, {"ward_id": 10**40}, {422}),
    "ward-negative": ("POST", VALID, {"ward_id": -1}, {422}),
    "ward-float": ("POST", VALID, {"ward_id": 1e308}, {422}),
    "ward-true": ("POST", VALID, {"ward_id": True}, {422}),
    "consent-huge-number": ("POST", VALID, {"consent": 10**400}, {422}),  # only JSON true is consent
    "consent-string-false": ("POST", VALID, {"consent": "false"}, {422}),
    # Python's json refuses integers of more than 4,300 digits: the body is then not JSON at all.
    "number-of-5000-digits": ("POST", VALID, b'{"name": "An", "ward_id": 1' + b"0" * 5000 + b"}", {400}),
}


@pytest.mark.parametrize("case", list(HOSTILE))
def test_hostile_inputs_are_refused_not_crashed(app, client, openapi, registration_setup, case):  # noqa: F811
    method, activity_id, changes, statuses = HOSTILE[case]
    if activity_id is VALID:
        activity_id = registration_setup.make_activity()
    body = changes if changes is None or isinstance(changes, bytes) else body_of(registration_setup, **changes)
    if method == "GET":
        response = client.get(status_url(activity_id))
    else:
        # json.dumps writes lone surrogates as \ud800 escapes and a NUL as \u0000, as a client library would.
        response, _ = post_json(client, create_url(activity_id), body, **{"X-CSRFToken": "CSRF is off in TestConfig"})
    assert response.status_code < 500, response.get_json()
    assert response.status_code in statuses, response.get_json()
    if response.status_code >= 400:
        openapi.validate_response(_Request(response.request, b""), WerkzeugOpenAPIResponse(response))
        # The form's "invalid", or the service's own code for the one field it checks itself (the ward).
        assert response.get_json()["error"]["code"] in {"not_found", "invalid", "bad_request", "unknown_ward"}


# --- fuzz: requests generated from the description never make the server fail ------------------------------------

FUZZ_EXAMPLES = 50  # per operation and generation mode: enough to reach every branch, bounded for two backends
# Values a hostile or broken client may put in any field of the body, besides what schemathesis generates.
HOSTILE_VALUES = [
    "\x00",
    "Nguyễn\x00Bích",
    "\ud800",
    "\u202eBích",
    "𝔑𝔤𝔲𝔶ễ𝔫 🇻🇳",
    "' OR 1=1 --",
    "<script>alert(1)</script>",
    " " * 300,
    "9" * 5000,
    10**40,
    -(2**63),
    1e308,
    -0.0,
    True,
    None,
    [],
    {"nested": {"deeper": [None, {"deepest": 1}]}},
]


def test_generated_requests_never_make_the_server_fail(app, registration_setup):  # noqa: F811
    """schemathesis generates valid and invalid requests for every operation from the served description and sends
    them to the app in-process (CSRF off as in TestConfig, a generous rate limit), against a database holding an
    open activity and wards; half the registrations aim at that activity with a real ward and a real phone number so
    the fuzz gets past validation. No answer may be a server error, and every answer must be one the description
    allows (status and body)."""
    import schemathesis
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import strategies as st
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

    activity_id = registration_setup.make_activity(capacity=3)
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    checks = [not_a_server_error, status_code_conformance, response_schema_conformance]
    fuzz_settings = settings(
        max_examples=FUZZ_EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate, Phase.shrink],
        suppress_health_check=list(HealthCheck),
    )
    operations = [result.ok() for result in schema.get_all_operations()]
    described = {f"{method.upper()} {path}" for path, methods in described_routes().items() for method in methods}
    # schemathesis leaves out the document it was loaded from (checked by test_the_document_describes_itself).
    assert {op.label for op in operations} == described - {"GET /api/openapi.json"}
    fields = sorted(load_spec()["components"]["schemas"]["RegistrationRequest"]["properties"])
    phones = st.from_regex(r"\A(0[35789][0-9]{8}|\+84[35789][0-9]{8})\Z")
    for operation in operations:
        modes = [schemathesis.GenerationMode.POSITIVE]
        if any(operation.iter_parameters()) or len(operation.body):  # nothing to make invalid in GET /healthz
            modes.append(schemathesis.GenerationMode.NEGATIVE)
        for mode in modes:

            @fuzz_settings
            @given(
                case=operation.as_strategy(generation_mode=mode),
                aim=st.booleans(),
                phone=phones,
                hostile=st.none() | st.tuples(st.sampled_from(fields), st.sampled_from(HOSTILE_VALUES)),
            )
            def fuzz(case, aim, phone, hostile):
                if aim and "activity_id" in (case.path_parameters or {}):
                    case.path_parameters["activity_id"] = activity_id
                    if isinstance(case.body, dict):
                        case.body.update(ward_id=registration_setup.ward_id, phone=phone)
                        if hostile:
                            case.body[hostile[0]] = hostile[1]
                response = case.call()
                case.validate_response(response, checks=checks)

            fuzz()
