"""The webhooks page over HTTP: a party's admins add, list and disable its webhooks and read each one's
delivery log; the secret is shown once; everyone else is refused as the API refuses them; another
party's webhooks and deliveries are never shown; bad input changes nothing — on both databases."""

import re
import uuid

import pytest
from fastapi.testclient import TestClient
from markupsafe import escape
from sqlalchemy import select

from fusioncell.ledger.service import tree_size
from fusioncell.notifications.models import Delivery, Webhook
from fusioncell.notifications.scheduled import deliver_notifications
from tests.support import bearer
from tests.web.test_pages import HTML, csrf_of

MISSING = "01a2179d-0000-7000-8000-000000000000"
CLOSED = "http://127.0.0.1:9/nobody-listens"  # refused at once: a logged error, a pending retry


@pytest.fixture
def as_(browser):
    """Here a member's logged-in browser (tests/web/conftest.py)."""
    return browser


def page(browser: TestClient, path: str) -> str:
    response = browser.get(path, headers=HTML)
    assert response.status_code == 200, (path, response.status_code, response.text[:500])
    return response.text


def add(browser: TestClient, url: str, description: str = "ops room", kinds=(), csrf: str | None = None):
    token = csrf if csrf is not None else csrf_of(page(browser, "/webhooks"), "csrf_token")
    data = {"url": url, "description": description, "kinds": list(kinds), "csrf_token": token}
    return browser.post("/webhooks", data=data, headers=HTML, follow_redirects=False)


def added(browser: TestClient, url: str, **fields) -> tuple[str, str]:
    """Add a webhook through the page; its id and the page the creation answers with (the only one
    that shows the secret)."""
    response = add(browser, url, **fields)
    assert response.status_code == 201, response.text[:500]
    webhook_id = re.search(r'action="/webhooks/([0-9a-f-]{36})/disable"', response.text).group(1)
    return webhook_id, response.text


def secret_in(html: str) -> str | None:
    found = re.search(r'id="webhook-secret">([^<]+)<', html)
    return found.group(1) if found else None


def send(client, population, party: str = "SYR", **fields) -> dict:
    body = {"channel": "hotline", "body": "hello"} | fields
    response = client.post("/api/v1/messages", json=body, headers=bearer(population.member(party, "liaison")))
    assert response.status_code == 201, response.text
    return response.json()


def test_an_admin_adds_lists_and_disables_the_partys_webhooks(as_, db):
    isr = as_("isr.admin")
    assert '<a href="/webhooks"' in page(isr, "/")  # the top bar links the page for admins
    assert "Your party has no webhooks." in page(isr, "/webhooks")
    size = tree_size(db)

    webhook_id, shown = added(isr, "https://ops.isr.example/fusioncell", description="ISR ops room", kinds=["message"])
    secret = secret_in(shown)
    assert secret and secret.startswith("whsec_") and "it will not be shown again" in shown
    stored = db.get(Webhook, uuid.UUID(webhook_id))
    assert stored.party == "ISR" and stored.created_by == "isr.admin" and stored.secret == secret
    assert stored.kinds == ["message"] and stored.url == "https://ops.isr.example/fusioncell"
    assert tree_size(db) == size + 1  # its creation is recorded
    # Once: neither the page again nor the list shows it.
    again = page(isr, f"/webhooks/{webhook_id}")
    assert secret_in(again) is None and secret not in again
    listed = page(isr, "/webhooks")
    assert secret not in listed
    assert f'href="/webhooks/{webhook_id}"' in listed and "ISR ops room" in listed and "Active" in listed

    token = csrf_of(again, "csrf_token")
    disabled = isr.post(f"/webhooks/{webhook_id}/disable", data={"csrf_token": token}, follow_redirects=False)
    assert disabled.status_code == 303 and disabled.headers["location"] == f"/webhooks/{webhook_id}"
    db.expire_all()
    assert db.get(Webhook, uuid.UUID(webhook_id)).disabled_at is not None
    after = page(isr, f"/webhooks/{webhook_id}")
    assert "Disabled" in after and "Disable webhook" not in after
    assert tree_size(db) == size + 2
    # Disabling twice records once, as through the API.
    assert isr.post(f"/webhooks/{webhook_id}/disable", data={"csrf_token": token}).status_code == 200
    assert tree_size(db) == size + 2


def test_the_secret_travels_only_in_the_creating_response_which_no_cache_keeps(as_):
    isr = as_("isr.admin")
    response = add(isr, "https://ops.isr.example/fusioncell")
    assert response.status_code == 201 and secret_in(response.text).startswith("whsec_")
    assert response.headers["cache-control"] == "no-store" and "set-cookie" not in response.headers
    assert "whsec_" not in page(isr, "/webhooks")


def test_the_delivery_log_shows_attempts_status_and_next_retry(client, population, runtime, as_):
    isr = as_("isr.admin")
    webhook_id, _ = added(isr, CLOSED)
    assert "Nothing delivered yet" in page(isr, f"/webhooks/{webhook_id}")
    message = send(client, population, "SYR", precedence="flash")
    assert deliver_notifications(runtime).attempted == 1

    html = page(isr, f"/webhooks/{webhook_id}")
    [row] = re.findall(r'<tr id="delivery-[^"]+">(.*?)</tr>', html, re.S)
    assert f"#{message['ledger_index']} message" in row and "message-sent" in row
    assert '<span class="tag">pending</span>' in row and "ConnectError" in row and " ms)" in row
    assert len(re.findall(r"<time ", row)) == 3  # queued, next retry, the attempt
    assert "1 pending" in page(isr, "/webhooks")


def test_members_who_are_not_admins_are_refused_as_the_api_refuses_them(client, db, population, as_):
    isr_admin = as_("isr.admin")
    webhook_id, _ = added(isr_admin, "https://ops.isr.example/fusioncell")
    members = [population.member("ISR", role) for role in ("liaison", "officer:intelligence", "officer:deescalation")]
    browsers = [as_(member.username) for member in members]  # logging in is recorded too
    size = tree_size(db)
    for member, browser in zip(members, browsers, strict=True):
        role = member.role
        home = page(browser, "/")
        assert 'href="/webhooks"' not in home  # no link to a page it may not open
        token = csrf_of(home, "csrf_token")
        api = client.get(f"/api/v1/webhooks/{webhook_id}", headers=bearer(member))
        assert api.status_code == 403
        for method, path, data in (
            ("GET", "/webhooks", None),
            ("GET", f"/webhooks/{webhook_id}", None),
            ("POST", "/webhooks", {"url": "https://evil.example/", "csrf_token": token}),
            ("POST", f"/webhooks/{webhook_id}/disable", {"csrf_token": token}),
        ):
            response = browser.request(method, path, data=data, headers=HTML)
            assert response.status_code == api.status_code, (role, method, path)
            assert "ops.isr.example" not in response.text
    db.expire_all()
    assert tree_size(db) == size
    assert db.get(Webhook, uuid.UUID(webhook_id)).disabled_at is None
    assert db.execute(select(Webhook.url)).scalars().all() == ["https://ops.isr.example/fusioncell"]


def test_another_partys_webhooks_and_deliveries_are_never_shown(client, db, population, runtime, as_):
    """ISR's webhook and its delivery log, looked for by every other party's admin: absent from the list,
    and by id (page, older deliveries, disable) the very 404 of a webhook that does not exist."""
    isr = as_("isr.admin")
    webhook_id, _ = added(isr, CLOSED, description="ISR secret ops room")
    send(client, population, "SYR")
    deliver_notifications(runtime)
    [delivery_id] = db.execute(select(Delivery.id).where(Delivery.webhook_id == uuid.UUID(webhook_id))).scalars()
    assert str(delivery_id) in page(isr, f"/webhooks/{webhook_id}")

    for party in ("SYR", "USA", "FRA", "JOR", "UNDOF"):
        other = as_(population.member(party, "admin").username)
        listed = page(other, "/webhooks")
        assert webhook_id not in listed and "ISR secret ops room" not in listed and "nobody-listens" not in listed
        token = csrf_of(listed, "csrf_token")
        for method, suffix in (("GET", ""), ("GET", f"?before={MISSING}"), ("POST", "/disable")):
            data = {"csrf_token": token} if method == "POST" else None
            missing = other.request(method, f"/webhooks/{MISSING}{suffix}", data=data)
            hidden = other.request(method, f"/webhooks/{webhook_id}{suffix}", data=data)
            assert missing.status_code == hidden.status_code == 404, (party, method, suffix)
            assert hidden.content == missing.content
            shown = other.request(method, f"/webhooks/{webhook_id}{suffix}", data=data, headers=HTML)
            assert shown.status_code == 404 and "text/html" in shown.headers["content-type"]
            assert str(delivery_id) not in shown.text and "nobody-listens" not in shown.text
    db.expire_all()
    assert db.get(Webhook, uuid.UUID(webhook_id)).disabled_at is None  # no one else disabled it


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        ({"url": ""}, "Give the URL"),
        ({"url": "   "}, "Give the URL"),
        ({"url": "ftp://example.org/hook"}, "must start with http:// or https://"),
        ({"url": "javascript:alert(1)"}, "must start with http:// or https://"),
        ({"url": "not a url"}, "must start with http:// or https://"),
        ({"url": "https:///no-host"}, "must name a host"),
        ({"url": "http://user:pw@example.org/hook"}, "no credentials"),
        ({"url": "http://example.org/hook#part"}, "fragment"),
        ({"url": "http://example.org/" + "x" * 2000}, "Target URL"),
        ({"url": "http://example.org/hook", "description": "d" * 300}, "Description"),
        ({"url": "http://example.org/hook", "kinds": ["Message"]}, "not a record kind"),
        ({"url": "http://example.org/hook", "kinds": ["nonsense"]}, "no such record kind: nonsense"),
    ],
)
def test_bad_input_is_refused_on_the_page_and_changes_nothing(as_, db, fields, problem):
    isr = as_("isr.admin")
    size = tree_size(db)
    response = add(isr, **({"description": "typed"} | fields))
    assert response.status_code == 422
    assert "text/html" in response.headers["content-type"] and 'role="alert"' in response.text
    assert problem in response.text
    assert "whsec_" not in response.text
    # What was typed stays in the form, escaped.
    typed = {"description": "typed"} | fields
    assert f'name="url" required maxlength="2000" autocomplete="off" value="{escape(typed["url"])}"' in response.text
    assert f'value="{escape(typed["description"])}"' in response.text
    assert tree_size(db) == size
    assert db.execute(select(Webhook)).scalars().all() == []


def test_a_form_without_its_csrf_token_stores_nothing(as_, db):
    isr = as_("isr.admin")
    size = tree_size(db)
    assert add(isr, "https://ops.isr.example/fusioncell", csrf="").status_code == 403
    assert add(isr, "https://ops.isr.example/fusioncell", csrf="forged").status_code == 403
    assert tree_size(db) == size and db.execute(select(Webhook)).scalars().all() == []


def test_what_the_admin_typed_is_escaped(as_):
    isr = as_("isr.admin")
    webhook_id, shown = added(isr, "https://ops.isr.example/hook?a=1&b=<b>", description="<script>alert(1)</script>")
    for html in (shown, page(isr, "/webhooks")):
        assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert "<b>" not in html and "&amp;b=&lt;b&gt;" in html
    refused = add(isr, 'javascript:"><script>alert(2)</script>')
    assert refused.status_code == 422 and "<script>alert(2)</script>" not in refused.text
