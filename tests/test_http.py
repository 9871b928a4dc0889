"""The HTTP edge: one error shape for every bad input, nothing changed by it, security headers."""

import pytest

from fusioncell.ledger.service import tree_size
from tests.support import bearer


def assert_error(response, status, code):
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["code"] == code
    assert error["message"]
    assert set(error) == {"code", "message", "details"}


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        (b"{not json", 422, "invalid"),
        (b'{"username": "a", "password": "\xff\xfe"}', 400, "bad_request"),
        (b'{"username": 5, "password": []}', 422, "invalid"),
        (b'{"username": "a", "password": "b", "admin": true}', 422, "invalid"),
        (b"[]", 422, "invalid"),
        (b"", 422, "invalid"),
    ],
    ids=["malformed", "bad-utf8", "wrong-types", "unknown-field", "not-an-object", "empty"],
)
def test_bad_bodies_get_a_4xx_and_change_nothing(client, db, body, status, code):
    before = tree_size(db)
    response = client.post("/api/v1/auth/login", content=body, headers={"content-type": "application/json"})
    assert_error(response, status, code)
    assert tree_size(db) == before  # not even a failed-login record: the request never reached the service


def test_oversized_bodies_are_refused_before_they_are_read(client, runtime, population):
    big = b'{"name": "' + b"x" * runtime.settings.max_body_bytes + b'"}'
    response = client.post(
        "/api/v1/tokens", content=big, headers={"content-type": "application/json"} | bearer(population.member("ISR"))
    )
    assert_error(response, 413, "payload_too_large")


def test_oversized_chunked_bodies_are_refused_too(client, runtime, population):
    def chunks():
        for _ in range(runtime.settings.max_body_bytes // 4096 + 2):
            yield b"x" * 4096

    response = client.post(
        "/api/v1/tokens",
        content=chunks(),
        headers={"content-type": "application/json"} | bearer(population.member("ISR")),
    )
    assert_error(response, 413, "payload_too_large")


def test_unknown_paths_and_methods_use_the_error_shape(client):
    assert_error(client.get("/api/v1/nothing-here"), 404, "not_found")
    assert_error(client.delete("/api/v1/me"), 405, "method_not_allowed")


def test_every_response_carries_security_headers_and_a_request_id(client):
    for path in ("/healthz", "/login", "/api/v1/openapi.json", "/api/v1/nothing"):
        response = client.get(path)
        csp = response.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "no-referrer"
        assert len(response.headers["x-request-id"]) >= 8


def test_a_sane_client_request_id_is_kept_and_a_hostile_one_replaced(client):
    assert (
        client.get("/healthz", headers={"x-request-id": "abc12345-trace"}).headers["x-request-id"] == "abc12345-trace"
    )
    assert (
        "<" not in client.get("/healthz", headers={"x-request-id": "<script>alert(1)</script>"}).headers["x-request-id"]
    )


def test_openapi_and_health(client):
    spec = client.get("/api/v1/openapi.json").json()
    for path in ("/api/v1/auth/login", "/api/v1/me", "/api/v1/ledger/checkpoint", "/api/v1/ledger/proof/inclusion"):
        assert path in spec["paths"]
    health = client.get("/healthz").json()
    assert health["status"] == "ok" and health["ledger_size"] > 0


def test_unexpected_errors_answer_500_without_a_trace(runtime):
    from fastapi.testclient import TestClient

    from fusioncell.app import create_app

    app = create_app(runtime, background=False)

    @app.get("/boom")
    def boom():
        raise RuntimeError("secret internal detail")

    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/boom")
    assert_error(response, 500, "internal")
    assert "secret internal detail" not in response.text and "Traceback" not in response.text
