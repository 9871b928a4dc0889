"""The map page over HTTP: members only, same-origin files only, the vendored Leaflet and the shipped borders.

The drawing itself (borders, zones, the schematic banner, no request leaving the machine) is proven in
headless Chromium: tests/browser/test_map.py.
"""

import hashlib
import json
import re
from importlib.resources import files
from pathlib import Path

import pytest

from tests.web.test_pages import HTML, browser_login

STATIC = Path(str(files("fusioncell.web") / "static"))
LEAFLET = STATIC / "vendor" / "leaflet"
BORDERS = STATIC / "map" / "borders.geojson"
REGION = (25.0, 25.0, 50.0, 42.0)  # west, south, east, north: tools/build_borders.py REGION
NEIGHBOURS = {"Israel", "Syria", "Lebanon", "Jordan", "Palestine", "Egypt", "Iraq", "Turkey", "Saudi Arabia", "Cyprus"}


def test_the_map_page_renders_for_a_member(client):
    browser_login(client, "syr.liaison")
    page = client.get("/map", headers=HTML)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    html = page.text
    assert 'id="map"' in html
    assert 'data-zones-url="/api/v1/zones"' in html and 'data-borders-url="/static/map/borders.geojson"' in html
    assert re.search(r'<a href="/map" aria-current="page">Map</a>', html)
    # The banner is in the page (map.js shows it while a schematic feature is drawn) with SCENARIO.md's words.
    assert "Lines and zones are schematic — not the official 1:50,000 map." in html
    assert "Not yet available" not in html  # no longer the placeholder


def test_the_map_page_sends_strangers_to_the_login_page(client):
    response = client.get("/map", headers=HTML, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/map"


def test_the_map_page_loads_only_same_origin_files_and_no_inline_script_or_style(client):
    browser_login(client, "isr.liaison")
    page = client.get("/map", headers=HTML)
    html = page.text
    scripts = re.findall(r"<script\b[^>]*>", html)
    assert scripts and all(re.search(r'\ssrc="/static/[^"]+"', tag) for tag in scripts), scripts
    sheets = re.findall(r'<link\b[^>]*rel="stylesheet"[^>]*>', html)
    hrefs = [re.search(r'href="([^"]+)"', tag).group(1) for tag in sheets]
    assert "/static/vendor/leaflet/leaflet.css" in hrefs and "/static/css/map.css" in hrefs
    assert all(href.startswith("/static/") for href in hrefs), hrefs
    assert "/static/vendor/leaflet/leaflet.js" in html and "/static/js/map.js" in html
    assert "http://" not in html and "https://" not in html
    assert not re.search(r"\sstyle=", html) and "<style" not in html
    assert not re.search(r"\son[a-z]+=", html)  # no inline event handlers
    assert "script-src 'self'" in page.headers["content-security-policy"]


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("/static/vendor/leaflet/leaflet.js", "text/javascript"),
        ("/static/vendor/leaflet/leaflet.css", "text/css"),
        ("/static/vendor/leaflet/images/layers.png", "image/png"),
        ("/static/vendor/leaflet/images/layers-2x.png", "image/png"),
        ("/static/vendor/leaflet/images/marker-icon.png", "image/png"),
        ("/static/vendor/leaflet/images/marker-icon-2x.png", "image/png"),
        ("/static/vendor/leaflet/images/marker-shadow.png", "image/png"),
        ("/static/js/map.js", "text/javascript"),
        ("/static/css/map.css", "text/css"),
        ("/static/map/borders.geojson", "application/geo+json"),
    ],
)
def test_the_map_s_files_are_served_with_their_types(client, path, content_type):
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == content_type
    assert response.headers["x-content-type-options"] == "nosniff"


def test_the_vendored_leaflet_is_the_release_its_readme_names():
    readme = (LEAFLET / "README.txt").read_text(encoding="utf-8")
    assert "leaflet@1.9.4" in readme
    pinned = re.findall(r"^\s+(\S+)\s+<- \S+\n\s+sha256 ([0-9a-f]{64})$", readme, re.MULTILINE)
    assert {name for name, _ in pinned} == {
        "leaflet.js",
        "leaflet.css",
        "images/layers.png",
        "images/layers-2x.png",
        "images/marker-icon.png",
        "images/marker-icon-2x.png",
        "images/marker-shadow.png",
    }
    for name, digest in pinned:
        assert hashlib.sha256((LEAFLET / name).read_bytes()).hexdigest() == digest, name
    assert "Volodymyr Agafonkin" in (LEAFLET / "LICENSE").read_text(encoding="utf-8")
    assert 'version="1.9.4"' in (LEAFLET / "leaflet.js").read_text(encoding="utf-8")
    # Every image the stylesheet names is shipped beside it.
    for image in re.findall(r"url\((images/[^)]+)\)", (LEAFLET / "leaflet.css").read_text(encoding="utf-8")):
        assert (LEAFLET / image).is_file(), image


def rings_of(geometry: dict) -> list[list[list[list[float]]]]:
    if geometry["type"] == "Polygon":
        return [geometry["coordinates"]]
    assert geometry["type"] == "MultiPolygon"
    return geometry["coordinates"]


def signed_area(ring: list[list[float]]) -> float:
    return sum(a[0] * b[1] - b[0] * a[1] for a, b in zip(ring, ring[1:], strict=False)) / 2


def test_the_shipped_borders_are_the_region_s_countries_as_rfc_7946_geojson():
    assert BORDERS.stat().st_size < 200_000  # clipped to the region: small enough to load with every page view
    collection = json.loads(BORDERS.read_text(encoding="utf-8"))
    assert collection["type"] == "FeatureCollection" and "Natural Earth" in collection["source"]
    names = {feature["properties"]["name"] for feature in collection["features"]}
    assert NEIGHBOURS <= names
    west, south, east, north = REGION
    for feature in collection["features"]:
        for polygon in rings_of(feature["geometry"]):
            for index, ring in enumerate(polygon):
                assert len(ring) >= 4 and ring[0] == ring[-1], feature["properties"]["name"]
                assert all(west <= lon <= east and south <= lat <= north for lon, lat in ring)
                # Exteriors counter-clockwise, holes clockwise.
                assert (signed_area(ring) > 0) == (index == 0), feature["properties"]["name"]
    notices = (STATIC / "map" / "README.txt").read_text(encoding="utf-8")
    assert "public domain" in notices and "world-atlas@2.0.2" in notices and "tools/build_borders.py" in notices
    assert "Michael Bostock" in (STATIC / "map" / "LICENSE.world-atlas").read_text(encoding="utf-8")


def test_the_map_page_renders_its_filters_and_record_sources(client, cell):
    browser_login(client, "isr.liaison")
    html = client.get("/map", headers=HTML).text
    assert 'data-incidents-url="/api/v1/incidents/map"' in html and 'data-notices-url="/api/v1/notices"' in html
    assert re.search(r'data-stream-after="-?\d+"', html)
    form = re.search(r'<form class="map-filters".*?</form>', html, re.S).group(0)
    for t in cell.incident_types:
        assert f'<option value="{t.code}"' in form, t.code
    battles = re.search(r'<option value="battles" data-codes="([^"]+)"', form).group(1).split(",")
    assert "battles" in battles and "armed-clash" in battles  # an event type covers its sub-types
    for party in cell.parties:
        assert f'<option value="{party.code}"' in form
    for stage in ("reported", "acknowledged", "under_investigation", "finding", "closed"):
        assert f'<option value="{stage}"' in form
    assert re.search(r'<a href="/incidents"[^>]*>Incidents</a>', html)
