"""Logins, the caller, tokens: over the API, with failures recorded and throttled."""

import uuid

from sqlalchemy import select

from fusioncell.access.models import AccountEvent, ApiToken
from tests.support import PASSWORD, bearer


def login(client, username, password=PASSWORD):
    return client.post("/api/v1/auth/login", json={"username": username, "password": password})


def test_login_gives_a_token_that_says_who_i_am(client, population):
    response = login(client, "isr.liaison")
    assert response.status_code == 200
    body = response.json()
    assert body["token"].startswith("fct_") and isinstance(body["ledger_index"], int)
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {body['token']}"}).json()
    assert me["username"] == "isr.liaison"
    assert me["party"] == {"code": "ISR", "name": "Israel", "role": "principal"}
    assert me["roles"] == ["liaison"]


def test_wrong_password_and_unknown_user_answer_alike_and_are_recorded(client, db):
    wrong = login(client, "isr.liaison", "not the password")
    unknown = login(client, "nobody.here", "not the password")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()
    actions = db.execute(
        select(AccountEvent.username, AccountEvent.origin_party).where(AccountEvent.action == "login-failed")
    ).all()
    assert ("isr.liaison", "ISR") in actions
    assert ("nobody.here", "USA") in actions  # an unknown name's failure is the cell operator's to read


def test_logins_are_throttled_after_repeated_failures(client, runtime):
    for _ in range(runtime.settings.login_max_failures):
        assert login(client, "syr.liaison", "wrong password").status_code == 401
    throttled = login(client, "syr.liaison")  # even the right password waits now
    assert throttled.status_code == 429
    assert throttled.json()["error"]["code"] == "throttled"
    assert login(client, "isr.liaison").status_code == 200  # other accounts are unaffected


def test_tokens_are_created_listed_revoked_and_stored_hashed(client, db, population):
    member = population.member("SYR", "liaison")
    created = client.post("/api/v1/tokens", json={"name": "analysis laptop"}, headers=bearer(member))
    assert created.status_code == 201
    token = created.json()
    assert token["secret"].startswith("fct_") and token["ledger_index"] is not None
    stored = db.get(ApiToken, uuid.UUID(token["id"]))
    assert token["secret"] not in stored.secret_hash
    listed = client.get("/api/v1/tokens", headers=bearer(member)).json()["items"]
    assert token["id"] in {t["id"] for t in listed}
    assert all("secret" not in t for t in listed)
    new_headers = {"Authorization": f"Bearer {token['secret']}"}
    assert client.get("/api/v1/me", headers=new_headers).status_code == 200
    revoked = client.post(f"/api/v1/tokens/{token['id']}/revoke", headers=bearer(member))
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    assert client.get("/api/v1/me", headers=new_headers).status_code == 401


def test_a_party_cannot_revoke_or_see_another_users_token(client, population):
    owner, other = population.member("SYR", "liaison"), population.member("ISR", "liaison")
    token = client.post("/api/v1/tokens", json={"name": "x"}, headers=bearer(owner)).json()
    response = client.post(f"/api/v1/tokens/{token['id']}/revoke", headers=bearer(other))
    missing = client.post(f"/api/v1/tokens/{'0' * 8}-0000-7000-8000-{'0' * 12}/revoke", headers=bearer(other))
    assert response.status_code == missing.status_code == 404
    assert response.json() == missing.json()
    assert token["id"] not in {t["id"] for t in client.get("/api/v1/tokens", headers=bearer(other)).json()["items"]}


def test_bad_credentials_and_schemes_are_401(client):
    for headers in ({"Authorization": "Bearer fct_nope"}, {"Authorization": "Basic abc"}, {}):
        response = client.get("/api/v1/me", headers=headers)
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "unauthenticated"


def test_a_disabled_user_loses_tokens_and_cannot_log_in(client, db, population):
    from fusioncell.access.service import disable_user

    member = population.member("JOR", "observer")
    disable_user(db, username=member.username, actor="test")
    db.commit()
    assert client.get("/api/v1/me", headers=bearer(member)).status_code == 401
    assert login(client, member.username).status_code == 401


def test_the_password_is_checked_before_the_login_takes_a_write_slot(client, runtime, monkeypatch):
    """Argon2 takes up to a second under load: while it runs, a login must hold no write slot (on SQLite the
    write gate has one, so a login inside it stalled every other write of the process; found by bench/load.py)."""
    from fusioncell.access import service
    from tests.web.test_pages import browser_login

    free_slots = []
    checked = service.verify_password

    def watching(password_hash, password):
        gate = runtime.write_gate()
        free_slots.append(gate._value)  # asyncio.Semaphore: how many slots are free right now
        return checked(password_hash, password)

    monkeypatch.setattr(service, "verify_password", watching)
    assert login(client, "isr.liaison").status_code == 200
    assert login(client, "isr.liaison", "not the password").status_code == 401
    assert browser_login(client, "syr.liaison").status_code == 303
    capacity = 1 if runtime.database.is_sqlite else 8
    assert free_slots == [capacity] * 3
