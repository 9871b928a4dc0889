"""The map in Arabic, in headless Chromium: the page runs right to left and the map's controls change sides
with it (the zoom control at the inline start, on the right; the layers control on the left; the attribution
bottom left), Leaflet's own control titles and the popup's close button speak Arabic, and a place's popup and
marker title are in Arabic. In English the controls stay where Leaflet puts them. Nothing leaves the machine
and the console stays clean (no CSP or script errors)."""

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, Route, expect

from fusioncell.cell.loader import default_cell
from tests.browser.conftest import Console
from tests.browser.test_languages import box, log_in_speaking

pytestmark = pytest.mark.browser
DRAWN = 15_000  # ms


def open_map(browser, live_cell, locale: str) -> tuple[Page, Console, list[str]]:
    """syr.liaison's map, in a browser whose Accept-Language is `locale`; requests off the machine aborted."""
    page, console = log_in_speaking(browser, live_cell.base, "syr.liaison", locale)
    outside: list[str] = []

    def guard(route: Route) -> None:
        if urlsplit(route.request.url).hostname != "127.0.0.1":
            outside.append(route.request.url)
            route.abort()
        else:
            route.continue_()

    page.context.route("**/*", guard)
    assert page.goto("/map").status == 200
    expect(page.get_by_test_id("map")).to_have_attribute("data-state", "ready", timeout=DRAWN)
    return page, console, outside


def test_arabic_mirrors_the_map_s_controls_and_speaks_arabic(browser, live_cell):
    page, console, outside = open_map(browser, live_cell, "ar-SY")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.get_by_test_id("map")).to_have_css("direction", "rtl")

    frame = box(page.get_by_test_id("map"))
    middle = frame["x"] + frame["width"] / 2
    right_edge = frame["x"] + frame["width"]
    zoom = box(page.locator(".leaflet-control-zoom"))
    layers = box(page.locator(".leaflet-control-layers"))
    attribution = box(page.locator(".leaflet-control-attribution"))
    assert zoom["x"] > middle and right_edge - (zoom["x"] + zoom["width"]) < 30, "zoom at the inline start (right)"
    assert layers["x"] + layers["width"] < middle and layers["x"] - frame["x"] < 30, "layers on the left"
    assert attribution["x"] - frame["x"] < 5 and attribution["y"] > frame["y"] + frame["height"] / 2
    assert abs(zoom["y"] - layers["y"]) < 5, "both at the top"

    # Leaflet's own words, replaced by the page's.
    zoom_in = page.locator(".leaflet-control-zoom-in")
    expect(zoom_in).to_have_attribute("title", "تكبير")
    expect(zoom_in).to_have_attribute("aria-label", "تكبير")
    expect(page.locator(".leaflet-control-zoom-out")).to_have_attribute("title", "تصغير")
    expect(page.locator(".leaflet-control-layers-toggle")).to_have_attribute("title", "الطبقات")
    overlays = page.locator(".leaflet-control-layers-overlays")
    expect(overlays).to_contain_text("منطقة الفصل")
    expect(overlays).to_contain_text("حدود الدول")
    assert "Area of Separation" not in overlays.inner_text()

    # A place: its marker's title and its popup in Arabic; the popup's close button on its left (inline end).
    hader = next(place for place in default_cell().places if place.code == "hader")
    marker = page.locator(f".map-place-icon[title='{hader.names.ar}']")
    expect(marker).to_have_count(1)
    marker.click()
    popup = page.locator(".leaflet-popup-content .map-popup")
    expect(popup).to_be_visible()
    expect(popup.locator(".map-name[lang=ar]")).to_have_text(hader.names.ar)
    expect(popup).to_contain_text("موقع محمي")
    assert "Protected site" not in popup.inner_text()
    close = page.locator(".leaflet-popup-close-button")
    expect(close).to_have_attribute("aria-label", "إغلاق")
    bubble = box(page.locator(".leaflet-popup-content-wrapper"))
    assert box(close)["x"] < bubble["x"] + bubble["width"] / 2, "the close button at the popup's inline end"
    name = box(popup.locator(".map-name[lang=ar]"))
    assert name["x"] + name["width"] > bubble["x"] + bubble["width"] - 40, "the Arabic name starts on the right"

    # The filters and the status line are the page's words too.
    expect(page.get_by_test_id("filter-stage").locator("option").first).to_have_text("أي مرحلة")
    expect(page.get_by_test_id("map-counts")).to_contain_text("المعروض")
    assert outside == []
    assert console.problems == []


def test_english_keeps_leaflet_s_sides(browser, live_cell):
    page, console, outside = open_map(browser, live_cell, "en-GB")
    expect(page.locator("html")).to_have_attribute("dir", "ltr")
    frame = box(page.get_by_test_id("map"))
    middle = frame["x"] + frame["width"] / 2
    assert box(page.locator(".leaflet-control-zoom"))["x"] - frame["x"] < 30
    assert box(page.locator(".leaflet-control-layers"))["x"] > middle
    expect(page.locator(".leaflet-control-zoom-in")).to_have_attribute("title", "Zoom in")
    assert outside == [] and console.problems == []
