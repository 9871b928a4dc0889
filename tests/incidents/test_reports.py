"""Reporting over the API: what the server derives from the shipped geography (the issue's facts), who it
goes to, the filters and pages of the list; bad reports get a 422 naming the field and store nothing."""

from datetime import timedelta

import pytest

from fusioncell.cell.loader import default_cell
from fusioncell.db.types import utcnow
from fusioncell.geo.service import geography_for
from fusioncell.ledger.service import tree_size
from tests.geo.test_service import moved, on_line
from tests.incidents.conftest import HADER, QUNEITRA, point, report, report_body


def rules(incident: dict) -> set[str]:
    return {v["rule"] for v in incident["violations"]}


def test_a_military_report_at_quneitra_lies_in_the_aos_and_violates_it(client, as_):
    response = report(client, as_("ISR", "liaison"), type="armed-clash", actor_party="SYR")
    assert response.status_code == 201, response.text
    incident = response.json()
    assert "aos" in incident["zones"] and incident["side"] == "area-of-separation"
    assert "military-activity-in-aos" in rules(incident)
    assert (incident["lat"], incident["lon"]) == QUNEITRA
    assert incident["ledger_index"] is not None and incident["version"] == 1
    names = next(v["names"] for v in incident["violations"] if v["rule"] == "military-activity-in-aos")
    assert names["en"] == "Military activity in the Area of Separation"


def test_a_report_three_km_west_of_alpha_is_in_the_israeli_inner_band(client, as_):
    lat, lon = moved(on_line(geography_for(default_cell()), "alpha"), east_km=-3)
    incident = report(client, as_("SYR", "liaison"), location=point(lat, lon), actor_party="ISR").json()
    assert incident["zones"] == ["aol-alpha-0-10"] and incident["side"] == "west-of-alpha"
    assert incident["violations"] == []  # Israeli forces west of Alpha: allowed by place


def test_harm_within_five_km_of_hader_flags_the_site_and_is_of_the_highest_severity(client, as_):
    lat, lon = moved(HADER, east_km=3)
    incident = report(client, as_("SYR", "liaison"), location=point(lat, lon), type="attack", severity=2).json()
    assert [s["place"] for s in incident["protected_sites"]] == ["hader"]
    assert incident["protected_sites"][0]["distance_km"] == pytest.approx(3, abs=0.01)
    assert rules(incident) == {"harm-near-protected-site"}
    assert (incident["reported_severity"], incident["severity"]) == (2, 5)
    due = incident["ack_due_at"]
    assert due is not None and due > incident["released_at"]  # severity 5: one hour to acknowledge


def test_a_protest_near_hader_is_flagged_but_keeps_its_severity(client, as_):
    lat, lon = moved(HADER, east_km=2)
    incident = report(client, as_("SYR", "liaison"), location=point(lat, lon), type="peaceful-protest", severity=1)
    assert incident.json()["protected_sites"] and incident.json()["severity"] == 1


def test_an_area_is_classified_where_it_reaches_and_indexed_at_a_point_inside(client, as_):
    lat, lon = QUNEITRA
    square = [[lon - 0.01, lat - 0.01], [lon + 0.01, lat - 0.01], [lon + 0.01, lat + 0.01], [lon - 0.01, lat + 0.01]]
    area = {"type": "Polygon", "coordinates": [[*square, square[0]]]}
    incident = report(client, as_("ISR", "liaison"), location=area, geo_precision="region").json()
    assert "aos" in incident["zones"] and incident["location"] == area
    assert lat - 0.01 < incident["lat"] < lat + 0.01 and lon - 0.01 < incident["lon"] < lon + 0.01


def test_a_report_goes_to_the_plenary_unless_narrowed_and_to_observers_only_if_named(client, as_):
    plenary = report(client, as_("ISR", "liaison")).json()
    assert plenary["releasable_to"] == ["SYR", "USA"] and plenary["ack_parties"] == ["SYR"]
    for party, role, status in (("SYR", "liaison", 200), ("USA", "liaison", 200), ("UNDOF", "observer", 404)):
        assert client.get(f"/api/v1/incidents/{plenary['id']}", headers=as_(party, role)).status_code == status
    named = report(client, as_("ISR", "liaison"), releasable_to=["USA", "UNDOF"]).json()
    assert named["releasable_to"] == ["UNDOF", "USA"] and named["ack_parties"] == ["USA"]
    assert client.get(f"/api/v1/incidents/{named['id']}", headers=as_("UNDOF", "observer")).status_code == 200
    assert client.get(f"/api/v1/incidents/{named['id']}", headers=as_("SYR", "liaison")).status_code == 404


def test_the_mediators_own_report_awaits_both_principals(client, as_):
    incident = report(client, as_("USA", "liaison")).json()
    assert incident["ack_parties"] == ["ISR", "SYR"] and incident["stage"] == "reported"


def test_who_may_report(client, as_):
    assert report(client, as_("UNDOF", "observer")).status_code == 201
    assert report(client, as_("SYR", "officer:deescalation")).status_code == 201
    assert report(client, as_("SYR", "officer:intelligence")).status_code == 403
    assert report(client, as_("ISR", "admin")).status_code == 403


def test_cited_hotline_files_are_shown_to_those_who_may_read_them(client, as_):
    upload = client.post(
        "/api/v1/attachments", files={"file": ("photo.txt", b"crater", "text/plain")}, headers=as_("ISR", "liaison")
    ).json()
    carried = {"channel": "usa-isr", "body": "photo of the crater", "attachments": [upload["id"]]}
    assert client.post("/api/v1/messages", json=carried, headers=as_("ISR", "liaison")).status_code == 201
    incident = report(client, as_("ISR", "liaison"), attachments=[upload["id"]]).json()
    assert incident["attachments"] == [upload["id"]]
    seen_by_syr = client.get(f"/api/v1/incidents/{incident['id']}", headers=as_("SYR", "liaison")).json()
    assert seen_by_syr["attachments"] == []  # the file went to the mediator only
    seen_by_usa = client.get(f"/api/v1/incidents/{incident['id']}", headers=as_("USA", "liaison")).json()
    assert seen_by_usa["attachments"] == [upload["id"]]


ONE_HOUR_AGO = (utcnow() - timedelta(hours=1)).isoformat()
BOWTIE = [[35.80, 33.10], [35.84, 33.14], [35.84, 33.10], [35.80, 33.14], [35.80, 33.10]]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"location": {"type": "Point", "coordinates": [35.8, 95]}}, "body.location.coordinates"),
        ({"location": {"type": "Point", "coordinates": [181, 33.1]}}, "body.location.coordinates"),
        ({"location": {"type": "Point", "coordinates": ["35.8", 33.1]}}, "body.location.coordinates"),
        ({"location": point(48.8566, 2.3522)}, "body.location.coordinates"),  # Paris: outside the area of interest
        ({"location": {"type": "Polygon", "coordinates": [BOWTIE]}}, "body.location.coordinates"),
        ({"location": {"type": "Polygon", "coordinates": [BOWTIE[:4]]}}, "body.location.coordinates"),  # not closed
        ({"location": {"type": "LineString", "coordinates": [[35.8, 33.1], [35.9, 33.2]]}}, "body.location.type"),
        ({"occurred_until": (utcnow() - timedelta(hours=2)).isoformat()}, "body.occurred_until"),
        ({"occurred_at": (utcnow() + timedelta(days=1)).isoformat()}, "body.occurred_at"),
        ({"occurred_at": "2026-01-06T10:00:00"}, "body.occurred_at"),  # no time zone
        ({"type": "skirmish"}, "body.type"),
        ({"type": "Armed Clash"}, "body.type"),
        ({"severity": 6}, "body.severity"),
        ({"severity": 0}, "body.severity"),
        ({"casualties": {"killed": -1}}, "body.casualties.killed"),
        ({"casualties": {"killed": 1, "civilians_killed": 2}}, "body.casualties.civilians_killed"),
        ({"description": "x" * 10_001}, "body.description"),
        ({"description": ""}, "body.description"),
        ({"sources": ["x" * 201]}, "body.sources"),
        ({"time_precision": "minute"}, "body.time_precision"),
        ({"geo_precision": "somewhere"}, "body.geo_precision"),
        ({"releasable_to": ["XYZ"]}, "body.releasable_to"),
        ({"releasable_to": ["usa"]}, "body.releasable_to.0"),
        ({"actor_party": "XYZ"}, "body.actor_party"),
        ({"attachments": ["01a217a2-0000-7000-8000-000000000000"]}, "body.attachments"),
        ({"marking": "SECRET"}, "body.marking"),
        ({"surprise": True}, "body.surprise"),
    ],
)
def test_bad_reports_name_the_field_and_store_nothing(client, db, as_, fields, field):
    size = tree_size(db)
    response = report(client, as_("ISR", "liaison"), **fields)
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "invalid" and field in [d["field"] for d in error["details"]], error
    assert tree_size(db) == size
    assert client.get("/api/v1/incidents", headers=as_("ISR", "liaison")).json()["items"] == []


def test_a_time_window_in_order_is_kept(client, as_):
    start = utcnow() - timedelta(hours=3)
    body = report_body(occurred_at=start.isoformat(), occurred_until=(start + timedelta(hours=1)).isoformat())
    incident = client.post("/api/v1/incidents", json=body, headers=as_("ISR", "liaison")).json()
    assert incident["occurred_until"] > incident["occurred_at"]


def test_the_list_filters_and_pages(client, as_):
    isr, syr = as_("ISR", "liaison"), as_("SYR", "liaison")
    lat, lon = moved(HADER, east_km=3)
    clash = report(client, isr, actor_party="SYR").json()
    strike = report(client, syr, type="air-drone-strike", actor_party="ISR", location=point(lat, lon)).json()
    old = report(client, syr, type="peaceful-protest", occurred_at=(utcnow() - timedelta(days=10)).isoformat()).json()

    def ids(**query):
        response = client.get("/api/v1/incidents", params=query, headers=as_("USA", "liaison"))
        assert response.status_code == 200, response.text
        return [item["id"] for item in response.json()["items"]]

    assert ids() == [old["id"], strike["id"], clash["id"]]  # newest report first
    assert ids(party="SYR") == [old["id"], strike["id"]]
    assert ids(actor="ISR") == [strike["id"]]
    assert ids(type="explosions-remote-violence") == [strike["id"]]  # an event type covers its sub-types
    assert ids(type="armed-clash") == [clash["id"]]
    assert ids(zone="aos") == [old["id"], clash["id"]]
    assert ids(since=(utcnow() - timedelta(days=1)).isoformat()) == [strike["id"], clash["id"]]
    assert ids(until=(utcnow() - timedelta(days=1)).isoformat()) == [old["id"]]
    assert ids(stage="reported", status="released") == [old["id"], strike["id"], clash["id"]]
    first = client.get("/api/v1/incidents?limit=2", headers=as_("USA", "liaison")).json()
    assert [i["id"] for i in first["items"]] == [old["id"], strike["id"]] and first["next_cursor"] == strike["id"]
    rest = client.get(f"/api/v1/incidents?limit=2&cursor={first['next_cursor']}", headers=as_("USA", "liaison"))
    assert [i["id"] for i in rest.json()["items"]] == [clash["id"]] and rest.json()["next_cursor"] is None


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("type=skirmish", "query.type"),
        ("zone=nowhere", "query.zone"),
        ("party=XYZ", "query.party"),
        ("actor=XYZ", "query.actor"),
        ("stage=pondering", "query.stage"),
        ("since=2026-01-06T10:00:00", "query.since"),
        ("since=2026-01-06T10:00:00Z&until=2026-01-05T10:00:00Z", "query.until"),
        ("limit=0", "query.limit"),
    ],
)
def test_bad_filters_name_the_field(client, as_, query, field):
    response = client.get(f"/api/v1/incidents?{query}", headers=as_("ISR", "liaison"))
    assert response.status_code == 422
    assert field in [d["field"] for d in response.json()["error"]["details"]]
