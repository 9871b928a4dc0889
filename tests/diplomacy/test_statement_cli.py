"""The "done when" of joint statements, against a real `fusioncell serve` on each backend: the mediator
drafts and revises, Israel signs with `fusioncell statement sign` and a key file, Syria signs from the
browser's path through the API (the key stored in the cell, the password asked again), the mediator publishes,
and `fusioncell statement verify` accepts the bundle offline and rejects it once anything in it is changed.
The same story with Syria signing in Chromium is tests/browser/test_statement_signing.py."""

import httpx

from fusioncell.demo import DEMO_PASSWORD
from fusioncell.diplomacy import signing
from tests.diplomacy.live_statements import (
    assert_tampering_fails,
    cli_sign,
    fusioncell,
    login,
    published_bundle,
    stored_sign,
    verify,
)
from tests.taxii.live import live_taxii_cell

TEXTS_1 = {
    "en": "The parties reaffirm the ceasefire.\n\nThey will meet in Amman.",
    "ar": "يؤكد الطرفان وقف إطلاق النار.",
}
TEXTS_2 = TEXTS_1 | {"en": "The parties reaffirm the ceasefire.\n\nThey will meet in Paris on 2 December."}
SYR_KEY_ADMIN = "syr.keys"


def test_done_when_draft_revise_sign_two_ways_publish_and_verify_offline(tmp_path, fresh_url):
    database_url = "" if fresh_url.startswith("sqlite") else fresh_url
    env = {"FUSIONCELL_VAR_DIR": str(tmp_path / "var"), "FUSIONCELL_DATABASE_URL": database_url}
    with live_taxii_cell(tmp_path, database_url) as cell, httpx.Client(base_url=cell.base, timeout=30) as client:
        added = fusioncell(
            "user", "add", SYR_KEY_ADMIN, "--party", "SYR", "--role", "admin", "--password", DEMO_PASSWORD, env=env
        )
        assert added.returncode == 0, added.stderr
        usa, isr, syr = (
            login(cell.base, "usa.mediator"),
            login(cell.base, "isr.liaison"),
            login(cell.base, "syr.liaison"),
        )

        # Israel's key lives in a file it holds; Syria keeps its key in the cell to sign from the browser.
        key_file = tmp_path / "isr.key"
        made = fusioncell("statement", "keygen", "--out", str(key_file))
        assert made.returncode == 0, made.stderr
        assert key_file.stat().st_mode & 0o777 == 0o600
        isr_public = made.stdout.strip()
        registered = client.post(
            "/api/v1/party-keys", json={"public_key": isr_public}, headers=login(cell.base, "isr.admin")
        )
        assert registered.status_code == 201, registered.text
        syr_private = signing.new_private_key()
        syr_key = {
            "public_key": signing.b64(signing.public_key_of(syr_private)),
            "private_key": signing.b64(syr_private),
        }
        assert (
            client.post("/api/v1/party-keys", json=syr_key, headers=login(cell.base, SYR_KEY_ADMIN)).status_code == 201
        )

        body = {"title": "Joint statement on the ceasefire", "required_parties": ["ISR", "SYR"], "texts": TEXTS_1}
        drafted = client.post("/api/v1/statements", json=body, headers=usa)
        assert drafted.status_code == 201, drafted.text
        statement_id = drafted.json()["id"]

        # Israel approves version 1; a revision voids it, and the statement waits for Israel again.
        signed_v1 = cli_sign(cell.base, isr, statement_id, 1, key_file)
        assert signed_v1.returncode == 0, signed_v1.stderr
        revised = client.post(f"/api/v1/statements/{statement_id}/versions", json={"texts": TEXTS_2}, headers=usa)
        assert revised.status_code == 201 and revised.json()["number"] == 2
        stale = cli_sign(cell.base, isr, statement_id, 1, key_file)
        assert stale.returncode == 1 and "not the latest" in stale.stderr
        assert stored_sign(client, syr, statement_id, 2).status_code == 201
        waiting = client.post(f"/api/v1/statements/{statement_id}/publish", headers=usa)
        assert waiting.status_code == 409 and waiting.json()["error"]["details"]["missing"] == ["ISR"]

        signed_v2 = cli_sign(cell.base, isr, statement_id, 2, key_file)
        assert signed_v2.returncode == 0, signed_v2.stderr
        published = client.post(f"/api/v1/statements/{statement_id}/publish", headers=usa)
        assert published.status_code == 200 and published.json()["published_version"] == 2, published.text

        bundle = published_bundle(client, syr, statement_id)
        vkey = client.get("/api/v1/ledger/key").text.strip()

    # The cell is gone: the bundle is checked with nothing but itself and the cell's verifier key.
    accepted = verify(tmp_path, bundle, vkey, "bundle")
    assert accepted.returncode == 0, accepted.stderr
    assert "verified" in accepted.stdout

    assert_tampering_fails(tmp_path, bundle, vkey)


def test_keygen_never_overwrites_a_key(tmp_path):
    key_file = tmp_path / "party.key"
    assert fusioncell("statement", "keygen", "--out", str(key_file)).returncode == 0
    before = key_file.read_bytes()
    again = fusioncell("statement", "keygen", "--out", str(key_file))
    assert again.returncode == 1 and key_file.read_bytes() == before


def test_verify_refuses_what_is_not_a_bundle(tmp_path):
    path = tmp_path / "nonsense.json"
    path.write_text("[1, 2]", encoding="utf-8")
    refused = fusioncell("statement", "verify", str(path))
    assert refused.returncode == 1 and "not a JSON object" in refused.stderr
