"""Inspection reports: filed by observers only; counts over a zone's limits are a violation whatever was
marked; cited records must be readable; bad input is a 422 naming the field with nothing stored."""

import pytest

from tests.verification.conftest import MISSING, inspection_body, position_body, posture_body, stored


def inspect(client, headers, **fields):
    return client.post("/api/v1/inspections", json=inspection_body(**fields), headers=headers)


def test_an_observer_files_a_compliant_inspection(client, as_):
    response = inspect(client, as_("UNDOF"))
    assert response.status_code == 201, response.text
    inspection = response.json()
    assert (inspection["result"], inspection["reported_result"]) == ("compliant", "compliant")
    assert inspection["findings"][0]["compliant"] is True and inspection["findings"][0]["over"] == []
    assert inspection["releasable_to"] == ["ISR", "SYR", "USA"] and inspection["ledger_index"] is not None
    assert client.get(f"/api/v1/inspections/{inspection['id']}", headers=as_("SYR", "liaison")).status_code == 200
    assert client.get(f"/api/v1/inspections/{inspection['id']}", headers=as_("FRA")).status_code == 404


def test_counts_over_the_limits_are_a_violation_whatever_was_marked(client, as_):
    findings = [
        {"zone": "aol-bravo-0-10", "observed": {"troops": 6100, "tanks": 80}, "compliant": True},
        {"zone": "aol-bravo-20-25", "observed": {"missiles": 0}, "compliant": True},
    ]
    zones = ["aol-bravo-0-10", "aol-bravo-20-25"]
    inspection = inspect(client, as_("UNDOF"), zones=zones, findings=findings).json()
    assert (inspection["result"], inspection["reported_result"]) == ("violation", "compliant")
    first, second = inspection["findings"]
    assert first["compliant"] is False
    assert first["over"] == [
        {"limit": "troops", "observed": 6100, "allowed": 6000},
        {"limit": "tanks", "observed": 80, "allowed": 75},
    ]
    assert second["compliant"] is True and second["over"] == []


def test_a_finding_marked_not_compliant_makes_the_result_a_violation(client, as_):
    findings = [{"zone": "aol-bravo-0-10", "observed": {}, "compliant": False, "remark": "fresh earthworks"}]
    inspection = inspect(client, as_("UNDOF"), findings=findings, result="inconclusive").json()
    assert inspection["result"] == "violation" and inspection["reported_result"] == "inconclusive"


@pytest.mark.parametrize(
    ("party", "role"), [("ISR", "liaison"), ("SYR", "officer:deescalation"), ("USA", "supervisor"), ("UNDOF", "admin")]
)
def test_only_observers_inspect(client, as_, db, party, role):
    before = stored(db)
    response = inspect(client, as_(party, role))
    assert response.status_code == 403
    assert stored(db) == before


def test_a_cited_record_must_be_one_the_observer_may_read(client, as_, db):
    isr = as_("ISR", "liaison")
    hidden = client.post("/api/v1/posture-declarations", json=posture_body(), headers=isr).json()
    shown = client.post(
        "/api/v1/posture-declarations", json=posture_body(releasable_to=["USA", "SYR", "UNDOF"]), headers=isr
    ).json()
    position = client.post("/api/v1/positions", json=position_body(), headers=isr).json()  # observers read it
    before = stored(db)
    refused = inspect(
        client,
        as_("UNDOF"),
        declaration_id=hidden["id"],
        zones=["aol-alpha-0-10"],
        findings=[{"zone": "aol-alpha-0-10", "observed": {"troops": 1}, "compliant": True}],
    )
    assert refused.status_code == 422
    assert [d["field"] for d in refused.json()["error"]["details"]] == ["body.declaration_id"]
    assert stored(db) == before
    cited = inspect(client, as_("UNDOF"), declaration_id=shown["id"], position_id=position["id"])
    assert cited.status_code == 201, cited.text
    assert cited.json()["declaration_id"] == shown["id"] and cited.json()["position_id"] == position["id"]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"zones": ["nowhere"]}, "body.zones.0"),
        ({"zones": []}, "body.zones"),
        ({"findings": [{"zone": "aos", "observed": {}, "compliant": True}]}, "body.findings.0.zone"),
        (
            {"findings": [{"zone": "aol-bravo-0-10", "observed": {"tanks": -3}, "compliant": True}]},
            "body.findings.0.observed.tanks",
        ),
        ({"findings": []}, "body.findings"),
        ({"result": "fine"}, "body.result"),
        ({"summary": ""}, "body.summary"),
        ({"position_id": MISSING}, "body.position_id"),
        ({"inspected_at": "2999-01-01T00:00:00Z"}, "body.inspected_at"),
    ],
)
def test_bad_input_names_the_field_and_stores_nothing(client, as_, db, fields, field):
    before = stored(db)
    response = inspect(client, as_("UNDOF"), **fields)
    assert response.status_code == 422, response.text
    assert field in [d["field"] for d in response.json()["error"]["details"]]
    assert stored(db) == before


def test_the_list_filters_by_zone_and_result(client, as_):
    undof = as_("UNDOF")
    ok = inspect(client, undof).json()
    bad = inspect(client, undof, findings=[{"zone": "aol-bravo-0-10", "observed": {"troops": 9000}, "compliant": True}])
    listed = client.get("/api/v1/inspections", headers=as_("USA", "liaison")).json()["items"]
    assert [i["id"] for i in listed][:2] == [bad.json()["id"], ok["id"]]
    violations = client.get("/api/v1/inspections?result=violation", headers=undof).json()["items"]
    assert [i["id"] for i in violations] == [bad.json()["id"]]
    assert client.get("/api/v1/inspections?zone=aol-alpha-0-10", headers=undof).json()["items"] == []
