"""GET /api/v1/zones (the GeoJSON contract the map draws from) and GET /api/v1/zones/classify."""

import pytest

ZONE_PROPERTIES = {"code", "kind", "names", "schematic", "applies_to", "limits"}
LINE_PROPERTIES = {"code", "kind", "names", "schematic"}
PLACE_PROPERTIES = {"code", "kind", "names", "protected", "radius_km", "approximate"}


def coordinates_of(geometry) -> list[list[float]]:
    """Every [lon, lat] position of a GeoJSON geometry, however deeply nested."""
    found, stack = [], [geometry["coordinates"]]
    while stack:
        item = stack.pop()
        if isinstance(item[0], int | float):
            found.append(item)
        else:
            stack.extend(item)
    return found


def test_zones_are_geojson_with_the_map_contract(client, as_, cell):
    response = client.get("/api/v1/zones", headers=as_("ISR", "liaison"))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/geo+json")
    collection = response.json()
    assert collection["type"] == "FeatureCollection"
    features = collection["features"]
    by_kind: dict[str, list[dict]] = {}
    for feature in features:
        assert feature["type"] == "Feature"
        by_kind.setdefault(feature["properties"]["kind"], []).append(feature)
        for lon, lat in coordinates_of(feature["geometry"]):
            assert round(lon, 6) == lon and round(lat, 6) == lat
    assert len(features) == len(cell.zones) + len(cell.lines) + len(cell.places)

    zones = [f for f in features if f["properties"]["kind"] not in ("line", "place")]
    assert [z["properties"]["code"] for z in zones] == [z.code for z in cell.zones]
    for zone in zones:
        assert zone["geometry"]["type"] in ("Polygon", "MultiPolygon")
        assert set(zone["properties"]) == ZONE_PROPERTIES
        assert set(zone["properties"]["names"]) == {"en", "ar", "he"}
        assert zone["properties"]["schematic"] is True
    aos = next(z["properties"] for z in zones if z["properties"]["code"] == "aos")
    assert aos["kind"] == "area-of-separation" and aos["applies_to"] is None and aos["limits"]["troops"] == 0
    band = next(z["properties"] for z in zones if z["properties"]["code"] == "aol-bravo-10-20")
    assert band["kind"] == "area-of-limitation" and band["applies_to"] == "SYR" and band["limits"]["tanks"] == 450
    economic = next(z["properties"] for z in zones if z["properties"]["code"] == "economic-zone")
    assert economic["kind"] == "economic-zone" and economic["limits"] is None

    lines = {f["properties"]["code"]: f for f in by_kind["line"]}
    assert set(lines) == {"alpha", "bravo"}
    alpha = lines["alpha"]
    assert alpha["geometry"]["type"] == "LineString" and set(alpha["properties"]) == LINE_PROPERTIES
    assert alpha["geometry"]["coordinates"][0] == [35.79, 33.335]  # [lon, lat]
    assert alpha["properties"]["schematic"] is True and alpha["properties"]["names"]["ar"] == "خط ألفا (أ)"

    places = {f["properties"]["code"]: f for f in by_kind["place"]}
    assert set(places) == {p.code for p in cell.places}
    for place in places.values():
        assert place["geometry"]["type"] == "Point" and set(place["properties"]) == PLACE_PROPERTIES
    assert places["quneitra"]["geometry"]["coordinates"] == [35.8239, 33.1256]
    assert places["hader"]["properties"] | {"names": None} == {
        "code": "hader",
        "kind": "place",
        "names": None,
        "protected": True,
        "radius_km": 5,
        "approximate": False,
    }
    assert places["quneitra"]["properties"]["radius_km"] is None
    assert places["amman"]["properties"]["approximate"] is True


def test_every_member_gets_the_same_zones(client, as_):
    first = client.get("/api/v1/zones", headers=as_("ISR", "liaison")).content
    for party, role in (("SYR", "liaison"), ("USA", "supervisor"), ("UNDOF", "observer")):
        assert client.get("/api/v1/zones", headers=as_(party, role)).content == first


def test_classify_quneitra(client, as_):
    response = client.get(
        "/api/v1/zones/classify",
        params={"lat": 33.1256, "lon": 35.8239, "type": "armed-clash"},
        headers=as_("SYR", "liaison"),
    )
    assert response.status_code == 200
    body = response.json()
    assert body["party"] == "SYR" and body["type"] == "armed-clash"  # the caller's party by default
    assert body["placement"]["side"] == "area-of-separation"
    assert body["placement"]["zones"] == ["aos", "economic-zone"]
    assert set(body["placement"]["distance_to_lines_km"]) == {"alpha", "bravo"}
    rules = {v["rule"] for v in body["violations"]}
    assert "military-activity-in-aos" in rules
    assert next(v for v in body["violations"] if v["rule"] == "military-activity-in-aos")["names"]["he"]


def test_classify_near_hader_for_another_party_and_without_a_type(client, as_):
    near = {"lat": 33.2794, "lon": 35.86}  # about 2.8 km east of Hader
    body = client.get("/api/v1/zones/classify", params=near, headers=as_("USA", "liaison")).json()
    assert body["violations"] == [] and body["type"] is None and body["party"] == "USA"
    assert body["placement"]["protected_sites"][0]["place"] == "hader"
    assert 2 < body["placement"]["protected_sites"][0]["distance_km"] < 5
    params = near | {"type": "attack", "party": "SYR"}
    body = client.get("/api/v1/zones/classify", params=params, headers=as_("USA", "liaison")).json()
    assert body["party"] == "SYR"
    assert [(v["rule"], v["severity"]) for v in body["violations"]] == [("harm-near-protected-site", 5)]


@pytest.mark.parametrize(
    ("params", "fields"),
    [
        ({"lat": 95, "lon": 35.8}, ["query.lat"]),
        ({"lat": 33.1, "lon": -181}, ["query.lon"]),
        ({"lat": "north", "lon": 35.8}, ["query.lat"]),
        ({"lat": "nan", "lon": 35.8}, ["query.lat"]),
        ({"lon": 35.8}, ["query.lat"]),
        ({"lat": 48.8566, "lon": 35.8}, ["query.lat"]),  # Paris's latitude: outside the area of interest
        ({"lat": 33.1, "lon": 2.3522}, ["query.lon"]),
        ({"lat": 48.8566, "lon": 2.3522}, ["query.lat", "query.lon"]),
        ({"lat": 33.1, "lon": 35.8, "type": "dogfight"}, ["query.type"]),
        ({"lat": 33.1, "lon": 35.8, "party": "EGY"}, ["query.party"]),
    ],
)
def test_bad_queries_get_the_one_error_shape_naming_the_field(client, as_, params, fields):
    response = client.get("/api/v1/zones/classify", params=params, headers=as_("ISR", "liaison"))
    assert response.status_code == 422
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "details"}
    assert body["error"]["code"] == "invalid"
    assert [d["field"] for d in body["error"]["details"]] == fields
    assert all(field in body["error"]["message"] for field in fields)


def test_the_routes_are_described_in_openapi(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert "application/geo+json" in paths["/api/v1/zones"]["get"]["responses"]["200"]["content"]
    assert {p["name"] for p in paths["/api/v1/zones/classify"]["get"]["parameters"]} == {"lat", "lon", "type", "party"}


@pytest.mark.parametrize("path", ["/api/v1/zones", "/api/v1/zones/classify?lat=33.1&lon=35.8"])
def test_strangers_are_refused(client, path):
    response = client.get(path)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"
    bad = client.get(path, headers={"Authorization": "Bearer not-a-token"})
    assert bad.status_code == 401
