"""The commercial desk's dashboard in headless Chromium on the demo cell: every target's two charts (now against
the target, and month by month) are drawn by the vendored Chart.js under the strict CSP, with something on the
canvas, and nothing complains."""

import pytest
from playwright.sync_api import expect

from fusioncell.commerce.rollups import METRICS
from fusioncell.demo import DEMO_PASSWORD
from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser
DRAWN = 10_000  # ms

# Pixels that are not fully transparent: a canvas Chart.js drew on has axes, bars, lines and labels.
INKED = """canvas => {
  const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  let inked = 0;
  for (let i = 3; i < data.length; i += 4) if (data[i] !== 0) inked++;
  return inked;
}"""


def test_the_dashboard_draws_each_targets_charts(browser, live_cell):
    page, console = log_in(browser, live_cell.base, "syr.liaison", DEMO_PASSWORD)
    assert page.goto("/projects/dashboard").status == 200
    expect(page.get_by_test_id("commerce-dashboard")).to_have_attribute("data-state", "drawn", timeout=DRAWN)
    expect(page.get_by_test_id("targets-unverified")).to_be_visible()
    for metric in METRICS:
        for kind in ("now", "history"):
            canvas = page.get_by_test_id(f"chart-{kind}-{metric.key}")
            expect(canvas).to_have_attribute("data-chart", "drawn")
            assert canvas.evaluate(INKED) > 500, (kind, metric.key)
    expect(page.get_by_test_id("commerce-dashboard-status")).to_be_hidden()
    assert console.problems == []


def test_the_register_opens_a_project_with_its_site_on_the_map(browser, live_cell):
    page, console = log_in(browser, live_cell.base, "usa.mediator", DEMO_PASSWORD)
    assert page.goto("/projects").status == 200
    expect(page.get_by_test_id("illustrative").first).to_be_visible()
    page.get_by_role("link", name="Mount Hermon ski resort").click()  # floated to the mediator alone
    page.wait_for_url(f"{live_cell.base}/projects/*")
    expect(page.get_by_test_id("project-map")).to_have_attribute("data-state", "drawn", timeout=DRAWN)
    assert page.locator("#project-map path.map-project-site").count() == 1
    expect(page.get_by_test_id("illustrative-note")).to_be_visible()
    assert console.problems == []
