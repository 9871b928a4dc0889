"""The three working languages in Chromium: a browser that asks for Arabic gets the login page and the cell in
Arabic, laid out right to left (the navigation starts on the right), with an English and a Hebrew message each
reading in its own direction inside the Arabic page; an account switched to Hebrew keeps it. No CSP or script
errors anywhere."""

import re
import uuid

import pytest
from playwright.sync_api import Browser, expect

from fusioncell.demo import DEMO_PASSWORD
from tests.browser.conftest import Console, log_in

pytestmark = pytest.mark.browser
LIVE = 15_000


def log_in_speaking(browser: Browser, base: str, username: str, locale: str):
    """Log in through the form in a browser whose Accept-Language is `locale`."""
    context = browser.new_context(base_url=base, locale=locale)
    page = context.new_page()
    console = Console(page)
    page.goto("/login")
    page.fill("#username", username)
    page.fill("#password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")
    return page, console


def box(locator):
    found = locator.bounding_box()
    assert found is not None
    return found


def test_arabic_mirrors_the_layout_and_each_message_keeps_its_direction(browser, live_cell):
    login = browser.new_context(base_url=live_cell.base, locale="ar-SY").new_page()
    login.goto("/login")
    expect(login.locator("html")).to_have_attribute("dir", "rtl")
    expect(login.locator("button[type=submit]")).to_have_text("تسجيل الدخول")

    syr, syr_console = log_in_speaking(browser, live_cell.base, "syr.liaison", "ar-SY")
    expect(syr.locator("html")).to_have_attribute("lang", "ar")
    expect(syr.locator("html")).to_have_css("direction", "rtl")
    nav = syr.locator(".topnav li a")
    expect(nav.first).to_have_text("نظرة عامة")
    expect(syr.locator(".topnav")).to_contain_text("الوارد")
    first, second = box(nav.nth(0)), box(nav.nth(1))
    assert first["x"] > second["x"], "the navigation runs from the right in Arabic"
    width = syr.viewport_size["width"]
    assert box(syr.locator(".cell-name"))["x"] > width / 2, "the cell's name sits on the right"

    isr, isr_console = log_in(browser, live_cell.base, "isr.liaison", DEMO_PASSWORD)
    tag = uuid.uuid4().hex[:6]
    sent = {}
    for text in (f"Ground movement west of Khan Arnabah {tag}", f"תנועה קרקעית ממערב לח'אן ארנבה {tag}"):
        isr.goto("/hotline/hotline")
        isr.fill("#composer-body", text)
        isr.locator("form[data-composer] button[type=submit]").click()
        isr.wait_for_url(re.compile(r".*#msg-[0-9a-f-]+$"))
        sent[text] = isr.url.rsplit("#msg-", 1)[1]

    syr.goto("/hotline/hotline")
    english, hebrew = (syr.locator(f"#msg-{message_id} .message-body") for message_id in sent.values())
    expect(english).to_contain_text("Ground movement", timeout=LIVE)
    expect(english).to_have_css("direction", "ltr")  # English reads left to right inside the Arabic page
    expect(hebrew).to_have_css("direction", "rtl")
    expect(syr.locator("html")).to_have_css("direction", "rtl")
    assert syr_console.problems == [] and isr_console.problems == []


def test_an_account_switched_to_hebrew_keeps_it(browser, live_cell):
    page, console = log_in(browser, live_cell.base, "jor.observer", DEMO_PASSWORD)
    expect(page.locator("html")).to_have_attribute("dir", "ltr")
    page.select_option("#language-choice", "he")  # the switch sends itself
    expect(page.locator("html")).to_have_attribute("lang", "he")
    expect(page.locator("html")).to_have_css("direction", "rtl")
    expect(page.locator(".topnav")).to_contain_text("דואר נכנס")

    again, again_console = log_in(browser, live_cell.base, "jor.observer", DEMO_PASSWORD)  # another browser
    expect(again.locator("html")).to_have_attribute("lang", "he")
    again.select_option("#language-choice", "en")
    expect(again.locator("html")).to_have_attribute("lang", "en")
    assert console.problems == [] and again_console.problems == []


# The desks' main pages, each with a heading every reader sees and the English it must not show.
MAIN_PAGES = [
    ("/incidents", "Incidents"),
    ("/notices", "Deconfliction notices"),
    ("/map", "Map"),
    ("/statements", "Joint statements"),
    ("/meetings", "Meetings"),
    ("/intel", "Intelligence reports"),
    ("/projects", "Project register"),
    ("/glossary", "Glossary"),
    ("/ledger", "Record"),
]


@pytest.mark.parametrize("locale", ["ar-SY", "he-IL"])
def test_the_main_pages_are_translated_and_mirrored(browser, live_cell, locale):
    page, console = log_in_speaking(browser, live_cell.base, "usa.mediator", locale)
    language = locale[:2]
    for path, english in MAIN_PAGES:
        page.goto(path)
        expect(page.locator("html")).to_have_attribute("lang", language)
        expect(page.locator("html")).to_have_css("direction", "rtl")
        heading = page.locator("main h1").first
        expect(heading).to_be_visible()
        assert heading.inner_text().strip() != english, f"{path}: the heading is still English"
        assert not any(c.isascii() and c.isalpha() for c in heading.inner_text()), f"{path}: {heading.inner_text()}"
        nav = page.locator(".topnav li a")
        assert box(nav.nth(0))["x"] > box(nav.nth(1))["x"], f"{path}: the navigation starts on the right"
    assert console.problems == []
