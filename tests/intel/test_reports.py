"""Reports go exactly where their author sends them, graded as analysts grade, marked as STIX marks."""

import uuid

from sqlalchemy import func, select

from fusioncell.db.base import Marking
from fusioncell.intel.markings import identity_id, rel_to_definition, tlp_marking_id
from fusioncell.intel.models import IntelObject, IntelReport
from tests.intel.conftest import report_body


def _get(client, as_, report_id, party, role=None):
    return client.get(f"/api/v1/intel/reports/{report_id}", headers=as_(party, role))


def test_a_report_to_the_mediator_reaches_it_alone_graded_and_marked(client, as_, write, cell):
    report = write("ISR")
    assert report["status"] == "released"  # nobody but the mediator reads it: nothing to supervise
    assert report["readers"] == ["ISR", "USA"] and report["collection"] == "usa-isr"
    assert report["admiralty_code"] == "B2" and report["confidence"] == 70
    assert _get(client, as_, report["id"], "USA").status_code == 200
    for party in ("SYR", "FRA", "JOR", "UNDOF"):
        assert _get(client, as_, report["id"], party).status_code == 404
    objects = {o["type"]: o for o in report["objects"]}
    assert set(objects) == {"indicator", "threat-actor", "location", "report"}
    assert objects["report"]["confidence"] == 70 and objects["report"]["x_admiralty_source_reliability"] == "B"
    rel_to = rel_to_definition({"ISR", "USA"})
    assert rel_to["definition"]["statement"] == "REL TO ISR, USA"
    for obj in report["objects"]:
        assert obj["object_marking_refs"][:2] == [tlp_marking_id(Marking.AMBER), rel_to["id"]]
        assert obj["created_by_ref"] == identity_id(cell, "ISR")
    patterns = sorted(o["pattern"] for o in report["objects"] if o["type"] == "indicator")
    assert patterns == [f"[file:hashes.'SHA-256' = '{'a' * 64}']", "[ipv4-addr:value = '198.51.100.7']"]


def test_supervised_delivery_holds_a_report_until_the_mediator_approves(client, as_, write):
    report = write("ISR", releasable_to=["SYR"])
    assert report["status"] == "pending" and report["readers"] == ["ISR", "SYR", "USA"]
    assert _get(client, as_, report["id"], "SYR").status_code == 404
    queue = client.get("/api/v1/intel/reports?awaiting=mediator", headers=as_("USA")).json()["items"]
    assert report["id"] in {r["id"] for r in queue}
    assert client.post(f"/api/v1/intel/reports/{report['id']}/approve", headers=as_("ISR")).status_code == 403
    approved = client.post(f"/api/v1/intel/reports/{report['id']}/approve", headers=as_("USA"))
    assert approved.status_code == 200 and approved.json()["status"] == "released"
    assert _get(client, as_, report["id"], "SYR").json()["objects"]


def test_the_mediator_returns_a_report_to_its_author_with_a_reason(client, as_, write):
    report = write("SYR", releasable_to=["ISR"])
    path = f"/api/v1/intel/reports/{report['id']}"
    assert client.post(f"{path}/return", json={"reason": ""}, headers=as_("USA")).status_code == 422
    returned = client.post(f"{path}/return", json={"reason": "Name the source's access."}, headers=as_("USA"))
    assert returned.json()["status"] == "draft" and returned.json()["returned_reason"] == "Name the source's access."
    assert _get(client, as_, report["id"], "USA").status_code == 404  # a draft is its party's alone
    again = client.post(f"{path}/release", headers=as_("SYR"))
    assert again.json()["status"] == "pending" and again.json()["returned_reason"] is None


def test_tlp_red_needs_a_second_officer_of_the_author_s_party(client, as_, write):
    report = write("ISR", "liaison", marking="TLP:RED", releasable_to=["SYR"])
    path = f"/api/v1/intel/reports/{report['id']}"
    assert report["status"] == "draft" and report["release_requested_by"] == "isr.liaison"
    assert _get(client, as_, report["id"], "USA").status_code == 404
    assert client.post(f"{path}/second-approval", headers=as_("ISR", "liaison")).status_code == 403
    assert client.post(f"{path}/second-approval", headers=as_("SYR")).status_code == 404
    assert client.post(f"{path}/release", headers=as_("ISR", "liaison")).status_code == 409
    second = client.post(f"{path}/second-approval", headers=as_("ISR", "officer:intelligence"))
    assert second.status_code == 200, second.text
    assert second.json()["status"] == "pending" and second.json()["second_approved_by"] == "isr.officer-intelligence"
    client.post(f"{path}/approve", headers=as_("USA"))
    assert _get(client, as_, report["id"], "SYR").json()["status"] == "released"


def test_a_marking_that_contradicts_the_audience_is_refused_and_nothing_stored(client, as_, db):
    before = db.scalar(select(func.count()).select_from(IntelReport))
    response = client.post(
        "/api/v1/intel/reports", json=report_body(marking="TLP:RED", releasable_to=["UNDOF"]), headers=as_("ISR")
    )
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["field"] == "marking"
    assert "observer" in response.json()["error"]["message"]
    assert db.scalar(select(func.count()).select_from(IntelReport)) == before


def test_bad_report_fields_are_named(client, as_):
    cases = [
        ({"observables": [{"type": "ipv4-addr", "value": "999.1.1.1"}]}, "observables"),
        ({"source_reliability": "G"}, "source_reliability"),
        ({"credibility": "7"}, "credibility"),
        ({"releasable_to": ["XXX"]}, "releasable_to"),
        ({"marking": "TLP:WHITE"}, "marking"),
    ]
    for change, field in cases:
        response = client.post("/api/v1/intel/reports", json=report_body(**change), headers=as_("ISR"))
        assert response.status_code == 422, change
        assert field in response.text


def test_drafts_and_retraction(client, as_, write, db):
    draft = write("SYR", draft=True, releasable_to=["ISR"])
    assert draft["status"] == "draft"
    assert _get(client, as_, draft["id"], "USA").status_code == 404
    released = client.post(f"/api/v1/intel/reports/{draft['id']}/release", headers=as_("SYR")).json()
    client.post(f"/api/v1/intel/reports/{draft['id']}/approve", headers=as_("USA"))
    assert (
        client.post(
            f"/api/v1/intel/reports/{draft['id']}/retract", json={"reason": "x"}, headers=as_("ISR")
        ).status_code
        == 403
    )
    retracted = client.post(
        f"/api/v1/intel/reports/{draft['id']}/retract", json={"reason": "Source recanted."}, headers=as_("SYR")
    ).json()
    assert released["status"] == "pending" and retracted["status"] == "retracted"
    seen = _get(client, as_, draft["id"], "ISR").json()
    assert seen["retraction_reason"] == "Source recanted." and seen["objects"] == [] and seen["summary"] == ""
    statuses = db.scalars(select(IntelObject.status).where(IntelObject.report_id == uuid.UUID(draft["id"]))).all()
    assert statuses and set(statuses) == {"retracted"}  # the objects' copy of the envelope moved with it


def test_observers_and_non_speakers(client, as_):
    assert client.post("/api/v1/intel/reports", json=report_body(), headers=as_("ISR", "admin")).status_code == 403
    undof = client.post("/api/v1/intel/reports", json=report_body(releasable_to=["USA"]), headers=as_("UNDOF"))
    assert undof.status_code == 201


def test_the_audience_preview_says_who_reads_and_who_approves(client, as_):
    preview = client.get("/api/v1/intel/audience?releasable_to=SYR&marking=TLP:RED", headers=as_("ISR")).json()
    assert preview == {
        "readers": ["ISR", "SYR", "USA"],
        "collection": "trilateral",
        "waits_for": ["a second officer of ISR", "the mediator (USA)"],
        "problem": None,
    }
    observer = client.get("/api/v1/intel/audience?releasable_to=UNDOF&marking=TLP:RED", headers=as_("ISR")).json()
    assert "observer" in observer["problem"] and observer["collection"] is None
