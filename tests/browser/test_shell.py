"""Two parties in two browsers: each sees its own party in the top bar and only what it may read."""

import re

import httpx
import pytest

from fusioncell.demo import DEMO_PASSWORD
from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser


def test_isr_and_syr_each_see_their_own_party_and_records(browser, live_cell):
    isr, isr_console = log_in(browser, live_cell.base, "isr.liaison", DEMO_PASSWORD)
    syr, syr_console = log_in(browser, live_cell.base, "syr.liaison", DEMO_PASSWORD)

    assert isr.get_by_test_id("party").first.inner_text().startswith("ISR")
    assert syr.get_by_test_id("party").first.inner_text().startswith("SYR")
    assert "Israeli liaison officer" in isr.get_by_test_id("user").inner_text()

    # Account events are the party's own (and the mediator's): each sees its own logins, not the other's.
    isr.goto("/")
    syr.goto("/")
    isr_activity = isr.locator("section[aria-labelledby=activity-heading]").inner_text()
    syr_activity = syr.locator("section[aria-labelledby=activity-heading]").inner_text()
    assert "isr.liaison" in isr_activity and "syr.liaison" not in isr_activity
    assert "syr.liaison" in syr_activity and "isr.liaison" not in syr_activity
    # The record page lists only entries the party may read: SYR never sees ISR's bilateral talk
    # with the mediator (the demo's proposal in usa-isr), ISR does.
    token = httpx.post(
        f"{live_cell.base}/api/v1/auth/login", json={"username": "isr.liaison", "password": DEMO_PASSWORD}
    ).json()["token"]
    bilateral = httpx.get(
        f"{live_cell.base}/api/v1/messages?channel=usa-isr", headers={"Authorization": f"Bearer {token}"}
    ).json()["items"]
    proposal_message = next(m for m in bilateral if m["origin_party"] == "ISR")
    proposal = proposal_message["id"]
    # The page of the record that holds it (newer demo records push it off the first page).
    isr.goto(f"/ledger?before={proposal_message['ledger_index'] + 1}")
    syr.goto(f"/ledger?before={proposal_message['ledger_index'] + 1}")
    assert proposal in isr.content()
    assert proposal not in syr.content()

    # The ledger panel loads through htmx under the CSP.
    isr.goto("/")
    panel = isr.get_by_test_id("ledger-panel")
    panel.wait_for()
    assert re.search(r"\d+ entries", panel.inner_text())

    for page in (isr, syr):
        for path in (
            "/desks/intelligence",
            "/desks/deescalation",
            "/desks/diplomacy",
            "/desks/commerce",
            "/hotline",
            "/map",
            "/inbox",
            "/account/tokens",
        ):
            response = page.goto(path)
            assert response.status == 200, path
            assert page.get_by_test_id("topbar").is_visible()
    assert isr_console.problems == [] and syr_console.problems == []


def test_the_mediator_reads_both_parties_account_events(browser, live_cell):
    log_in(browser, live_cell.base, "isr.liaison", DEMO_PASSWORD)
    usa, console = log_in(browser, live_cell.base, "usa.mediator", DEMO_PASSWORD)
    usa.goto("/ledger")
    text = usa.content()
    assert "isr.liaison" in text and "usa.mediator" in text
    assert console.problems == []


def test_a_token_is_created_shown_once_and_revoked_in_the_ui(browser, live_cell):
    page, console = log_in(browser, live_cell.base, "syr.intel", DEMO_PASSWORD)
    page.goto("/account/tokens")
    page.fill("input[name=name]", "<b>analyst laptop</b>")
    page.click("form[action='/account/tokens'] button[type=submit]")
    secret = page.locator("code", has_text="fct_").first.inner_text()
    assert secret.startswith("fct_")
    assert page.locator("b", has_text="analyst laptop").count() == 0  # escaped, not rendered as markup
    page.goto("/account/tokens")
    assert secret not in page.content()  # shown once
    console.confirm = True
    page.locator("form[action$='/revoke'] button").first.click()
    page.wait_for_load_state()
    assert "revoked" in page.content().lower()
    assert console.problems == []


def test_logout_ends_the_session_and_pages_ask_for_login(browser, live_cell):
    page, _ = log_in(browser, live_cell.base, "fra.observer", DEMO_PASSWORD)
    page.locator("form[action='/logout'] button").click()
    page.wait_for_url(re.compile(r".*/login.*"))
    page.goto("/ledger")
    assert "/login" in page.url


def test_a_wrong_password_is_refused_in_the_page(browser, live_cell):
    context = browser.new_context(base_url=live_cell.base)
    page = context.new_page()
    page.goto("/login")
    page.fill("#username", "jor.observer")
    page.fill("#password", "not the password")
    page.click("button[type=submit]")
    assert "Wrong username or password" in page.get_by_role("alert").inner_text()
    assert page.input_value("#username") == "jor.observer"
