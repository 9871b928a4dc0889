"""A missed acknowledgement deadline in real browsers: ISR sends a FLASH on the hotline, nobody from SYR
acknowledges it, and once the (drill-short) deadline passes the escalation appears on the mediator
supervisor's inbox, open since before the deadline, without a reload (the inbox is a live region: an
`escalation` event on the stream makes hotline.js re-fetch it). The escalation is the mediator's own
record, so SYR's inbox does not show it; the record holds it exactly once. No CSP or script errors."""

import re
import time
import uuid
from collections.abc import Iterator

import httpx
import pytest
import yaml
from playwright.sync_api import expect

from fusioncell.cell.loader import default_cell_path
from fusioncell.demo import DEMO_PASSWORD
from tests.browser.conftest import LiveCell, log_in, running_cell

pytestmark = pytest.mark.browser
DEADLINE_SECONDS = 3  # FLASH and IMMEDIATE; the cell's other deadlines stay as they are
LIVE = 20_000  # ms: deadline + timer tick + stream + region refresh, with room for a loaded machine


@pytest.fixture(scope="module")
def quick_cell(tmp_path_factory) -> Iterator[LiveCell]:
    """Like conftest's `live_cell`, but a drill cell: FLASH and IMMEDIATE must be acknowledged within
    a few seconds, and deadlines are checked every second. Its own process, so the shared cell keeps
    its normal deadlines."""
    home = tmp_path_factory.mktemp("escalation")
    definition = yaml.safe_load(default_cell_path().read_text(encoding="utf-8"))
    minutes = definition["deadlines"]["acknowledgement_minutes"]
    minutes["flash"] = minutes["immediate"] = DEADLINE_SECONDS / 60
    cell_path = home / "drill.yaml"
    cell_path.write_text(yaml.safe_dump(definition, allow_unicode=True, sort_keys=False), encoding="utf-8")
    with running_cell(home, "--cell", str(cell_path), DEADLINE_CHECK_SECONDS="1") as cell:
        yield cell


def api(base: str, username: str) -> httpx.Client:
    answer = httpx.post(f"{base}/api/v1/auth/login", json={"username": username, "password": DEMO_PASSWORD})
    assert answer.status_code == 200, answer.text
    return httpx.Client(base_url=base, headers={"Authorization": f"Bearer {answer.json()['token']}"}, timeout=10)


def ledger_entries(client: httpx.Client) -> list[dict]:
    entries, cursor = [], None
    while True:
        page = client.get("/api/v1/ledger/entries", params={"limit": 500} | ({"cursor": cursor} if cursor else {}))
        assert page.status_code == 200, page.text
        entries += page.json()["items"]
        cursor = page.json()["next_cursor"]
        if cursor is None:
            return entries


def test_an_unacknowledged_flash_escalates_live_to_the_mediator_supervisors_inbox(browser, quick_cell):
    supervisor, supervisor_console = log_in(browser, quick_cell.base, "usa.supervisor", DEMO_PASSWORD)
    syr, syr_console = log_in(browser, quick_cell.base, "syr.liaison", DEMO_PASSWORD)
    isr, isr_console = log_in(browser, quick_cell.base, "isr.liaison", DEMO_PASSWORD)

    # The supervisor's inbox is open before the message is even sent.
    supervisor.goto("/inbox")
    expect(supervisor.locator("#escalations-heading")).to_be_visible()
    supervisor.evaluate("window.__notReloaded = true")
    isr.goto("/hotline/hotline")

    text = f"Artillery fire reported near Quneitra, confirm your units hold fire ({uuid.uuid4().hex[:8]})."
    isr.fill("#composer-body", text)
    isr.select_option("#composer-precedence", "flash")
    sent_at = time.monotonic()
    isr.locator("form[data-composer] button[type=submit]").click()
    isr.wait_for_url(re.compile(r".*/hotline/hotline#msg-[0-9a-f-]+$"))
    message_id = isr.url.rsplit("#msg-", 1)[1]

    rows = supervisor.locator("[data-testid=inbox-escalations] tr.is-escalated")
    row = rows.filter(has=supervisor.locator(f'a[href$="#msg-{message_id}"]'))

    # The deadline passes; the supervisor's open inbox shows the escalation without a reload.
    expect(row).to_have_count(1, timeout=LIVE)
    assert supervisor.evaluate("window.__notReloaded") is True
    assert time.monotonic() - sent_at >= DEADLINE_SECONDS
    expect(row.locator("td strong.mono")).to_have_text("SYR")  # the party that stayed silent
    expect(row.locator(".precedence")).to_have_text("FLASH")
    expect(row.locator(".party-code")).to_have_text("ISR")
    expect(row.locator(".excerpt")).to_have_text(text)
    expect(row.locator("time.countdown")).to_have_text(re.compile(r"^overdue by [0-9:]+$"))
    expect(row.locator(".receipt.is-acked")).to_have_count(0)  # not acknowledged, even late

    # SYR, the silent party, still owes the acknowledgement but is shown no escalation: the
    # escalation is the mediator's record, readable by the mediator's party alone.
    syr.goto("/inbox")
    expect(syr.locator("[data-testid=inbox-acks] tr", has_text=text)).to_have_count(1)
    expect(syr.locator("#escalations-heading")).to_have_count(0)
    expect(syr.locator("[data-testid=inbox-escalations]")).to_have_count(0)

    # The record: exactly one escalation for the message and party, and one ledger entry for it;
    # neither the escalations endpoint nor the ledger shows it to SYR.
    with api(quick_cell.base, "usa.supervisor") as usa, api(quick_cell.base, "syr.liaison") as syr_api:
        time.sleep(2)  # two more deadline checks: a second escalation would show up here
        mine = [e for e in usa.get("/api/v1/escalations").json()["items"] if e["message_id"] == message_id]
        assert [e["party"] for e in mine] == ["SYR"]
        [escalation] = mine
        assert escalation["resolved_at"] is None
        assert usa.get(f"/api/v1/escalations/{escalation['id']}").status_code == 200
        recorded = [e for e in ledger_entries(usa) if e["kind"] == "escalation" and e["record_id"] == escalation["id"]]
        assert [(e["action"], e["index"]) for e in recorded] == [("escalated", escalation["ledger_index"])]

        assert syr_api.get("/api/v1/escalations").json()["items"] == []
        assert syr_api.get(f"/api/v1/escalations/{escalation['id']}").status_code == 404
        assert [e for e in ledger_entries(syr_api) if e["record_id"] == escalation["id"]] == []

    # Still one row on the supervisor's page after the later checks.
    expect(row).to_have_count(1)
    for console in (supervisor_console, syr_console, isr_console):
        assert console.problems == []
