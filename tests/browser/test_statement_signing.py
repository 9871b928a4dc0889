"""Signing a joint statement from the browser, in headless Chromium on a cell of its own: version 2 of an
ISR–SYR statement awaits SYR's signature (ISR signed it with its key file); SYR's liaison opens it, is
asked for the password again, gets a clear error for a wrong one, signs with the right one, and the approval
panel shows SYR signed. The mediator then sees Publish. No CSP or script errors anywhere."""

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

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
