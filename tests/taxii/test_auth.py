"""TAXII authentication: bearer tokens and HTTP Basic, the remembered password check, the lockout."""

import base64

from sqlalchemy import func, select

from fusioncell.access import service as access
from fusioncell.access.models import AccountEvent
from fusioncell.taxii import MEDIA_TYPE_TAXII
from tests.support import PASSWORD
from tests.taxii.stix import TAXII

COLLECTIONS = "/taxii2/api/collections/"


def basic(username: str, password: str) -> dict[str, str]:
    secret = base64.b64encode(f"{username}:{password}".encode()).decode()
    return {"Authorization": f"Basic {secret}", "Accept": TAXII}


def events(db, username: str, action: str) -> int:
    query = select(func.count()).where(AccountEvent.username == username, AccountEvent.action == action)
    return db.execute(query).scalar_one()


def assert_unauthorized(response) -> None:
    assert response.status_code == 401, response.text
    assert response.headers["content-type"] == MEDIA_TYPE_TAXII
    assert response.headers["www-authenticate"] == 'Basic realm="fusioncell"'
    assert response.json()["http_status"] == "401"


def test_no_or_bad_credentials_are_refused_with_a_basic_challenge(taxii):
    assert_unauthorized(taxii.get("/taxii2/", headers={"Accept": TAXII}))
    assert_unauthorized(taxii.get(COLLECTIONS, headers={"Accept": TAXII, "Authorization": "Bearer fct_nonsense"}))
    assert_unauthorized(taxii.get(COLLECTIONS, headers={"Accept": TAXII, "Authorization": "Basic !!!"}))
    assert_unauthorized(taxii.get(COLLECTIONS, headers={"Accept": TAXII, "Authorization": "Digest x"}))
    assert_unauthorized(taxii.get("/taxii2/api/nothing/", headers={"Accept": TAXII}))  # not even what is not there
    assert_unauthorized(taxii.delete("/taxii2/", headers={"Accept": TAXII}))


def test_bearer_and_taxii2_clients_token_scheme(taxii, population):
    member = population.member("ISR")
    for scheme in ("Bearer", "Token"):
        response = taxii.get(COLLECTIONS, headers={"Accept": TAXII, "Authorization": f"{scheme} {member.token}"})
        assert response.status_code == 200, response.text


def test_basic_checks_the_password_once_then_remembers_it(taxii, population, db):
    member = population.member("SYR")
    for _ in range(3):
        response = taxii.get(COLLECTIONS, headers=basic(member.username, PASSWORD))
        assert response.status_code == 200, response.text
        assert {c["alias"] for c in response.json()["collections"]} == {"usa-syr", "trilateral", "cell"}
    assert events(db, member.username, "login") == 1


def test_failed_basic_logins_are_recorded_and_lock_the_account(taxii, population, db, runtime):
    member = population.member("ISR", "officer:intelligence")
    limit = runtime.settings.login_max_failures
    for _ in range(limit):
        assert_unauthorized(taxii.get(COLLECTIONS, headers=basic(member.username, "wrong password here")))
    assert events(db, member.username, "login-failed") == limit
    locked = taxii.get(COLLECTIONS, headers=basic(member.username, PASSWORD))  # right, but too late
    assert locked.status_code == 429 and locked.headers["content-type"] == MEDIA_TYPE_TAXII
    assert events(db, member.username, "login") == 0


def test_a_disabled_account_is_refused_though_its_password_was_remembered(taxii, population, db):
    member = population.member("FRA")
    assert taxii.get(COLLECTIONS, headers=basic(member.username, PASSWORD)).status_code == 200
    access.disable_user(db, username=member.username, actor="test")
    db.commit()
    assert_unauthorized(taxii.get(COLLECTIONS, headers=basic(member.username, PASSWORD)))
    assert_unauthorized(taxii.get(COLLECTIONS, headers={"Accept": TAXII, "Authorization": f"Bearer {member.token}"}))
