"""The glossary's marks in Chromium: on the hotline conversation page, a message saying "Area of Separation",
one saying "منطقة الفصل" and one saying "אזור ההפרדה" each show the agreed term marked (dotted, focusable), and
hovering or focusing it exposes the agreed wording in all three languages — on an English, an Arabic and a
Hebrew page alike. The demo's glossary has the term agreed by both principals. No CSP or script errors."""

import re
import uuid

import pytest
from playwright.sync_api import Browser, expect

from fusioncell.demo import DEMO_PASSWORD
from tests.browser.conftest import Console

pytestmark = pytest.mark.browser
LIVE = 15_000
TITLE = "Area of Separation — منطقة الفصل — אזור ההפרדה"


def log_in_speaking(browser: Browser, base: str, username: str, locale: str):
    context = browser.new_context(base_url=base, locale=locale)
    page = context.new_page()
    console = Console(page)
    page.goto("/login")
    page.fill("#username", username)
    page.fill("#password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")
    return page, console


def test_agreed_terms_are_marked_in_messages_in_every_language_of_the_page(browser, live_cell):
    isr, isr_console = log_in_speaking(browser, live_cell.base, "isr.liaison", "en-GB")
    tag = uuid.uuid4().hex[:6]
    texts = {
        "Area of Separation": f"Patrol seen in the Area of Separation near Bir Ajam {tag}",
        "منطقة الفصل": f"دورية في منطقة الفصل قرب بئر عجم {tag}",
        "אזור ההפרדה": f"סיור נראה באזור ההפרדה ליד ביר עג'ם {tag}",
    }
    sent = {}
    for term, text in texts.items():
        isr.goto("/hotline/hotline")
        isr.fill("#composer-body", text)
        isr.locator("form[data-composer] button[type=submit]").click()
        isr.wait_for_url(re.compile(r".*#msg-[0-9a-f-]+$"))
        sent[term] = isr.url.rsplit("#msg-", 1)[1]

    readers = [
        (isr, isr_console, "en", "ltr"),
        (*log_in_speaking(browser, live_cell.base, "syr.liaison", "ar-SY"), "ar", "rtl"),
        (*log_in_speaking(browser, live_cell.base, "usa.mediator", "he-IL"), "he", "rtl"),
    ]
    for page, console, language, direction in readers:
        page.goto("/hotline/hotline")
        expect(page.locator("html")).to_have_attribute("lang", language)
        expect(page.locator("html")).to_have_attribute("dir", direction)
        for term, message_id in sent.items():
            body = page.locator(f"#msg-{message_id} .message-body")
            expect(body).to_contain_text(tag, timeout=LIVE)
            marked = body.locator("span.glossary-term")
            expect(marked).to_have_count(1)
            expect(marked).to_contain_text(term)
            expect(marked).to_have_attribute("data-term", "area-of-separation")
            marked.hover()
            expect(marked).to_have_attribute("title", TITLE)
            marked.focus()
            expect(marked).to_be_focused()
            expect(marked).to_have_attribute("title", TITLE)
        assert console.problems == [], (language, console.problems)
