"""Complaints over the API: a principal complains of the other principal's incident, the accused party
answers, the mediator rules; each step in order, by the right party, in the record."""

import pytest

from fusioncell.ledger.service import tree_size
from tests.incidents.conftest import report


def complain(client, as_, incident_id: str, party: str = "SYR", grounds: str = "No clash took place there."):
    return client.post(
        f"/api/v1/incidents/{incident_id}/complaints", json={"grounds": grounds}, headers=as_(party, "liaison")
    )


def answer(client, as_, complaint_id: str, party: str = "ISR"):
    body = {"answer": "Our patrol came under fire."}
    return client.post(f"/api/v1/complaints/{complaint_id}/answer", json=body, headers=as_(party, "liaison"))


def rule(client, as_, complaint_id: str, ruling: str = "dismissed", party: str = "USA", role: str = "liaison"):
    body = {"ruling": ruling, "reasons": "UNDOF observed the exchange of fire."}
    return client.post(f"/api/v1/complaints/{complaint_id}/ruling", json=body, headers=as_(party, role))


def test_a_complaint_is_filed_answered_and_ruled(client, as_):
    incident = report(client, as_("ISR", "liaison"), actor_party="SYR").json()
    filed = complain(client, as_, incident["id"])
    assert filed.status_code == 201, filed.text
    complaint = filed.json()
    assert (complaint["origin_party"], complaint["accused_party"], complaint["stage"]) == ("SYR", "ISR", "filed")
    assert complaint["incident_id"] == incident["id"] and complaint["ledger_index"] is not None
    answered = answer(client, as_, complaint["id"]).json()
    assert answered["stage"] == "answered" and answered["answered_by"] == "isr.liaison"
    ruled = rule(client, as_, complaint["id"], "dismissed", role="supervisor").json()
    assert (ruled["stage"], ruled["ruling"], ruled["ruled_by"]) == ("ruled", "dismissed", "usa.supervisor")
    assert ruled["version"] == 3 and ruled["ledger_index"] > answered["ledger_index"] > complaint["ledger_index"]
    for party, role, status in (("ISR", "liaison", 200), ("USA", "liaison", 200), ("FRA", "observer", 404)):
        assert client.get(f"/api/v1/complaints/{complaint['id']}", headers=as_(party, role)).status_code == status
    listed = client.get(f"/api/v1/complaints?incident={incident['id']}", headers=as_("ISR", "liaison")).json()
    assert [c["id"] for c in listed["items"]] == [complaint["id"]]


def test_a_party_complains_of_its_own_report_of_the_others_forces(client, as_):
    incident = report(client, as_("SYR", "liaison"), type="air-drone-strike", actor_party="ISR").json()
    complaint = complain(client, as_, incident["id"], party="SYR").json()
    assert complaint["accused_party"] == "ISR"
    assert answer(client, as_, complaint["id"], party="ISR").status_code == 200


@pytest.mark.parametrize(
    ("setup", "party", "status"),
    [
        ({}, "ISR", 409),  # its own report, attributed to nobody else
        ({"actor_party": "ISR"}, "ISR", 409),  # its own forces
        ({}, "USA", 403),  # the mediator rules; it does not complain
        ({"releasable_to": ["SYR", "USA", "UNDOF"]}, "UNDOF", 403),  # observers observe
        ({"releasable_to": ["USA"]}, "SYR", 404),  # what SYR cannot read is no incident for it
    ],
)
def test_who_may_complain_of_what(client, db, as_, setup, party, status):
    incident = report(client, as_("ISR", "liaison"), **setup).json()
    size = tree_size(db)
    role = "observer" if party == "UNDOF" else "liaison"
    response = client.post(
        f"/api/v1/incidents/{incident['id']}/complaints", json={"grounds": "x"}, headers=as_(party, role)
    )
    assert response.status_code == status, response.text
    assert tree_size(db) == size


def test_a_complaint_needs_an_incident_the_accused_can_read(client, as_):
    incident = report(client, as_("SYR", "liaison"), actor_party="ISR", releasable_to=["USA"]).json()
    assert complain(client, as_, incident["id"], party="SYR").status_code == 409


def test_a_retracted_incident_takes_no_complaint(client, as_):
    incident = report(client, as_("ISR", "liaison")).json()
    body = {"reason": "wrong grid"}
    client.post(f"/api/v1/incidents/{incident['id']}/retract", json=body, headers=as_("ISR", "liaison"))
    assert complain(client, as_, incident["id"]).status_code == 409


def test_steps_out_of_order_are_conflicts(client, db, as_):
    incident = report(client, as_("ISR", "liaison")).json()
    complaint = complain(client, as_, incident["id"]).json()
    size = tree_size(db)
    assert rule(client, as_, complaint["id"]).status_code == 409  # not answered yet
    assert answer(client, as_, complaint["id"], party="SYR").status_code == 403  # the complainant does not answer
    assert rule(client, as_, complaint["id"], party="ISR").status_code == 403
    assert tree_size(db) == size
    assert answer(client, as_, complaint["id"]).status_code == 200
    assert answer(client, as_, complaint["id"]).status_code == 409
    assert rule(client, as_, complaint["id"], "upheld").status_code == 200
    assert rule(client, as_, complaint["id"], "dismissed").status_code == 409
    bad = rule(client, as_, complaint["id"], "maybe")
    assert bad.status_code == 422 and "body.ruling" in [d["field"] for d in bad.json()["error"]["details"]]
