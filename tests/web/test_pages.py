"""The web shell over HTTP: login with its CSRF double-submit, CSRF on every form, escaping, redirects."""

import re

import pytest
from fastapi.testclient import TestClient

from fusioncell.access.dependencies import SESSION_COOKIE
from tests.support import PASSWORD

PAGES = [
    "/",
    "/desks/intelligence",
    "/desks/deescalation",
    "/desks/diplomacy",
    "/desks/commerce",
    "/hotline",
    "/map",
    "/inbox",
    "/ledger",
    "/ledger/panel",
    "/account/tokens",
]
HTML = {"accept": "text/html"}


def csrf_of(html: str, name: str) -> str:
    return re.search(rf'name="{name}" value="([^"]+)"', html).group(1)


def browser_login(client: TestClient, username: str, password: str = PASSWORD, next_path: str = "/"):
    form = client.get(f"/login?next={next_path}")
    return client.post(
        "/login",
        data={
            "username": username,
            "password": password,
            "login_csrf": csrf_of(form.text, "login_csrf"),
            "next": next_path,
        },
        follow_redirects=False,
    )


@pytest.mark.parametrize("path", PAGES)
def test_pages_send_strangers_to_the_login_page(client, path):
    response = client.get(path, headers=HTML, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?next=")


def test_login_sets_a_strict_httponly_session_cookie_and_every_page_renders(client):
    response = browser_login(client, "syr.liaison")
    assert response.status_code == 303 and response.headers["location"] == "/"
    cookie = response.headers["set-cookie"]
    assert SESSION_COOKIE in cookie and "HttpOnly" in cookie and "SameSite=strict" in cookie
    for path in PAGES:
        page = client.get(path, headers=HTML)
        assert page.status_code == 200, path
        assert "<script>" not in page.text  # no inline script anywhere
    assert "SYR" in client.get("/", headers=HTML).text


def test_a_login_form_posted_without_its_double_submit_token_is_refused(client):
    response = client.post("/login", data={"username": "isr.liaison", "password": PASSWORD, "login_csrf": "forged"})
    assert response.status_code == 403
    assert SESSION_COOKIE not in response.headers.get("set-cookie", "")


def test_a_wrong_password_shows_the_form_again(client):
    response = browser_login(client, "isr.liaison", "wrong password")
    assert response.status_code == 401
    assert "Wrong username or password" in response.text
    assert 'value="isr.liaison"' in response.text


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)"])
def test_the_next_parameter_never_redirects_off_site(client, target):
    response = browser_login(client, "isr.liaison", next_path=target)
    assert response.status_code == 303 and response.headers["location"] == "/"


def test_forms_without_the_csrf_token_are_refused_and_change_nothing(client):
    browser_login(client, "isr.liaison")
    page = client.get("/account/tokens", headers=HTML).text
    refused = client.post("/account/tokens", data={"name": "forged"}, headers=HTML)
    assert refused.status_code == 403
    assert "forged" not in client.get("/account/tokens", headers=HTML).text
    accepted = client.post("/account/tokens", data={"name": "real", "csrf_token": csrf_of(page, "csrf_token")})
    assert accepted.status_code == 200 and "fct_" in accepted.text


def test_user_content_is_escaped(client):
    browser_login(client, "isr.liaison")
    token = csrf_of(client.get("/account/tokens", headers=HTML).text, "csrf_token")
    client.post("/account/tokens", data={"name": "<script>alert(1)</script>", "csrf_token": token})
    page = client.get("/account/tokens", headers=HTML).text
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_logout_ends_the_session(client):
    browser_login(client, "isr.liaison")
    token = csrf_of(client.get("/", headers=HTML).text, "csrf_token")
    assert client.post("/logout", data={"csrf_token": token}, follow_redirects=False).status_code == 303
    assert client.get("/ledger", headers=HTML, follow_redirects=False).status_code == 303


def test_errors_on_pages_are_pages_and_on_the_api_json(client):
    browser_login(client, "isr.liaison")
    page = client.get("/desks/nowhere", headers=HTML)
    assert page.status_code == 404 and "text/html" in page.headers["content-type"] and "Not found" in page.text
    api = client.get("/api/v1/nothing", headers=HTML)
    assert api.status_code == 404 and api.json()["error"]["code"] == "not_found"


def test_the_api_docs_load_only_vendored_files(client):
    html = client.get("/docs").text
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in html
    assert "http://" not in html and "https://" not in html
    assert client.get("/static/vendor/swagger-ui/swagger-ui-bundle.js").status_code == 200
    assert client.get("/static/vendor/htmx/htmx.min.js").status_code == 200
