"""The de-escalation desk's pages in headless Chromium on a cell of their own (so the shared cell's map tests
keep the demo's records as they are): the dashboard draws its three charts with the vendored Chart.js under
the strict CSP; the operations-room wall shows the map (map.js, unchanged) and an incident reported through
the API appears in its live feed without a reload; the mediator records a finding through the incident page's
form. No CSP or script errors anywhere."""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from playwright.sync_api import expect

from fusioncell.demo import DEMO_PASSWORD
from tests.browser.conftest import LiveCell, log_in, running_cell

pytestmark = pytest.mark.browser
DRAWN = 15_000  # ms


@pytest.fixture(scope="module")
def desk_cell(tmp_path_factory) -> Iterator[LiveCell]:
    with running_cell(tmp_path_factory.mktemp("deescalation")) as cell:
        yield cell


def api(base: str, username: str) -> httpx.Client:
    answer = httpx.post(f"{base}/api/v1/auth/login", json={"username": username, "password": DEMO_PASSWORD})
    assert answer.status_code == 200, answer.text
    return httpx.Client(base_url=base, headers={"Authorization": f"Bearer {answer.json()['token']}"}, timeout=10)


def test_the_dashboard_draws_its_charts(browser, desk_cell):
    page, console = log_in(browser, desk_cell.base, "usa.mediator", DEMO_PASSWORD)
    page.get_by_role("link", name="Dashboard").click()
    root = page.get_by_test_id("dashboard")
    expect(root).to_have_attribute("data-state", "ready", timeout=DRAWN)
    for chart in ("chart-zone", "chart-type", "chart-ack"):
        canvas = page.get_by_test_id(chart)
        expect(canvas).to_have_attribute("data-chart", "drawn")
        # Chart.js owns the canvas and has drawn on it at a real size.
        assert page.evaluate("(id) => Boolean(window.Chart && window.Chart.getChart(id))", chart)
        box = canvas.bounding_box()
        assert box and box["width"] > 100 and box["height"] > 100
    # The bars hold what the statistics endpoint counts for this caller (the demo's incidents).
    bars = page.evaluate(
        "() => window.Chart.getChart('chart-type').data.datasets"
        ".reduce((n, d) => n + d.data.reduce((a, b) => a + b, 0), 0)"
    )
    with api(desk_cell.base, "usa.mediator") as usa:
        figures = usa.get("/api/v1/incidents/statistics", params={"weeks": 12}).json()
    assert bars == sum(sum(s["counts"]) for s in figures["by_type"]) > 0
    expect(page.get_by_test_id("dashboard-status")).to_be_hidden()
    assert console.problems == []


def test_the_wall_shows_the_map_and_a_new_incident_appears_live(browser, desk_cell):
    page, console = log_in(browser, desk_cell.base, "isr.liaison", DEMO_PASSWORD)
    assert page.goto("/wall").status == 200
    expect(page.get_by_test_id("map")).to_have_attribute("data-state", "ready", timeout=DRAWN)
    assert page.locator(".leaflet-borders-pane path.map-borders").count() >= 10
    markers = page.locator(".leaflet-incidents-pane path.map-incident")
    shown = int(page.get_by_test_id("map").get_attribute("data-incidents-shown"))
    assert shown >= 2  # the demo's, at least
    expect(page.get_by_test_id("wall-live")).to_have_attribute("data-state", "live", timeout=DRAWN)
    expect(page.get_by_test_id("wall-clock")).to_contain_text("UTC")

    body = {
        "occurred_at": (datetime.now(UTC) - timedelta(minutes=10)).isoformat(),
        "location": {"type": "Point", "coordinates": [35.87, 33.2]},
        "type": "armed-clash",
        "severity": 2,
        "description": "<img src=x> Live report.",
    }
    with api(desk_cell.base, "syr.liaison") as syr:
        response = syr.post("/api/v1/incidents", json=body)
    assert response.status_code == 201, response.text
    item = page.locator(f"[data-testid=wall-feed] li[data-record='{response.json()['id']}']")
    expect(item).to_be_visible(timeout=DRAWN)
    expect(item).to_contain_text("Armed clash")  # the type's name in the cell definition, in the page's language
    expect(item).to_contain_text("SYR")
    assert page.locator("[data-testid=wall-feed] img").count() == 0
    # The map beside it got the marker too (map.js's own stream), with no reload.
    expect(markers).to_have_count(shown + 1, timeout=DRAWN)
    assert console.problems == []


def test_the_mediator_records_a_finding_through_the_form(browser, desk_cell):
    with api(desk_cell.base, "usa.mediator") as usa:
        found = usa.get("/api/v1/incidents", params={"stage": "under_investigation"}).json()["items"]
    assert found, "the demo has an incident under investigation"
    incident_id = found[0]["id"]
    page, console = log_in(browser, desk_cell.base, "usa.mediator", DEMO_PASSWORD)
    page.goto(f"/incidents/{incident_id}")
    form = page.get_by_test_id("form-finding")
    form.get_by_label("Finding").select_option("unsubstantiated")
    form.get_by_label("Reasons").fill("No trace found on the ground.")
    form.get_by_role("button", name="Record the finding").click()
    page.wait_for_url(f"{desk_cell.base}/incidents/{incident_id}")
    expect(page.get_by_test_id("stage")).to_have_text("finding")
    expect(page.get_by_test_id("lifecycle")).to_contain_text("No trace found on the ground.")
    expect(page.get_by_test_id("form-close")).to_be_visible()
    with api(desk_cell.base, "usa.mediator") as usa:
        after = usa.get(f"/api/v1/incidents/{incident_id}").json()
    assert after["finding"] == "unsubstantiated" and after["stage"] == "finding"
    assert console.problems == []
