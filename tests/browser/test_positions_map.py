"""The withdrawal tracker's positions on the map, in headless Chromium against a live demo cell: the demo's
positions drawn by stage, a popup linking to the position's page (which opens), a position registered and
moved through the API appearing and changing live, user text shown as text. No request leaves the machine,
no CSP or script error."""

import re
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from playwright.sync_api import expect

from tests.browser.test_map import DRAWN, api_token, click_inside, open_map

pytestmark = pytest.mark.browser


def test_positions_are_drawn_by_stage_open_their_page_and_move_live(browser, live_cell):
    page, console, outside = open_map(browser, live_cell, None)
    markers = page.locator(".leaflet-positions-pane path.map-position")
    expect(markers).to_have_count(3)  # the demo's: scheduled, withdrawn, verified (ISR registered them)
    for stage in ("scheduled", "withdrawn", "verified"):
        assert page.locator(f"path.map-position--{stage}").count() == 1, stage
    assert page.get_by_test_id("map").get_attribute("data-positions-shown") == "3"

    # Live: SYR registers a position through the API; it appears on ISR's open map, occupied.
    syr = api_token(live_cell.base, "syr.liaison")
    body = {"name": "<img src=x> Tal post", "location": {"type": "Point", "coordinates": [35.95, 33.15]}}
    response = httpx.post(f"{live_cell.base}/api/v1/positions", json=body, headers=syr)
    assert response.status_code == 201, response.text
    position = response.json()
    marker = page.locator(f"path.map-record-{position['id']}")
    expect(markers).to_have_count(4, timeout=DRAWN)
    expect(marker).to_have_class(has_class("map-position--occupied"))

    # Scheduled through the API: the same marker changes colour, no reload.
    due = (datetime.now(UTC) + timedelta(days=3)).isoformat()
    moved = httpx.post(
        f"{live_cell.base}/api/v1/positions/{position['id']}/schedule", json={"due_at": due}, headers=syr
    )
    assert moved.status_code == 200, moved.text
    expect(marker).to_have_class(has_class("map-position--scheduled"), timeout=DRAWN)
    expect(markers).to_have_count(4)

    # Its popup: the name as text, the holder, and a link to its page, which opens.
    click_inside(page, f"path.map-record-{position['id']}")
    popup = page.locator(".leaflet-popup-content .map-popup--position")
    expect(popup).to_contain_text("<img src=x> Tal post")
    expect(popup).to_contain_text("Held by SYR")
    expect(popup).to_contain_text("Withdrawal scheduled")
    assert page.locator(".leaflet-popup-content img").count() == 0
    link = popup.locator("a")
    assert link.get_attribute("href") == f"/positions/{position['id']}"
    link.click()
    page.wait_for_url(f"{live_cell.base}/positions/{position['id']}")
    expect(page.get_by_test_id("stage")).to_have_text("scheduled")
    expect(page.get_by_test_id("milestones").locator("li")).to_have_count(2)

    assert outside == []
    assert console.problems == []


def has_class(name: str) -> re.Pattern:
    """A class attribute holding `name` among others."""
    return re.compile(rf"(^|\s){re.escape(name)}(\s|$)")
