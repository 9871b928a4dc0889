"""Sightings and opinions travel back along the report's own path: to every party that reads it, through
the same supervision, and to nobody else."""

from stix2validator import ValidationOptions, validate_instance


def _released_to_syr(client, as_, write):
    report = write("ISR", releasable_to=["SYR"])
    client.post(f"/api/v1/intel/reports/{report['id']}/approve", headers=as_("USA"))
    return report


def test_a_sighting_reaches_every_reader_of_the_report_after_the_mediator(client, as_, write):
    report = _released_to_syr(client, as_, write)
    body = {"first_seen": "2026-11-25T18:00:00Z", "count": 2, "note": "Same address seen on our side."}
    response = client.post(f"/api/v1/intel/reports/{report['id']}/sightings", json=body, headers=as_("SYR"))
    assert response.status_code == 201, response.text
    sighting = response.json()
    assert sighting["kind"] == "sighting" and sighting["readers"] == ["ISR", "SYR", "USA"]
    assert sighting["status"] == "pending"
    [stix] = sighting["objects"]
    report_stix = next(o["id"] for o in report["objects"] if o["type"] == "report")
    assert stix["type"] == "sighting" and stix["sighting_of_ref"] == report_stix and stix["count"] == 2
    assert validate_instance(stix, ValidationOptions()).is_valid
    answers = client.get(f"/api/v1/intel/reports/{report['id']}", headers=as_("ISR")).json()["answers"]
    assert answers == []  # not before the mediator lets it through
    client.post(f"/api/v1/intel/reports/{sighting['id']}/approve", headers=as_("USA"))
    [answer] = client.get(f"/api/v1/intel/reports/{report['id']}", headers=as_("ISR")).json()["answers"]
    assert answer["id"] == sighting["id"]
    assert client.get(f"/api/v1/intel/reports/{sighting['id']}", headers=as_("UNDOF")).status_code == 404


def test_an_opinion_is_an_stix_opinion_on_the_report(client, as_, write):
    report = _released_to_syr(client, as_, write)
    body = {"opinion": "disagree", "explanation": "The launches were ours, on a training range."}
    opinion = client.post(f"/api/v1/intel/reports/{report['id']}/opinions", json=body, headers=as_("SYR")).json()
    [stix] = opinion["objects"]
    assert stix["type"] == "opinion" and stix["opinion"] == "disagree"
    assert validate_instance(stix, ValidationOptions()).is_valid


def test_answers_need_a_released_readable_report_and_a_valid_body(client, as_, write):
    to_usa = write("ISR", releasable_to=["USA"])
    body = {"opinion": "agree"}
    assert (
        client.post(f"/api/v1/intel/reports/{to_usa['id']}/opinions", json=body, headers=as_("SYR")).status_code == 404
    )
    pending = write("ISR", releasable_to=["SYR"])
    assert (
        client.post(f"/api/v1/intel/reports/{pending['id']}/opinions", json=body, headers=as_("USA")).status_code == 409
    )
    bad = {"first_seen": "2026-11-25T18:00:00Z", "last_seen": "2026-11-24T18:00:00Z"}
    response = client.post(f"/api/v1/intel/reports/{to_usa['id']}/sightings", json=bad, headers=as_("USA"))
    assert response.status_code == 422 and "last_seen" in response.text
    assert (
        client.post(
            f"/api/v1/intel/reports/{to_usa['id']}/opinions", json={"opinion": "maybe"}, headers=as_("USA")
        ).status_code
        == 422
    )
