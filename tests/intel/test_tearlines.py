"""A tearline: ISR sanitises its report for SYR; it reaches SYR only after the mediator approves, and the
derived-from link is seen by the original's readers (USA, ISR), never by SYR."""

import json

from tests.intel.conftest import report_body


def _tearline(**overrides):
    body = report_body(
        title="Launch activity in the southern sector",
        summary="Launches observed; details withheld.",
        observables=[{"type": "ipv4-addr", "value": "198.51.100.7"}],
        threat_actors=[],
        place=None,
        releasable_to=["SYR"],
    )
    return body | overrides


def test_a_tearline_flows_through_the_mediator_and_its_link_stays_with_the_original_s_readers(client, as_, write):
    original = write("ISR", releasable_to=["USA"])
    response = client.post(f"/api/v1/intel/reports/{original['id']}/tearlines", json=_tearline(), headers=as_("ISR"))
    assert response.status_code == 201, response.text
    tearline = response.json()
    assert tearline["kind"] == "tearline" and tearline["status"] == "pending"
    assert tearline["readers"] == ["ISR", "SYR", "USA"]
    path = f"/api/v1/intel/reports/{tearline['id']}"
    assert client.get(path, headers=as_("SYR")).status_code == 404  # not before the mediator approves

    queue = client.get("/api/v1/intel/reports?awaiting=mediator&kind=tearline", headers=as_("USA")).json()["items"]
    assert [r["id"] for r in queue] == [tearline["id"]]
    assert client.post(f"{path}/approve", headers=as_("USA")).json()["status"] == "released"

    seen_by_syr = client.get(path, headers=as_("SYR"))
    assert seen_by_syr.status_code == 200
    assert seen_by_syr.json()["tearline_links"] == []
    text = seen_by_syr.text
    original_stix = next(o["id"] for o in original["objects"] if o["type"] == "report")
    assert original["id"] not in text and original_stix not in text and original["title"] not in text
    syr_list = client.get("/api/v1/intel/reports", headers=as_("SYR")).text
    assert original["id"] not in syr_list and tearline["id"] in syr_list
    assert client.get(f"/api/v1/intel/reports/{original['id']}", headers=as_("SYR")).status_code == 404
    syr_export = client.get("/api/v1/intel/export.json", headers=as_("SYR")).json()
    assert not [o for o in syr_export["objects"] if o.get("relationship_type") == "derived-from"]

    for party in ("USA", "ISR"):
        for report_id in (original["id"], tearline["id"]):
            [link] = client.get(f"/api/v1/intel/reports/{report_id}", headers=as_(party)).json()["tearline_links"]
            assert link["original_id"] == original["id"] and link["tearline_id"] == tearline["id"]
        export = client.get("/api/v1/intel/export.json", headers=as_(party)).json()
        [relationship] = [o for o in export["objects"] if o.get("relationship_type") == "derived-from"]
        assert relationship["target_ref"] == original_stix


def test_the_original_s_audience_is_unchanged(client, as_, write):
    original = write("ISR", releasable_to=["USA"])
    client.post(f"/api/v1/intel/reports/{original['id']}/tearlines", json=_tearline(), headers=as_("ISR"))
    after = client.get(f"/api/v1/intel/reports/{original['id']}", headers=as_("ISR")).json()
    assert after["releasable_to"] == ["USA"] and after["version"] == original["version"]
    assert json.dumps(after["objects"], sort_keys=True) == json.dumps(original["objects"], sort_keys=True)


def test_a_tearline_must_widen_the_audience_and_come_from_the_author_s_released_report(client, as_, write):
    original = write("ISR", releasable_to=["USA"])
    url = f"/api/v1/intel/reports/{original['id']}/tearlines"
    narrow = client.post(url, json=_tearline(releasable_to=["USA"]), headers=as_("ISR"))
    assert narrow.status_code == 422 and "releasable_to" in narrow.text
    assert client.post(url, json=_tearline(), headers=as_("USA")).status_code == 403  # not its report
    assert client.post(url, json=_tearline(), headers=as_("SYR")).status_code == 404  # cannot read it
    draft = write("ISR", draft=True)
    drafted = client.post(f"/api/v1/intel/reports/{draft['id']}/tearlines", json=_tearline(), headers=as_("ISR"))
    assert drafted.status_code == 409


def test_a_returned_tearline_never_reaches_the_wider_audience(client, as_, write):
    original = write("ISR", releasable_to=["USA"])
    tearline = client.post(
        f"/api/v1/intel/reports/{original['id']}/tearlines", json=_tearline(), headers=as_("ISR")
    ).json()
    reason = {"reason": "The address identifies the source."}
    returned = client.post(f"/api/v1/intel/reports/{tearline['id']}/return", json=reason, headers=as_("USA"))
    assert returned.json()["status"] == "draft"
    assert client.get(f"/api/v1/intel/reports/{tearline['id']}", headers=as_("SYR")).status_code == 404
