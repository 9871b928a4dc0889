"""Reports as analysts write them, for the intelligence desk's tests."""

import uuid

import pytest

SHA = "a" * 64


def report_body(**overrides) -> dict:
    body = {
        "title": "Drone launch site near Quneitra",
        "summary": "Two launches observed at dusk; the controller used the address below.",
        "source_reliability": "B",
        "credibility": "2",
        "observables": [{"type": "ipv4-addr", "value": "198.51.100.7"}, {"type": "file:sha256", "value": SHA}],
        "threat_actors": ["Liwa al-Test"],
        "place": {"lat": 33.125, "lon": 35.824, "name": "Quneitra"},
        "marking": "TLP:AMBER",
        "releasable_to": ["USA"],
    }
    return body | overrides


def indicator(value: str = "203.0.113.5", **overrides) -> dict:
    return {
        "type": "indicator",
        "spec_version": "2.1",
        "id": f"indicator--{uuid.uuid4()}",
        "created": "2026-11-20T10:00:00.000Z",
        "modified": "2026-11-20T10:00:00.000Z",
        "name": value,
        "pattern": f"[ipv4-addr:value = '{value}']",
        "pattern_type": "stix",
        "valid_from": "2026-11-20T10:00:00Z",
    } | overrides


def bundle_of(*objects: dict) -> dict:
    return {"type": "bundle", "id": f"bundle--{uuid.uuid4()}", "objects": list(objects)}


@pytest.fixture
def write(client, as_):
    """POST a report as a party (and role); the response JSON, asserting it was stored."""

    def post(party: str, role: str | None = None, **overrides) -> dict:
        response = client.post("/api/v1/intel/reports", json=report_body(**overrides), headers=as_(party, role))
        assert response.status_code == 201, response.text
        return response.json()

    return post
