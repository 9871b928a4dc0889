"""An article read in with hostile markup, in headless Chromium on the shared live cell: the body shows, its
link is clickable and goes where it says, and nothing the source slipped in runs (no script, no handler, no
javascript: link, no dialog), with no CSP or script error on the page."""

import httpx
import pytest
from playwright.sync_api import expect

from fusioncell.demo import DEMO_PASSWORD
from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser
WORD = "zebracrossingprobe"  # a word no demo article has, to find this one by


def _ingest_hostile_article(base: str) -> str:
    """Upload, as ISR's liaison through the API, an article whose body tries every trick; returns its id."""
    login = httpx.post(f"{base}/api/v1/auth/login", json={"username": "isr.liaison", "password": DEMO_PASSWORD})
    headers = {"Authorization": f"Bearer {login.json()['token']}"}
    body = (
        f"---\ntitle: Hostile markup probe {WORD}\ndate: 2026-01-05T08:00:00Z\nlang: en\n---\n"
        f'<p>{WORD}: see <a href="{base}/osint" id="good-link">the reading list</a>.</p>\n'
        "<script>window.__pwned = 'script'; alert('script')</script>\n"
        "<img src=\"/static/none.png\" onerror=\"window.__pwned = 'onerror'; alert('onerror')\">\n"
        "<p onclick=\"window.__pwned = 'onclick'\">Click me</p>\n"
        "<a href=\"javascript:window.__pwned = 'href'; alert('href')\" id=\"bad-link\">bad link</a>\n"
    )
    files = {"file": ("probe.html", body.encode(), "text/html")}
    answer = httpx.post(f"{base}/api/v1/osint/ingest", files=files, headers=headers)
    assert answer.status_code == 200 and answer.json()["new"] == 1, answer.text
    found = httpx.get(f"{base}/api/v1/osint/articles", params={"q": WORD}, headers=headers).json()["items"]
    return found[0]["id"]


def test_an_article_body_shows_its_link_and_runs_nothing(browser, live_cell):
    article_id = _ingest_hostile_article(live_cell.base)
    page, console = log_in(browser, live_cell.base, "syr.liaison", DEMO_PASSWORD)
    assert page.goto(f"/osint/articles/{article_id}").status == 200
    body = page.get_by_test_id("article-body")
    expect(body).to_contain_text(WORD)
    expect(body).to_contain_text("Click me")
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert body.locator("script").count() == 0 and body.locator("img").count() == 0
    bad = body.get_by_text("bad link")
    if bad.count():  # the text may stay; a javascript: href may not
        assert not (bad.get_attribute("href") or "").lower().startswith("javascript")
        bad.click()
    body.get_by_text("Click me").click()
    assert page.evaluate("typeof window.__pwned") == "undefined"
    good = body.get_by_role("link", name="the reading list")
    expect(good).to_have_attribute("href", f"{live_cell.base}/osint")
    good.click()
    page.wait_for_url(f"{live_cell.base}/osint")
    expect(page.get_by_test_id("osint-list")).to_be_visible()
    assert console.problems == []
