"""Signing a joint statement from the browser, in headless Chromium on a cell of its own: version 2 of an
ISR–SYR statement awaits SYR's signature (ISR signed it with its key file); SYR's liaison opens it, is
asked for the password again, gets a clear error for a wrong one, signs with the right one, and the approval
panel shows SYR signed. The mediator then sees Publish. No CSP or script errors anywhere."""

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import expect

from fusioncell.access.service import subject_for, user_by_name
from fusioncell.cell.loader import default_cell
from fusioncell.config import Settings
from fusioncell.db.session import Database
from fusioncell.demo import DEMO_PASSWORD
from fusioncell.diplomacy import service, signing
from fusioncell.diplomacy.keys import store_party_key
from tests.browser.conftest import LiveCell, log_in, running_cell
from tests.diplomacy import live_statements as live

pytestmark = pytest.mark.browser


@dataclass
class Seeded:
    cell: LiveCell
    statement_id: str
    syr_key_id: str


def seed(home: Path) -> tuple[str, str]:
    """Straight into the live cell's database (the server's var directory, so its key-encryption key): the
    statement at version 2, ISR's signature made outside the cell, SYR's key kept in the cell."""
    settings = Settings(var_dir=home / "var")
    cell = default_cell()
    database = Database(settings.resolved_database_url())
    try:
        with database.writing() as session:
            usa = subject_for(user_by_name(session, "usa.mediator"), cell)
            statement = service.draft_statement(
                session,
                cell=cell,
                subject=usa,
                title="Joint statement on the Quneitra crossing",
                required_parties=frozenset({"ISR", "SYR"}),
                texts={"en": "The crossing opens.\n\nMonthly meetings.", "ar": "يفتح المعبر.\n\nاجتماعات شهرية."},
            )
            version = service.revise_statement(
                session,
                cell=cell,
                subject=usa,
                statement_id=statement.id,
                texts={"en": "The crossing opens.\n\nWeekly meetings.", "ar": "يفتح المعبر.\n\nاجتماعات أسبوعية."},
                note="weekly",
            )
            isr_private, syr_private = signing.new_private_key(), signing.new_private_key()
            isr_key = store_party_key(
                session, cell=cell, party="ISR", actor="isr.admin", public_key=signing.public_key_of(isr_private)
            )
            syr_key = store_party_key(
                session,
                cell=cell,
                party="SYR",
                actor="syr.liaison",
                public_key=signing.public_key_of(syr_private),
                private_key=syr_private,
                settings=settings,
            )
            service.sign_statement(
                session,
                cell=cell,
                subject=subject_for(user_by_name(session, "isr.liaison"), cell),
                statement_id=statement.id,
                version=2,
                signature=signing.sign(isr_private, bytes.fromhex(version.canonical_sha256)),
                key_id=isr_key.key_id,
            )
            return str(statement.id), syr_key.key_id
    finally:
        database.dispose()


@pytest.fixture(scope="module")
def seeded(tmp_path_factory) -> Iterator[Seeded]:
    home = tmp_path_factory.mktemp("statements")
    with running_cell(home) as cell:
        statement_id, key_id = seed(home)
        yield Seeded(cell, statement_id, key_id)


def test_syr_signs_version_2_from_the_browser(browser, seeded):
    base = seeded.cell.base
    page, console = log_in(browser, base, "syr.liaison", DEMO_PASSWORD)
    page.goto("/statements")
    row = page.locator(f'tr[data-statement="{seeded.statement_id}"]')
    expect(row.locator('[data-party="SYR"]')).to_have_attribute("data-signed", "no")
    expect(row.locator('[data-party="ISR"]')).to_have_attribute("data-signed", "yes")
    row.get_by_role("link").click()
    page.wait_for_url(f"{base}/statements/{seeded.statement_id}")

    expect(page.get_by_test_id("statement-text")).to_have_attribute("data-version", "2")
    expect(page.locator('td[lang="ar"]').first).to_have_attribute("dir", "rtl")
    expect(page.get_by_test_id("diff-en").locator('tr[data-op="changed"]')).to_contain_text("Weekly meetings.")
    expect(page.get_by_test_id("approval-SYR")).to_contain_text("not signed")

    page.fill("#sign-password", "not the password")
    page.get_by_test_id("sign-submit").click()
    expect(page.get_by_test_id("sign-error")).to_contain_text("password is not right")
    expect(page.get_by_test_id("approval-SYR")).to_contain_text("not signed")
    # The refused form answers the service's 403, which Chromium logs as a failed load: that line and no other.
    assert console.problems == ["Failed to load resource: the server responded with a status of 403 (Forbidden)"]
    console.problems.clear()

    page.fill("#sign-password", DEMO_PASSWORD)
    page.get_by_test_id("sign-submit").click()
    page.wait_for_url(f"{base}/statements/{seeded.statement_id}")
    expect(page.get_by_test_id("approval-SYR")).to_have_text("signed")
    expect(page.locator('tr[data-party="SYR"]')).to_contain_text(seeded.syr_key_id)
    expect(page.get_by_test_id("form-sign")).to_have_count(0)
    assert console.problems == []

    mediator, mediator_console = log_in(browser, base, "usa.mediator", DEMO_PASSWORD)
    mediator.goto(f"/statements/{seeded.statement_id}")
    expect(mediator.get_by_test_id("form-publish")).to_be_visible()
    assert mediator.goto(f"/statements/{seeded.statement_id}/print").status == 200
    expect(mediator.get_by_test_id("approvals").locator('tr[data-state="signed"]')).to_have_count(2)
    assert mediator_console.problems == []


def test_done_when_usa_drafts_isr_signs_with_its_key_file_syr_in_the_browser_and_the_bundle_verifies(
    browser, tmp_path_factory
):
    """The issue's whole story on one live cell: USA drafts and revises; ISR signs version 2 with
    `fusioncell statement sign` and a key file; SYR signs version 2 here, in Chromium, with its password
    asked again; USA publishes; `fusioncell statement verify` accepts the bundle and refuses it tampered."""
    home = tmp_path_factory.mktemp("statement-done-when")
    env = {"FUSIONCELL_VAR_DIR": str(home / "var"), "FUSIONCELL_DATABASE_URL": ""}
    with running_cell(home) as cell, httpx.Client(base_url=cell.base, timeout=30) as client:
        usa, isr = live.login(cell.base, "usa.mediator"), live.login(cell.base, "isr.liaison")
        key_file = home / "isr.key"
        made = live.fusioncell("statement", "keygen", "--out", str(key_file))
        assert made.returncode == 0, made.stderr
        isr_key = {"public_key": made.stdout.strip()}
        assert client.post("/api/v1/party-keys", json=isr_key, headers=live.login(cell.base, "isr.admin")).is_success
        added = live.fusioncell(
            "user", "add", "syr.keys", "--party", "SYR", "--role", "admin", "--password", DEMO_PASSWORD, env=env
        )
        assert added.returncode == 0, added.stderr
        syr_private = signing.new_private_key()
        syr_public = signing.public_key_of(syr_private)
        syr_key = {"public_key": signing.b64(syr_public), "private_key": signing.b64(syr_private)}
        assert client.post("/api/v1/party-keys", json=syr_key, headers=live.login(cell.base, "syr.keys")).is_success

        body = {"title": "Joint statement on the Quneitra crossing", "required_parties": ["ISR", "SYR"]}
        body["texts"] = {"en": "The crossing opens on Sunday.\n\nThe parties meet monthly."}
        drafted = client.post("/api/v1/statements", json=body, headers=usa)
        assert drafted.status_code == 201, drafted.text
        statement_id = drafted.json()["id"]
        revision = {"texts": {"en": "The crossing opens on Sunday.\n\nThe parties meet weekly."}}
        revised = client.post(f"/api/v1/statements/{statement_id}/versions", json=revision, headers=usa)
        assert revised.status_code == 201 and revised.json()["number"] == 2, revised.text

        signed = live.cli_sign(cell.base, isr, statement_id, 2, key_file)
        assert signed.returncode == 0, signed.stderr

        page, console = log_in(browser, cell.base, "syr.liaison", DEMO_PASSWORD)
        page.goto(f"/statements/{statement_id}")
        expect(page.get_by_test_id("statement-text")).to_have_attribute("data-version", "2")
        expect(page.get_by_test_id("approval-ISR")).to_have_text("signed")
        page.fill("#sign-password", DEMO_PASSWORD)
        page.get_by_test_id("sign-submit").click()
        page.wait_for_url(f"{cell.base}/statements/{statement_id}")
        expect(page.get_by_test_id("approval-SYR")).to_have_text("signed")
        assert console.problems == []

        published = client.post(f"/api/v1/statements/{statement_id}/publish", headers=usa)
        assert published.status_code == 200 and published.json()["published_version"] == 2, published.text
        bundle = live.published_bundle(client, isr, statement_id)
        vkey = client.get("/api/v1/ledger/key").text.strip()

    assert {s["party"] for s in bundle["signatures"]} == {"ISR", "SYR"}
    accepted = live.verify(home, bundle, vkey, "bundle")
    assert accepted.returncode == 0 and "verified" in accepted.stdout, accepted.stderr
    live.assert_tampering_fails(home, bundle, vkey)
