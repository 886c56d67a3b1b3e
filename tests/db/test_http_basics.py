"""Health check, OpenAPI, security headers and the API's refusal without a token."""

from __future__ import annotations

from fastapi.testclient import TestClient

from openiop.app import create_app
from openiop.config import Settings
from tests.conftest import TEST_SECRET


def test_healthz_reports_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_healthz_is_503_with_a_reason_when_the_database_is_unreachable():
    app = create_app(
        Settings(
            secret_key=TEST_SECRET,
            database_url="postgresql+psycopg://postgres@127.0.0.1:9/nowhere?connect_timeout=2",
        )
    )
    with TestClient(app) as unreachable:
        response = unreachable.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["database"] == "unreachable" and body["reason"]


def test_openapi_lists_the_api(client):
    spec = client.get("/openapi.json").json()
    assert spec["info"]["title"] == "OpenIOP"
    assert "/api/v1/me" in spec["paths"]
    assert not any(path.startswith("/login") for path in spec["paths"])


def test_api_without_a_token_is_401(client):
    for headers in (
        {},
        {"Authorization": "Bearer oiop_not-a-real-token"},
        {"Authorization": "Basic abc"},
    ):
        response = client.get("/api/v1/me", headers=headers)
        assert response.status_code == 401
        assert response.headers["www-authenticate"] == "Bearer"
        assert response.json()["error"] == "Sign-in required"


def test_pages_send_protective_headers(client):
    response = client.get("/login")
    assert response.headers["x-frame-options"] == "DENY"
    assert "default-src 'self'" in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"


def test_pages_redirect_to_sign_in_and_back(client):
    response = client.get("/audit?user=x", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/audit%3Fuser%3Dx"


def test_sign_in_never_redirects_off_site(client):
    page = client.get("/login?next=//evil.example.com/")
    assert 'name="next" value="/"' in page.text
