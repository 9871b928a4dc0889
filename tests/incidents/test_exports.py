"""GeoJSON and CSV exports: exactly what the caller may read, withheld fields withheld, no formulas."""

import csv
import io

import pytest

from fusioncell.incidents.exports import ACLED_COLUMNS, neutralise
from tests.incidents.conftest import report

SECRET = "Reporter's account that the retraction withholds."


@pytest.fixture
def incidents(client, as_) -> dict[str, str]:
    """ISR's reports in every kind of envelope; their ids by label."""
    isr = as_("ISR", "liaison")
    made = {
        "to SYR": report(client, isr, releasable_to=["SYR"]),
        "to USA": report(client, isr, releasable_to=["USA"]),
        "to FRA SYR USA": report(client, isr, releasable_to=["FRA", "SYR", "USA"]),
        "draft": report(client, isr, draft=True),
        "retracted": report(client, isr, releasable_to=["SYR", "USA"], description=SECRET),
    }
    assert all(r.status_code == 201 for r in made.values()), [r.text for r in made.values()]
    ids = {label: r.json()["id"] for label, r in made.items()}
    retracted = client.post(f"/api/v1/incidents/{ids['retracted']}/retract", json={"reason": "wrong"}, headers=isr)
    assert retracted.status_code == 200, retracted.text
    return ids


READS = {
    "ISR": {"to SYR", "to USA", "to FRA SYR USA", "draft", "retracted"},
    "SYR": {"to SYR", "to FRA SYR USA", "retracted"},
    "FRA": {"to FRA SYR USA"},
    "JOR": set(),
    "USA": {"to SYR", "to USA", "to FRA SYR USA", "retracted"},  # the mediator: all but the draft
}


def listed(client, headers) -> set[str]:
    return {i["id"] for i in client.get("/api/v1/incidents?limit=200", headers=headers).json()["items"]}


@pytest.mark.parametrize("party", sorted(READS))
def test_the_geojson_export_holds_exactly_what_the_party_may_read(client, as_, incidents, party):
    response = client.get("/api/v1/incidents/export.geojson", headers=as_(party))
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/geo+json")
    collection = response.json()
    assert collection["type"] == "FeatureCollection"
    exported = {f["id"] for f in collection["features"]}
    assert exported & set(incidents.values()) == {incidents[label] for label in READS[party]}
    assert exported == listed(client, as_(party))
    for item in collection["features"]:
        assert item["type"] == "Feature" and item["geometry"]["type"] == "Point"
        assert item["properties"]["id"] == item["id"]
    if "retracted" in READS[party]:
        withheld = next(f for f in collection["features"] if f["id"] == incidents["retracted"])
        assert withheld["properties"]["description"] is None and withheld["properties"]["sources"] == []
    assert SECRET not in response.text


@pytest.mark.parametrize("party", sorted(READS))
def test_the_csv_export_holds_exactly_what_the_party_may_read(client, as_, incidents, party):
    response = client.get("/api/v1/incidents/export.csv", headers=as_(party))
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    exported = {row["event_id_cnty"] for row in rows}
    assert exported & set(incidents.values()) == {incidents[label] for label in READS[party]}
    assert exported == listed(client, as_(party))
    assert SECRET not in response.text


def test_the_csv_export_has_acled_columns_and_values(client, as_, incidents):
    response = client.get("/api/v1/incidents/export.csv", headers=as_("USA"))
    reader = csv.reader(io.StringIO(response.text))
    header = next(reader)
    assert tuple(header[: len(ACLED_COLUMNS)]) == ACLED_COLUMNS
    rows = {row["event_id_cnty"]: row for row in csv.DictReader(io.StringIO(response.text))}
    row = rows[incidents["to SYR"]]
    assert row["event_type"] == "Battles" and row["sub_event_type"] == "Armed clash"
    assert row["disorder_type"] == "Political violence"
    assert row["time_precision"] == "1" and row["geo_precision"] == "2"
    assert float(row["latitude"]) == pytest.approx(33.1256) and float(row["longitude"]) == pytest.approx(35.8239)
    assert row["source"] == "patrol report" and row["fatalities"] == "0" and row["origin_party"] == "ISR"
    assert row["notes"] == "Exchange of fire near the old city."
    assert rows[incidents["retracted"]]["notes"] == "" and rows[incidents["retracted"]]["source"] == ""


def test_csv_injection_is_neutralised(client, as_):
    isr = as_("ISR", "liaison")
    formulas = ['=HYPERLINK("http://evil.example","x")', "+1+cmd|' /C calc'!A0", "@SUM(1+1)", "-2+3"]
    created = report(client, isr, description=formulas[0], sources=formulas[1:]).json()
    response = client.get("/api/v1/incidents/export.csv", headers=isr)
    row = next(r for r in csv.DictReader(io.StringIO(response.text)) if r["event_id_cnty"] == created["id"])
    assert row["notes"] == "'" + formulas[0]
    assert row["source"] == "'" + "; ".join(formulas[1:])
    for row in csv.DictReader(io.StringIO(response.text)):
        assert not any(value.startswith(("=", "+", "@")) for value in row.values())
    assert neutralise("-2+3") == "'-2+3" and neutralise(-2.5) == "-2.5" and neutralise(None) == ""


def test_exports_take_the_lists_filters_and_refuse_unknown_ones(client, as_, incidents):
    usa = as_("USA")
    response = client.get("/api/v1/incidents/export.geojson?status=retracted", headers=usa)
    assert {f["id"] for f in response.json()["features"]} == {incidents["retracted"]}
    assert client.get("/api/v1/incidents/export.csv?limit=1", headers=usa).text.count("\r\n") == 2
    bad = client.get("/api/v1/incidents/export.csv?type=nonsense", headers=usa)
    assert bad.status_code == 422 and "type" in bad.text
    assert client.get("/api/v1/incidents/export.geojson").status_code == 401


def test_exports_stream_many_pages(client, as_, monkeypatch):
    monkeypatch.setattr("fusioncell.incidents.exports.PAGE", 2)
    isr = as_("ISR", "liaison")
    ids = {report(client, isr).json()["id"] for _ in range(5)}
    features = client.get("/api/v1/incidents/export.geojson", headers=isr).json()["features"]
    assert ids <= {f["id"] for f in features} and len(features) == len({f["id"] for f in features})


@pytest.mark.parametrize("party", sorted(READS))
def test_the_map_feed_holds_exactly_what_the_party_may_read(client, as_, incidents, party):
    response = client.get("/api/v1/incidents/map", headers=as_(party))
    assert response.status_code == 200, response.text
    page = response.json()
    drawn = {i["id"] for i in page["items"]}
    assert drawn & set(incidents.values()) == {incidents[label] for label in READS[party]}
    assert drawn == listed(client, as_(party)) and page["truncated"] is False
    full = {i["id"]: i for i in client.get("/api/v1/incidents?limit=200", headers=as_(party)).json()["items"]}
    for point in page["items"]:
        # The marker's facts are the incident's as the API shows it to this party; the account is not sent.
        assert set(point) == {
            "id",
            "version",
            "origin_party",
            "status",
            "stage",
            "type",
            "severity",
            "occurred_at",
            "lat",
            "lon",
            "area",
        }
        same = full[point["id"]]
        assert {k: point[k] for k in ("stage", "status", "severity", "lat", "lon", "version")} == {
            k: same[k] for k in ("stage", "status", "severity", "lat", "lon", "version")
        }
        assert point["occurred_at"] == same["occurred_at"].replace("+00:00", "Z")
    assert SECRET not in response.text


def test_the_map_feed_says_when_it_holds_only_the_newest(client, as_, incidents):
    page = client.get("/api/v1/incidents/map?limit=2", headers=as_("ISR")).json()
    newest = [i["id"] for i in client.get("/api/v1/incidents?limit=2", headers=as_("ISR")).json()["items"]]
    assert [i["id"] for i in page["items"]] == newest and page["truncated"] is True
    assert client.get("/api/v1/incidents/map?type=no-such-type", headers=as_("ISR")).status_code == 422
    assert client.get("/api/v1/incidents/map?limit=20001", headers=as_("ISR")).status_code == 422


def test_an_area_is_drawn_as_its_polygon(client, as_):
    square = [[35.81, 33.11], [35.83, 33.11], [35.83, 33.13], [35.81, 33.13], [35.81, 33.11]]
    area = report(client, as_("SYR"), location={"type": "Polygon", "coordinates": [square]}).json()
    [point] = [
        i for i in client.get("/api/v1/incidents/map", headers=as_("SYR")).json()["items"] if i["id"] == area["id"]
    ]
    assert point["area"] == {"type": "Polygon", "coordinates": [square]}
