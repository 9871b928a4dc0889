"""STIX bundles in and out: an upload is checked whole and stored whole or not at all; an export holds
exactly what the caller may read and passes stix2-validator with no errors; the record covers it all."""

import uuid

from sqlalchemy import func, select, update
from stix2validator import ValidationOptions, validate_instance

from fusioncell.intel.models import IntelObject, IntelReport
from fusioncell.ledger.audit import audit
from fusioncell.ledger.note import Verifier
from tests.intel.conftest import bundle_of, indicator


def _upload(client, as_, bundle, party="ISR", **envelope):
    body = {"bundle": bundle, "releasable_to": ["USA"], "source_reliability": "C", "credibility": "3"} | envelope
    return client.post("/api/v1/intel/bundles", json=body, headers=as_(party))


def _counts(db):
    return db.scalar(select(func.count()).select_from(IntelReport)), db.scalar(
        select(func.count()).select_from(IntelObject)
    )


def test_a_valid_bundle_is_stored_whole_and_graded(client, as_):
    threat_actor = {
        "type": "threat-actor",
        "spec_version": "2.1",
        "id": f"threat-actor--{uuid.uuid4()}",
        "created": "2026-11-20T10:00:00.000Z",
        "modified": "2026-11-20T10:00:00.000Z",
        "name": "Liwa al-Test",
    }
    response = _upload(client, as_, bundle_of(indicator(), indicator("203.0.113.9"), threat_actor))
    assert response.status_code == 201, response.text
    report = response.json()
    assert report["admiralty_code"] == "C3" and len(report["objects"]) == 3
    assert report["status"] == "released" and report["collection"] == "usa-isr"


def test_one_bad_object_refuses_the_bundle_naming_it_and_stores_nothing(client, as_, db):
    before = _counts(db)
    bad_pattern = indicator(pattern="[ipv4-addr:value = '1.2.3.4'")
    response = _upload(client, as_, bundle_of(indicator(), bad_pattern, indicator("203.0.113.9")))
    assert response.status_code == 422
    details = response.json()["error"]["details"]
    assert {d["field"] for d in details} == {"objects[1].pattern"}
    assert details[0]["id"] == bad_pattern["id"]
    assert _counts(db) == before


def test_invalid_stix_is_named_per_object(client, as_, db):
    before = _counts(db)
    cases = {
        "bad id": indicator(id="indicator--not-a-uuid"),
        "bad timestamp": indicator(modified="2026-11-20 10:00:00"),
        "unknown type": {**indicator(), "type": "x-cell-thing", "id": f"x-cell-thing--{uuid.uuid4()}"},
    }
    for name, obj in cases.items():
        response = _upload(client, as_, bundle_of(indicator(), obj))
        assert response.status_code == 422, name
        assert all(d["field"].startswith("objects[1]") for d in response.json()["error"]["details"]), name
    custom = {**indicator(), "type": "x-cell-thing", "id": f"x-cell-thing--{uuid.uuid4()}"}
    assert _upload(client, as_, bundle_of(custom), allow_custom=True).status_code == 201
    assert _counts(db)[0] == before[0] + 1


def test_a_marking_contradicting_the_envelope_or_audience_is_refused(client, as_, db):
    before = _counts(db)
    red = "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"
    marked = indicator(object_marking_refs=[red])
    response = _upload(client, as_, bundle_of(marked), marking="TLP:GREEN")
    assert response.status_code == 422 and "object_marking_refs" in response.text
    to_observer = _upload(client, as_, bundle_of(indicator()), marking="TLP:RED", releasable_to=["UNDOF"])
    assert to_observer.status_code == 422 and to_observer.json()["error"]["details"][0]["field"] == "marking"
    assert _counts(db) == before


def test_not_a_bundle_and_too_big(client, as_):
    assert _upload(client, as_, {"type": "report"}).status_code == 422
    assert _upload(client, as_, bundle_of()).status_code == 422
    huge = bundle_of(*[indicator(f"10.0.{i // 250}.{i % 250}", description="x" * 2000) for i in range(6000)])
    response = _upload(client, as_, huge)
    assert response.status_code == 413


def test_the_export_holds_what_the_caller_may_read_and_validates(client, as_, write):
    to_usa = write("ISR", releasable_to=["USA"])
    to_syr = write("ISR", releasable_to=["SYR"])
    client.post(f"/api/v1/intel/reports/{to_syr['id']}/approve", headers=as_("USA"))
    ids = {party: {o["id"] for o in client.get("/api/v1/intel/export.json", headers=as_(party)).json()["objects"]}
           for party in ("USA", "ISR", "SYR", "UNDOF")}  # fmt: skip
    usa_only = {o["id"] for o in to_usa["objects"]}
    syr_too = {o["id"] for o in to_syr["objects"]}
    assert usa_only <= ids["USA"] and usa_only <= ids["ISR"] and not usa_only & ids["SYR"]
    assert syr_too <= ids["SYR"] and not (usa_only | syr_too) & ids["UNDOF"]
    for party in ("USA", "SYR"):
        response = client.get("/api/v1/intel/export.json", headers=as_(party))
        assert response.headers["content-type"].startswith("application/stix+json")
        result = validate_instance(response.json(), ValidationOptions())
        assert result.is_valid, [str(e) for e in result.errors]


def test_the_record_covers_reports_and_their_objects(client, as_, write, db, signer):
    report = write("ISR", releasable_to=["SYR"])
    client.post(f"/api/v1/intel/reports/{report['id']}/approve", headers=as_("USA"))
    write("SYR", releasable_to=["ISR"])  # pending
    write("ISR", marking="TLP:RED")  # waiting for a second officer
    tearline = {"title": "Sanitised", "releasable_to": ["SYR", "JOR"]}
    client.post(f"/api/v1/intel/reports/{report['id']}/tearlines", json=tearline, headers=as_("ISR"))
    db.flush()
    db.expire_all()
    verifier = Verifier.from_vkey(signer.verifier_key())
    assert audit(db, verifier=verifier) == []
    db.execute(
        update(IntelObject)
        .where(IntelObject.report_id == uuid.UUID(report["id"]))
        .values(releasable_to=frozenset({"SYR", "UNDOF"}))  # shown to one more party, unrecorded
    )
    db.expire_all()
    [finding] = audit(db, verifier=verifier)
    assert finding.where == f"intel_reports/{report['id']}"


def test_versions_of_an_object_are_kept_once_each_and_the_newest_is_the_latest(client, as_, db):
    first = indicator()
    later = first | {"modified": "2026-11-21T10:00:00.000Z", "name": "revised"}
    assert _upload(client, as_, bundle_of(first)).status_code == 201
    assert _upload(client, as_, bundle_of(first)).status_code == 201  # the same version again: a retry
    assert _upload(client, as_, bundle_of(later)).status_code == 201
    earlier = first | {"modified": "2026-11-20T12:00:00.000Z", "name": "older"}  # arrives last, is not the latest
    assert _upload(client, as_, bundle_of(earlier)).status_code == 201
    rows = db.execute(
        select(IntelObject.version, IntelObject.is_latest).where(IntelObject.stix_id == first["id"])
    ).all()
    assert sorted(rows) == [
        ("2026-11-20T10:00:00.000000Z", False),
        ("2026-11-20T12:00:00.000000Z", False),
        ("2026-11-21T10:00:00.000000Z", True),
    ]


def test_an_upload_s_grade_is_read_back_from_its_stix_when_not_given(client, as_):
    marker = indicator()
    report = {
        "type": "report",
        "spec_version": "2.1",
        "id": f"report--{uuid.uuid4()}",
        "created": "2026-11-20T10:00:00.000Z",
        "modified": "2026-11-20T10:00:00.000Z",
        "name": "Imported from a partner platform",
        "published": "2026-11-20T10:00:00Z",
        "object_refs": [marker["id"]],
        "confidence": 70,
    }
    body = {"bundle": bundle_of(marker, report), "releasable_to": ["USA"]}
    uploaded = client.post("/api/v1/intel/bundles", json=body, headers=as_("ISR")).json()
    assert uploaded["admiralty_code"] == "F2" and uploaded["title"] == "Imported from a partner platform"
    written = {"bundle": bundle_of(indicator(), report | {"id": f"report--{uuid.uuid4()}",
               "x_admiralty_source_reliability": "B", "x_admiralty_credibility": "3"})}  # fmt: skip
    assert client.post("/api/v1/intel/bundles", json=written, headers=as_("ISR")).json()["admiralty_code"] == "B3"
