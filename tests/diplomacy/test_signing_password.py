"""The password asked again before signing with a party's stored key is a login in all but name: each wrong
one is kept in the account's events and counts toward the same lockout as failed logins (so the form cannot
be used to guess a password), the statement is left exactly as it was, and once locked even the right
password is refused until the window passes, at the signing form and at the login alike."""

from fastapi.testclient import TestClient
from sqlalchemy import select

from fusioncell.access.models import AccountEvent
from tests.diplomacy.test_statements import _drafting_with_keys
from tests.support import PASSWORD
from tests.web.test_pages import HTML, browser_login, csrf_of

MAX_FAILURES = 5  # the default Settings.login_max_failures the test runtime uses


def failures(db, username: str) -> list[AccountEvent]:
    query = select(AccountEvent).where(AccountEvent.username == username, AccountEvent.action == "login-failed")
    return list(db.execute(query).scalars())


def stored_sign(client, as_, statement_id: str, password: str):
    body = {"version": 2, "password": password}
    return client.post(f"/api/v1/statements/{statement_id}/signatures/stored", json=body, headers=as_("SYR"))


def test_wrong_passwords_are_kept_and_lock_the_account_like_failed_logins(client, as_, db, population):
    statement, _ = _drafting_with_keys(client, as_)
    username = population.member("SYR").username
    before = client.get(f"/api/v1/statements/{statement['id']}", headers=as_("USA")).json()

    for attempt in range(MAX_FAILURES):
        refused = stored_sign(client, as_, statement["id"], f"guess {attempt}")
        assert refused.status_code == 403, refused.text
        assert "password is not right" in refused.json()["error"]["message"]
    kept = failures(db, username)
    assert len(kept) == MAX_FAILURES and all(e.detail == "password asked again before signed" for e in kept)
    assert all(e.ledger_index is not None for e in kept)  # each refusal entered the record

    locked = stored_sign(client, as_, statement["id"], PASSWORD)
    assert locked.status_code == 429 and "too many wrong passwords" in locked.json()["error"]["message"]
    login = client.post("/api/v1/auth/login", json={"username": username, "password": PASSWORD})
    assert login.status_code == 429  # the same lockout as the login's
    assert client.get(f"/api/v1/statements/{statement['id']}", headers=as_("USA")).json() == before


def test_the_signing_form_keeps_its_refusals_too(client, as_, db, population):
    statement, _ = _drafting_with_keys(client, as_)
    username = population.member("SYR").username
    page = TestClient(client.app)
    assert browser_login(page, username).status_code == 303
    before = client.get(f"/api/v1/statements/{statement['id']}", headers=as_("USA")).json()
    html = page.get(f"/statements/{statement['id']}", headers=HTML).text
    form = {"csrf_token": csrf_of(html, "csrf_token"), "version": "2", "password": "a guess"}

    refused = page.post(f"/statements/{statement['id']}/sign", data=form, headers=HTML)
    assert refused.status_code == 403 and "password is not right" in refused.text
    assert len(failures(db, username)) == 1
    assert client.get(f"/api/v1/statements/{statement['id']}", headers=as_("USA")).json() == before
