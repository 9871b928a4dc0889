"""The intelligence desk's compose form in headless Chromium on a cell of its own: the audience preview follows
the boxes as they are ticked (htmx asking /intel/audience under the strict CSP), the report is sent, and the
reading view opens with its TLP label and REL TO banner. Then the mediator approves it from the review queue
and the recipient reads it. No CSP or script errors anywhere."""

from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from fusioncell.demo import DEMO_PASSWORD
from tests.browser.conftest import LiveCell, log_in, running_cell

pytestmark = pytest.mark.browser
SWAPPED = 10_000  # ms


@pytest.fixture(scope="module")
def intel_cell(tmp_path_factory) -> Iterator[LiveCell]:
    with running_cell(tmp_path_factory.mktemp("intel")) as cell:
        yield cell


def test_compose_with_the_audience_picker_and_read_the_report(browser, intel_cell):
    page, console = log_in(browser, intel_cell.base, "isr.liaison", DEMO_PASSWORD)
    assert page.goto("/intel/compose").status == 200
    readers = page.get_by_test_id("audience-readers")
    waits = page.get_by_test_id("audience-waits")
    expect(readers).to_have_text("ISR, USA")  # nobody ticked: the mediator alone reads it
    expect(waits).to_contain_text("goes out at once")

    page.fill("#compose-title", "Launcher seen near Quneitra")
    page.fill("#compose-summary", "Two launches at dusk.")
    page.select_option("#compose-reliability", "B")
    page.select_option("#compose-credibility", "2")
    page.fill("#compose-observables", "ipv4-addr 198.51.100.7")
    page.select_option("#compose-place", "quneitra")
    page.get_by_label("SYR").check()
    expect(readers).to_have_text("ISR, SYR, USA", timeout=SWAPPED)
    expect(waits).to_contain_text("waits for the mediator")
    expect(page.get_by_test_id("audience-collection")).to_have_text("trilateral")

    page.select_option("#compose-marking", "TLP:RED")  # a marking change is previewed too
    expect(waits).to_contain_text("waits for a second officer of ISR", timeout=SWAPPED)
    page.select_option("#compose-marking", "TLP:AMBER")
    expect(waits).not_to_contain_text("second officer", timeout=SWAPPED)

    page.get_by_test_id("compose-submit").click()
    page.wait_for_url(f"{intel_cell.base}/intel/reports/*")
    report_url = page.url
    top = page.get_by_test_id("banner-top")
    expect(top.locator(".tlp")).to_have_text("TLP:AMBER")
    expect(top).to_contain_text("REL TO ISR, SYR, USA")
    expect(page.get_by_test_id("banner-bottom")).to_contain_text("REL TO ISR, SYR, USA")
    expect(page.get_by_test_id("grading")).to_have_text("B2 — usually reliable source, probably true")
    expect(page.get_by_test_id("waits-for")).to_have_text("waits for the mediator")
    assert console.problems == []

    mediator, mediator_console = log_in(browser, intel_cell.base, "usa.mediator", DEMO_PASSWORD)
    mediator.goto("/intel/review")
    card = mediator.locator(".intel-pending", has_text="Launcher seen near Quneitra")
    card.get_by_role("button", name="Approve: let it reach SYR").click()
    mediator.wait_for_url(f"{intel_cell.base}/intel/review")
    expect(mediator.locator(".intel-pending", has_text="Launcher seen near Quneitra")).to_have_count(0)
    assert mediator_console.problems == []

    syrian, syrian_console = log_in(browser, intel_cell.base, "syr.liaison", DEMO_PASSWORD)
    assert syrian.goto(report_url).status == 200
    expect(syrian.get_by_test_id("report-status")).to_contain_text("released")
    assert syrian_console.problems == []
