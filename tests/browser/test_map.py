"""The map page in headless Chromium with no network beyond the cell: every request to anywhere but
127.0.0.1 is aborted and recorded, and none may happen. The vendored Leaflet draws the shipped country
outlines; the cell's lines, zones and places come from GET /api/v1/zones and the schematic banner shows
while any of them is on the map. No CSP or script errors.

Most tests answer GET /api/v1/zones with zones_stub() (the endpoint's contract in miniature, built from the
default cell's lines and places), so counts and hostile strings are under the test's control;
test_the_cell_s_own_zones_are_drawn draws what the real endpoint serves.
"""

from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.sync_api import Page, Route, expect

from fusioncell.cell.loader import default_cell
from fusioncell.demo import DEMO_PASSWORD
from tests.browser.conftest import Console, log_in

pytestmark = pytest.mark.browser
SCHEMATIC = "Lines and zones are schematic — not the official 1:50,000 map."
DRAWN = 15_000  # ms


def zones_stub() -> dict:
    """The endpoint's contract in miniature: two schematic lines, the AOS between them, one band, the
    economic zone, and every place of the default cell (protected ones with their radius)."""
    cell = default_cell()
    lines = {line.code: [list(p) for p in line.lon_lat] for line in cell.lines}
    alpha, bravo = lines["alpha"], lines["bravo"]
    aos = [alpha + bravo[::-1] + [alpha[0]]]
    band = [
        [[lon - 0.1, lat] for lon, lat in alpha]
        + [[lon, lat] for lon, lat in alpha[::-1]]
        + [[alpha[0][0] - 0.1, alpha[0][1]]]
    ]

    def area(code, kind, coordinates, en, applies_to=None, limits=None):
        names = {"en": en, "ar": "منطقة", "he": "אזור"}
        properties = {"code": code, "kind": kind, "names": names, "schematic": True, "applies_to": applies_to}
        properties["limits"] = limits
        return {
            "type": "Feature",
            "geometry": {"type": "Polygon", "coordinates": coordinates},
            "properties": properties,
        }

    features = [
        area("aol-isr-0-10", "area-of-limitation", band, "AOL ISR 0-10 km", "ISR", {"troops": 6000, "tanks": 75}),
        area("aos", "area-of-separation", aos, "Area of Separation (AOS)", None, {"troops": 0}),
        area("economic-zone", "economic-zone", aos, "Joint economic zone"),
    ]
    for line in cell.lines:
        properties = {"code": line.code, "kind": "line", "names": line.names.model_dump(), "schematic": True}
        geometry = {"type": "LineString", "coordinates": lines[line.code]}
        features.append({"type": "Feature", "geometry": geometry, "properties": properties})
    for place in cell.places:
        properties = {
            "code": place.code,
            "kind": "place",
            "names": place.names.model_dump(),
            "protected": place.protected,
            "radius_km": cell.protected_site_radius_km if place.protected else None,
            "approximate": place.approximate,
        }
        geometry = {"type": "Point", "coordinates": [place.lon, place.lat]}
        features.append({"type": "Feature", "geometry": geometry, "properties": properties})
    return {"type": "FeatureCollection", "features": features}


def open_map(browser, live_cell, zones: dict | None) -> tuple[Page, Console, list[str]]:
    """The map page with every request off the machine aborted and recorded. With `zones`, GET
    /api/v1/zones is answered with it instead of by the server."""
    page, console = log_in(browser, live_cell.base, "isr.liaison", DEMO_PASSWORD)
    outside: list[str] = []

    def guard(route: Route) -> None:
        url = urlsplit(route.request.url)
        if url.hostname != "127.0.0.1":
            outside.append(route.request.url)
            route.abort()
        elif zones is not None and url.path == "/api/v1/zones":
            route.fulfill(json=zones, headers={"content-type": "application/geo+json"})
        else:
            route.continue_()

    page.context.route("**/*", guard)
    response = page.goto("/map")
    assert response.status == 200
    expect(page.get_by_test_id("map")).to_have_attribute("data-state", "ready", timeout=DRAWN)
    return page, console, outside


def test_the_map_draws_borders_and_schematic_zones_with_no_network(browser, live_cell):
    stub = zones_stub()
    page, console, outside = open_map(browser, live_cell, stub)

    # The country outlines: one SVG path per country of the region, in their own pane, beneath the zones.
    borders = page.locator(".leaflet-borders-pane path.map-borders")
    assert borders.count() >= 10
    assert page.locator(".leaflet-tile-pane img").count() == 0  # no tiles: nothing to fetch

    # The zones, one overlay per kind; lines above them; protected sites as circles; places as markers.
    expect(page.get_by_test_id("map-schematic")).to_be_visible()
    assert SCHEMATIC in page.get_by_test_id("map-schematic").inner_text()
    assert page.locator(".leaflet-areas-pane path.map-zone--area-of-separation").count() == 1
    assert page.locator(".leaflet-areas-pane path.map-zone--area-of-limitation").count() == 1
    assert page.locator(".leaflet-areas-pane path.map-zone--economic-zone").count() == 1
    assert page.locator(".leaflet-lines-pane path.map-zone--line").count() == 2
    places = [f for f in stub["features"] if f["properties"]["kind"] == "place"]
    protected = [f for f in places if f["properties"]["protected"]]
    assert protected, "the default cell has protected sites"
    assert page.locator(".leaflet-sites-pane path.map-site").count() == len(protected)
    assert page.locator(".leaflet-marker-pane .map-place-icon").count() == len(places)
    assert page.locator(".map-place-icon--protected").count() == len(protected)
    assert page.get_by_test_id("map").get_attribute("data-zones-drawn") == str(len(stub["features"]))
    expect(page.get_by_test_id("map-status")).to_be_hidden()

    # A place's popup holds its three names, each as text with dir="auto".
    hader = next(f for f in places if f["properties"]["code"] == "hader")["properties"]
    page.locator(".map-place-icon[title='Hader']").click()
    popup = page.locator(".leaflet-popup-content .map-popup")
    expect(popup).to_be_visible()
    for lang in ("en", "ar", "he"):
        name = popup.locator(f".map-name[lang={lang}]")
        assert name.inner_text() == hader["names"][lang]
        assert name.get_attribute("dir") == "auto"
    assert "5" in popup.inner_text()  # the protected radius, in km

    # The layers control: one overlay per kind, in a fixed order whichever loaded first.
    control = page.locator(".leaflet-control-layers-overlays")
    assert [label.strip() for label in control.locator("label").all_inner_texts()] == [
        "Areas of Limitation",
        "Area of Separation",
        "Joint economic zone (proposed)",
        "Lines of the 1974 agreement",
        "Protected sites and their radius",
        "Places",
        "Incidents",
        "Notices: active",
        "Notices: upcoming",
        "Positions",
        "Country outlines",
    ]
    # Hiding every schematic overlay hides the banner; showing one brings it back.
    schematic_layers = ["Area of Separation", "Areas of Limitation", "Joint economic zone (proposed)"]
    schematic_layers.append("Lines of the 1974 agreement")
    for label in schematic_layers:
        control.locator("label", has_text=label).locator("input").uncheck()
    expect(page.get_by_test_id("map-schematic")).to_be_hidden()
    control.locator("label", has_text="Lines of the 1974 agreement").locator("input").check()
    expect(page.get_by_test_id("map-schematic")).to_be_visible()

    assert outside == []
    assert console.problems == []


def click_inside(page: Page, selector: str) -> None:
    """Click a point where the element itself is hit, with a margin (a zone is a thin, bent strip: its
    box's centre may fall outside it, or on a line drawn along its edge)."""
    point = page.evaluate(
        """(selector) => {
            const target = document.querySelector(selector);
            const box = target.getBoundingClientRect();
            for (let i = 1; i < 40; i++) for (let j = 1; j < 40; j++) {
                const x = box.left + (box.width * i) / 40, y = box.top + (box.height * j) / 40;
                const hit = (dx, dy) => document.elementFromPoint(x + dx, y + dy) === target;
                if (hit(0, 0) && hit(-6, 0) && hit(6, 0) && hit(0, -6) && hit(0, 6)) return [x, y];
            }
            return null;
        }""",
        selector,
    )
    assert point, f"no visible point of {selector}"
    page.mouse.click(*point)


def test_data_is_shown_as_text_never_as_markup(browser, live_cell):
    stub = zones_stub()
    hostile = '<img src="https://example.com/x.png" alt="x">'
    aos = next(f for f in stub["features"] if f["properties"]["code"] == "aos")["properties"]
    aos["names"] = {"en": hostile, "ar": hostile, "he": hostile}
    aos["applies_to"] = "<b>SYR</b>"
    hader = next(f for f in stub["features"] if f["properties"]["code"] == "hader")["properties"]
    hader["names"] = {"en": "<i>Hader</i>", "ar": hostile, "he": hostile}
    page, console, outside = open_map(browser, live_cell, stub)

    click_inside(page, ".leaflet-areas-pane path.map-zone--area-of-separation")
    popup = page.locator(".leaflet-popup-content .map-popup")
    expect(popup).to_contain_text(hostile)
    expect(popup).to_contain_text("<b>SYR</b>")
    assert page.locator(".leaflet-popup-content img, .leaflet-popup-content b").count() == 0

    page.get_by_title("<i>Hader</i>").click()
    expect(popup).to_have_count(1)  # the previous popup fades out first
    expect(popup).to_contain_text("<i>Hader</i>")
    assert page.locator(".leaflet-popup-content img, .leaflet-popup-content i").count() == 0
    assert outside == []  # the would-be image was never requested
    assert console.problems == []


def test_the_map_says_so_when_the_zones_cannot_be_loaded(browser, live_cell):
    page, console = log_in(browser, live_cell.base, "syr.liaison", DEMO_PASSWORD)
    page.context.route(
        "**/api/v1/zones", lambda route: route.fulfill(status=503, json={"error": {"code": "unavailable"}})
    )
    page.goto("/map")
    expect(page.get_by_test_id("map")).to_have_attribute("data-state", "incomplete", timeout=DRAWN)
    expect(page.get_by_test_id("map-status")).to_contain_text("could not be loaded")
    expect(page.get_by_test_id("map-schematic")).to_be_hidden()  # nothing schematic is drawn
    assert page.locator(".leaflet-borders-pane path.map-borders").count() >= 10
    # The browser reports the failed fetch itself; nothing else may complain.
    assert all("503" in problem for problem in console.problems), console.problems


def test_the_cell_s_own_zones_are_drawn(browser, live_cell):
    """The page against the real endpoint (no stand-in): the AOS, the Areas of Limitation bands, both
    lines, a circle per protected site of the cell and a marker per place; the banner shows."""
    cell = default_cell()
    page, console, outside = open_map(browser, live_cell, None)
    expect(page.get_by_test_id("map-schematic")).to_be_visible()
    assert page.locator(".leaflet-areas-pane path.map-zone--area-of-separation").count() >= 1
    assert page.locator(".leaflet-areas-pane path.map-zone--area-of-limitation").count() >= 2
    assert page.locator(".leaflet-lines-pane path.map-zone--line").count() == len(cell.lines)
    assert page.locator(".leaflet-sites-pane path.map-site").count() == len(cell.protected_places)
    assert page.locator(".leaflet-marker-pane .map-place-icon").count() == len(cell.places)
    assert outside == []
    assert console.problems == []


def api_token(base: str, username: str) -> dict:
    response = httpx.post(f"{base}/api/v1/auth/login", json={"username": username, "password": DEMO_PASSWORD})
    assert response.status_code == 200, response.text
    return {"authorization": f"Bearer {response.json()['token']}"}


def test_incidents_and_notices_are_drawn_filtered_and_new_ones_appear_live(browser, live_cell):
    """The demo's incidents and notices from the real endpoints: exactly what the API gives ISR (Quneitra
    under investigation, Hader raised to severity 5, ...); the filters; an incident reported through the API
    while the map is open appears without a reload."""
    readable = httpx.get(
        f"{live_cell.base}/api/v1/incidents?limit=200", headers=api_token(live_cell.base, "isr.liaison")
    ).json()["items"]
    shown = len(readable)
    assert shown >= 2

    def counted(**wanted) -> int:
        return sum(all(i[k] == v for k, v in wanted.items()) for i in readable)

    page, console, outside = open_map(browser, live_cell, None)
    markers = page.locator(".leaflet-incidents-pane path.map-incident")
    expect(markers).to_have_count(shown)
    assert page.get_by_test_id("map").get_attribute("data-incidents-shown") == str(shown)
    # Hader's report was raised to severity 5 (harm near a protected site) and awaits acknowledgement.
    hader = counted(severity=5, stage="reported")
    assert hader >= 1 and page.locator("path.map-incident--sev-5.map-incident--reported").count() == hader
    assert page.locator("path.map-incident--under_investigation").count() == counted(stage="under_investigation") == 1
    # The demo notices ISR may read: its own air activity and SYR's convoy, both upcoming.
    expect(page.locator(".leaflet-notices-pane path.map-notice--upcoming")).to_have_count(2)
    expect(page.get_by_test_id("map-live")).to_have_attribute("data-state", "live", timeout=DRAWN)

    # A popup: the record's facts as text, and a link to its page.
    hader_id = next(i["id"] for i in readable if i["severity"] == 5 and i["origin_party"] == "SYR")
    click_inside(page, f"path.map-record-{hader_id}")  # beside Hader's own marker, which lies above it
    popup = page.locator(".leaflet-popup-content .map-popup--incident")
    expect(popup).to_be_visible()
    expect(popup).to_contain_text("Severity 5")
    expect(popup).to_contain_text("Reported by SYR")
    # The map feed carries the marker only; the account comes with the incident when the popup opens.
    expect(popup).to_contain_text("western edge of Hader")
    link = popup.locator("a")
    assert link.get_attribute("href").startswith("/incidents/")
    page.keyboard.press("Escape")

    # Filters, applied in the page to what it loaded.
    page.get_by_test_id("filter-stage").select_option("reported")
    expect(markers).to_have_count(counted(stage="reported"))
    page.get_by_test_id("filter-stage").select_option("")
    page.get_by_test_id("filter-party").select_option("SYR")
    expect(markers).to_have_count(counted(origin_party="SYR"))
    expect(page.locator(".leaflet-notices-pane path.map-notice")).to_have_count(1)  # the convoy
    page.get_by_test_id("filter-party").select_option("")
    page.get_by_test_id("filter-type").select_option("battles")  # an event type covers its sub-types
    expect(markers).to_have_count(1)  # Quneitra's armed clash
    page.get_by_test_id("filter-type").select_option("")
    expect(markers).to_have_count(shown)

    # Live: SYR reports through the API; the marker appears on ISR's open map, no reload.
    now = datetime.now(UTC)
    body = {
        "occurred_at": (now - timedelta(minutes=10)).isoformat(),
        "location": {"type": "Point", "coordinates": [35.87, 33.2]},
        "type": "armed-clash",
        "severity": 2,
        "description": "<img src=x> Live report.",
    }
    response = httpx.post(
        f"{live_cell.base}/api/v1/incidents", json=body, headers=api_token(live_cell.base, "syr.liaison")
    )
    assert response.status_code == 201, response.text
    expect(markers).to_have_count(shown + 1, timeout=DRAWN)
    assert page.get_by_test_id("map").get_attribute("data-incidents-shown") == str(shown + 1)
    page.evaluate("document.querySelectorAll('.leaflet-popup-close-button').forEach(b => b.click())")
    click_inside(page, f"path.map-record-{response.json()['id']}")
    popup = page.locator(".leaflet-popup-content .map-popup--incident")
    expect(popup).to_contain_text("<img src=x> Live report.")
    assert page.locator(".leaflet-popup-content img").count() == 0
    assert popup.locator("a").get_attribute("href") == f"/incidents/{response.json()['id']}"

    assert outside == []
    assert console.problems == []
