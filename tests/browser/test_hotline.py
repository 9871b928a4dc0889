"""The hotline in real browsers: a FLASH from ISR appears on SYR's open conversation without a reload
(the live stream), SYR acknowledges with a click, and the mediator's open page shows the message and the
acknowledgement; Arabic lays out right-to-left inside the left-to-right page. No CSP or script errors."""

import re
import uuid

import pytest
from playwright.sync_api import expect

from fusioncell.demo import DEMO_PASSWORD
from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser
LIVE = 15_000  # ms: the stream delivers within about a second; leave room for a loaded machine


def open_conversation(page, path="/hotline/hotline"):
    page.goto(path)
    # The page says when it is live; a message sent before that would still arrive (the stream
    # resumes from the page's ledger position), but waiting keeps the test about live delivery.
    expect(page.locator("[data-live-status]")).to_have_attribute("data-state", "live", timeout=LIVE)
    page.evaluate("window.__notReloaded = true")


def test_a_flash_arrives_live_is_acknowledged_by_click_and_the_mediator_sees_both(browser, live_cell):
    isr, isr_console = log_in(browser, live_cell.base, "isr.liaison", DEMO_PASSWORD)
    syr, syr_console = log_in(browser, live_cell.base, "syr.liaison", DEMO_PASSWORD)
    usa, usa_console = log_in(browser, live_cell.base, "usa.mediator", DEMO_PASSWORD)
    open_conversation(syr)
    open_conversation(usa)

    text = f"Two UAVs crossing Line Alpha near Hader, heading east ({uuid.uuid4().hex[:8]})."
    isr.goto("/hotline/hotline")
    isr.fill("#composer-body", text)
    isr.select_option("#composer-precedence", "flash")
    isr.locator("form[data-composer] button[type=submit]").click()
    isr.wait_for_url(re.compile(r".*/hotline/hotline#msg-[0-9a-f-]+$"))
    message_id = isr.url.rsplit("#msg-", 1)[1]

    # SYR's page, opened before the message was sent, shows it without a reload.
    article = syr.locator(f"#msg-{message_id}")
    expect(article).to_be_visible(timeout=LIVE)
    expect(article.locator(".message-body")).to_have_text(text)
    expect(article.locator(".precedence")).to_have_text("FLASH")
    expect(article.locator("time.countdown").first).to_have_text(re.compile(r"^[0-9:]+ left$"))
    assert syr.evaluate("window.__notReloaded") is True

    article.get_by_role("button", name=re.compile("^Acknowledge")).click()
    expect(syr.locator(f"#msg-{message_id} .receipt.is-acked")).to_contain_text("Acknowledged by SYR")
    expect(syr.locator(f"#msg-{message_id} .ack-box")).to_have_count(0)
    assert syr.evaluate("window.__notReloaded") is True

    # The mediator's page, open all along: the message, then SYR's acknowledgement, both live.
    on_usa = usa.locator(f"#msg-{message_id}")
    expect(on_usa.locator(".message-body")).to_have_text(text, timeout=LIVE)
    expect(usa.locator(f"#msg-{message_id} .receipt.is-acked")).to_contain_text("SYR", timeout=LIVE)
    assert usa.evaluate("window.__notReloaded") is True
    # And the sender's side sees it too, after its redirect to the conversation.
    expect(isr.locator(f"#msg-{message_id} .receipt.is-acked")).to_contain_text("SYR", timeout=LIVE)

    for console in (isr_console, syr_console, usa_console):
        assert console.problems == []


def test_arabic_reads_right_to_left_inside_the_left_to_right_page(browser, live_cell):
    syr, syr_console = log_in(browser, live_cell.base, "syr.liaison", DEMO_PASSWORD)
    isr, isr_console = log_in(browser, live_cell.base, "isr.liaison", DEMO_PASSWORD)
    open_conversation(isr)
    arabic = f"تحرك بري غرب خان أرنبة. يرجى التوضيح {uuid.uuid4().hex[:6]}"
    syr.goto("/hotline/hotline")
    syr.fill("#composer-body", arabic)
    syr.locator("form[data-composer] button[type=submit]").click()
    syr.wait_for_url(re.compile(r".*#msg-[0-9a-f-]+$"))
    message_id = syr.url.rsplit("#msg-", 1)[1]

    body = isr.locator(f"#msg-{message_id} .message-body")
    expect(body).to_have_text(arabic, timeout=LIVE)
    expect(body).to_have_attribute("dir", "auto")
    expect(body).to_have_attribute("lang", "ar")
    # Retried assertions: the message is re-rendered live as receipts arrive.
    expect(body).to_have_css("direction", "rtl")
    expect(isr.locator("html")).to_have_css("direction", "ltr")
    # The composer, too, follows what is typed.
    isr.fill("#composer-body", "رد")
    expect(isr.locator("#composer-body")).to_have_css("direction", "rtl")
    assert syr_console.problems == [] and isr_console.problems == []


def test_the_inbox_counts_down_and_acknowledges(browser, live_cell):
    usa, usa_console = log_in(browser, live_cell.base, "usa.mediator", DEMO_PASSWORD)
    isr, isr_console = log_in(browser, live_cell.base, "isr.liaison", DEMO_PASSWORD)
    text = f"Plenary moved to 14:00 UTC ({uuid.uuid4().hex[:6]})."
    usa.goto("/hotline/plenary")
    usa.fill("#composer-body", text)
    usa.select_option("#composer-precedence", "immediate")
    usa.locator("form[data-composer] button[type=submit]").click()
    usa.wait_for_url(re.compile(r".*#msg-[0-9a-f-]+$"))

    isr.goto("/inbox")
    row = isr.locator("[data-testid=inbox-acks] tr", has_text=text)
    countdown = row.locator("time.countdown")
    expect(countdown).to_have_text(re.compile(r"^1[45]:[0-5]\d left$"))
    first = countdown.inner_text()
    expect(countdown).not_to_have_text(first, timeout=5_000)  # it ticks
    row.get_by_role("button", name=re.compile("^Acknowledge")).click()
    isr.wait_for_url(re.compile(r".*/inbox$"))
    expect(isr.locator("[data-testid=inbox-acks] tr", has_text=text)).to_have_count(0)
    assert usa_console.problems == [] and isr_console.problems == []
