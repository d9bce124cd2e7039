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


def checked(openapi: OpenAPI, response, body: bytes | None = None):
    """Validate the request that was sent and the response that came back against the description."""
    request = _Request(response.request, body)
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
                if status.startswith(("4", "5")) and "$ref" not in response:
                    assert "#/components/schemas/Error" in str(response["content"]["application/json"]), (
                        f"{method.upper()} {path} {status}"
                    )


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
    assert response.get_json() == {"status": "ok"}


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
    checked(openapi, response, sent)
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
    with pytest.raises(RequestValidationError):  # the client broke the contract, and the description says so
        openapi.validate_request(_Request(response.request, sent))
    openapi.validate_response(_Request(response.request, sent), WerkzeugOpenAPIResponse(response))
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "bad_request"


def test_a_missing_csrf_token_answers_400_when_csrf_is_on(make_app, openapi, registration_setup):  # noqa: F811
    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    activity_id = registration_setup.make_activity()
    refused, sent = post_json(client, create_url(activity_id), body_of(registration_setup))
    request = _Request(refused.request, sent)
    with pytest.raises(MissingRequiredParameter):  # the description requires the header
        openapi.validate_request(request)
    openapi.validate_response(request, WerkzeugOpenAPIResponse(refused))
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
