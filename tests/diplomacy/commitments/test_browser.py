"""The board in headless Chromium on a live cell of its own: the progress chart is drawn by
static/js/commitments-chart.js with the vendored Chart.js under the strict CSP, counting what the API counts for
the caller; the commitment page's claim form works. No CSP or script errors anywhere."""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from fusioncell.demo import DEMO_PASSWORD
from tests.browser.conftest import LiveCell, browser, log_in, running_cell  # noqa: F401 - Chromium fixture
from tests.browser.test_deescalation_desk import api

pytestmark = pytest.mark.browser
DRAWN = 15_000  # ms


@pytest.fixture(scope="module")
def register_cell(tmp_path_factory) -> Iterator[LiveCell]:
    with running_cell(tmp_path_factory.mktemp("commitments")) as cell:
        yield cell


def test_the_board_draws_its_chart_and_a_claim_goes_through_the_form(browser, register_cell):  # noqa: F811
    now = datetime.now(UTC)
    with api(register_cell.base, "usa.mediator") as usa:
        made = usa.post(
            "/api/v1/commitments",
            json={
                "text": "Syria reopens the Quneitra road.",
                "responsible_party": "SYR",
                "source_kind": "other",
                "made_at": (now - timedelta(days=9)).isoformat(),
                "due_at": (now - timedelta(days=1)).isoformat(),
                "state": "agreed",
            },
        )
        assert made.status_code == 201, made.text
        progress = usa.get("/api/v1/commitments/progress", params={"weeks": 12}).json()
    page, console = log_in(browser, register_cell.base, "syr.liaison", DEMO_PASSWORD)
    assert page.goto("/commitments").status == 200
    root = page.get_by_test_id("commitments-progress")
    expect(root).to_have_attribute("data-state", "drawn", timeout=DRAWN)
    canvas = page.get_by_test_id("chart-progress")
    expect(canvas).to_have_attribute("data-chart", "drawn")
    assert page.evaluate("() => Boolean(window.Chart && window.Chart.getChart('chart-progress'))")
    bars = page.evaluate(
        "() => window.Chart.getChart('chart-progress').data.datasets.map((d) => d.data[d.data.length - 1])"
        ".reduce((a, b) => a + b, 0)"
    )
    assert bars >= 1 and bars <= sum(s["counts"][-1] for s in progress["series"])

    page.get_by_role("link", name="Syria reopens the Quneitra road.").click()
    expect(page.get_by_test_id("commitment-overdue")).to_be_visible()
    page.select_option("#claim-state", "done")
    page.fill("#claim-note", "Road open since this morning.")
    page.get_by_role("button", name="Claim").click()
    expect(page.get_by_test_id("commitment-state")).to_have_text("done")
    assert console.problems == []
