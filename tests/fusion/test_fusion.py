"""Fusion of duplicate reports, through the API: proposed by the desk, decided by the mediator."""

from tests.fusion.conftest import KHAN_ARNABAH, shelling
from tests.incidents.conftest import MISSING


def proposals(client, headers) -> list[dict]:
    response = client.get("/api/v1/fusions?stage=proposed", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()["items"]


def test_two_parties_reports_of_one_shelling_are_proposed_merged_and_each_keeps_its_own_details(
    client, as_, two_reports
):
    isr, syr = two_reports
    [proposal] = proposals(client, as_("USA"))
    assert {m["incident_id"] for m in proposal["members"]} == {isr["id"], syr["id"]}
    assert {m["origin_party"] for m in proposal["members"]} == {"ISR", "SYR"}
    [closest] = [m for m in proposal["members"] if m["incident_id"] == isr["id"]]
    assert closest["minutes_apart"] == 10.0 and 0.75 < closest["km_apart"] < 0.85
    # A proposal is the mediator's alone: neither party learns the other reported anything.
    for party in ("ISR", "SYR"):
        assert client.get("/api/v1/fusions", headers=as_(party)).json()["items"] == []
        assert client.get(f"/api/v1/fusions/{proposal['id']}", headers=as_(party)).status_code == 404

    merged = client.post(f"/api/v1/fusions/{proposal['id']}/confirm", json={}, headers=as_("USA"))
    assert merged.status_code == 200, merged.text
    fused = merged.json()
    assert fused["stage"] == "merged" and fused["releasable_to"] == ["ISR", "SYR"]
    assert fused["type"] == "shelling-artillery-missile-attack" and fused["occurred_until"] is not None
    # The mediator reads both reports in full.
    assert all(m["incident"] is not None for m in fused["members"])

    for party, own, other in (("ISR", isr, syr), ("SYR", syr, isr)):
        seen = client.get(f"/api/v1/fusions/{fused['id']}", headers=as_(party))
        assert seen.status_code == 200, seen.text
        members = {m["incident_id"]: m for m in seen.json()["members"]}
        assert members[own["id"]]["incident"]["description"] == own["description"]
        # Who said what is shown; what the other party said is not, as it was not released to this party.
        assert members[other["id"]]["origin_party"] == other["origin_party"]
        assert members[other["id"]]["incident"] is None
        assert other["description"] not in seen.text
        assert client.get(f"/api/v1/incidents/{other['id']}", headers=as_(party)).status_code == 404
    # An observer was not named: the fusion is not theirs to read.
    assert client.get(f"/api/v1/fusions/{fused['id']}", headers=as_("UNDOF")).status_code == 404


def test_a_report_released_to_the_other_party_is_shown_in_full_in_the_fused_view(client, as_):
    isr = client.post("/api/v1/incidents", json=shelling(30, *KHAN_ARNABAH), headers=as_("ISR")).json()
    syr = client.post(
        "/api/v1/incidents", json=shelling(25, KHAN_ARNABAH[0], KHAN_ARNABAH[1] + 0.005), headers=as_("SYR")
    ).json()
    [proposal] = proposals(client, as_("USA"))
    client.post(f"/api/v1/fusions/{proposal['id']}/confirm", json={}, headers=as_("USA"))
    seen = client.get(f"/api/v1/fusions/{proposal['id']}", headers=as_("ISR")).json()
    assert {m["incident_id"]: m["incident"] is not None for m in seen["members"]} == {isr["id"]: True, syr["id"]: True}


def test_reports_too_far_apart_in_time_place_or_type_are_not_proposed(client, as_):
    client.post("/api/v1/incidents", json=shelling(300, *KHAN_ARNABAH), headers=as_("ISR"))
    client.post("/api/v1/incidents", json=shelling(200, *KHAN_ARNABAH), headers=as_("SYR"))  # 100 min later
    client.post("/api/v1/incidents", json=shelling(300, KHAN_ARNABAH[0] + 0.05, KHAN_ARNABAH[1]), headers=as_("SYR"))
    client.post(  # same time and place, another event type
        "/api/v1/incidents", json=shelling(300, *KHAN_ARNABAH, type="peaceful-protest"), headers=as_("SYR")
    )
    assert proposals(client, as_("USA")) == []


def test_one_officer_s_two_reports_are_not_each_other_s_duplicate(client, as_):
    client.post("/api/v1/incidents", json=shelling(30, *KHAN_ARNABAH), headers=as_("ISR"))
    client.post("/api/v1/incidents", json=shelling(29, *KHAN_ARNABAH), headers=as_("ISR"))
    assert proposals(client, as_("USA")) == []


def test_a_third_report_joins_the_open_proposal_and_a_later_one_proposes_extending_the_merged_fusion(
    client, as_, two_reports
):
    undof = client.post("/api/v1/incidents", json=shelling(55, *KHAN_ARNABAH), headers=as_("UNDOF")).json()
    [proposal] = proposals(client, as_("USA"))
    assert len(proposal["members"]) == 3 and proposal["version"] == 2
    fused = client.post(f"/api/v1/fusions/{proposal['id']}/confirm", json={}, headers=as_("USA")).json()
    assert fused["releasable_to"] == ["ISR", "SYR", "UNDOF"]

    jor = client.post("/api/v1/incidents", json=shelling(52, *KHAN_ARNABAH), headers=as_("JOR")).json()
    [extension] = proposals(client, as_("USA"))
    assert extension["extends_id"] == fused["id"]
    assert [m["incident_id"] for m in extension["members"]] == [jor["id"]]
    extended = client.post(f"/api/v1/fusions/{extension['id']}/confirm", json={}, headers=as_("USA"))
    assert extended.status_code == 200, extended.text
    assert extended.json()["id"] == fused["id"] and len(extended.json()["members"]) == 4
    assert undof["id"] in {m["incident_id"] for m in extended.json()["members"]}


def test_the_mediator_splits_a_report_out_and_a_fusion_left_with_one_report_ends(client, as_, two_reports):
    isr, syr = two_reports
    [proposal] = proposals(client, as_("USA"))
    client.post(f"/api/v1/fusions/{proposal['id']}/confirm", json={}, headers=as_("USA"))
    split = client.post(
        f"/api/v1/fusions/{proposal['id']}/split",
        json={"incident_ids": [syr["id"]], "reason": "SYR's report is of a second battery, 20 minutes on."},
        headers=as_("USA"),
    )
    assert split.status_code == 200, split.text
    body = split.json()
    assert body["stage"] == "split" and body["reason"].startswith("SYR's report")
    assert {m["state"] for m in body["members"]} == {"split"}
    # Its reports are free to be fused again.
    again = client.post("/api/v1/fusions", json={"incident_ids": [isr["id"], syr["id"]]}, headers=as_("USA"))
    assert again.status_code == 201, again.text


def test_a_dismissed_proposal_stays_the_mediator_s_and_cannot_be_confirmed(client, as_, two_reports):
    [proposal] = proposals(client, as_("USA"))
    dismissed = client.post(
        f"/api/v1/fusions/{proposal['id']}/dismiss", json={"reason": "Two batteries."}, headers=as_("USA")
    )
    assert dismissed.status_code == 200 and dismissed.json()["stage"] == "dismissed"
    assert dismissed.json()["releasable_to"] == []
    again = client.post(f"/api/v1/fusions/{proposal['id']}/confirm", json={}, headers=as_("USA"))
    assert again.status_code == 409


def test_a_report_is_in_one_merged_fusion_at_most(client, as_, two_reports):
    isr, syr = two_reports
    [proposal] = proposals(client, as_("USA"))
    client.post(f"/api/v1/fusions/{proposal['id']}/confirm", json={}, headers=as_("USA"))
    other = client.post("/api/v1/incidents", json=shelling(240, *KHAN_ARNABAH), headers=as_("UNDOF")).json()
    second = client.post("/api/v1/fusions", json={"incident_ids": [isr["id"], other["id"]]}, headers=as_("USA"))
    assert second.status_code == 409 and proposal["id"] in second.json()["error"]["message"]


def test_only_the_mediator_decides(client, as_, two_reports):
    isr, syr = two_reports
    [proposal] = proposals(client, as_("USA"))
    fused = client.post(f"/api/v1/fusions/{proposal['id']}/confirm", json={}, headers=as_("USA")).json()
    for party in ("ISR", "SYR"):
        assert (
            client.post(
                f"/api/v1/fusions/{fused['id']}/split",
                json={"incident_ids": [isr["id"]], "reason": "no"},
                headers=as_(party),
            ).status_code
            == 403
        )
        made = client.post("/api/v1/fusions", json={"incident_ids": [isr["id"], syr["id"]]}, headers=as_(party))
        assert made.status_code == 403
    # The mediator's observers-facing admin is not a decider either.
    assert (
        client.post(
            f"/api/v1/fusions/{fused['id']}/split",
            json={"incident_ids": [isr["id"]], "reason": "x"},
            headers=as_("USA", "admin"),
        ).status_code
        == 403
    )


def test_bad_input_is_refused_naming_the_field_and_changes_nothing(client, as_, two_reports):
    isr, syr = two_reports
    [proposal] = proposals(client, as_("USA"))
    cases = [
        (f"/api/v1/fusions/{proposal['id']}/confirm", {"releasable_to": ["XXX"]}, "body.releasable_to"),
        (f"/api/v1/fusions/{proposal['id']}/confirm", {"releasable_to": ["isr"]}, "body.releasable_to.0"),
        (f"/api/v1/fusions/{proposal['id']}/split", {"incident_ids": [MISSING], "reason": "x"}, "body.incident_ids"),
        (f"/api/v1/fusions/{proposal['id']}/split", {"incident_ids": [isr["id"]]}, "body.reason"),
        ("/api/v1/fusions", {"incident_ids": [isr["id"]]}, "body.incident_ids"),
        ("/api/v1/fusions", {"incident_ids": [isr["id"], MISSING]}, "body.incident_ids"),
        ("/api/v1/fusions", {"incident_ids": [isr["id"], isr["id"]]}, "body.incident_ids"),
    ]
    for path, body, field in cases:
        response = client.post(path, json=body, headers=as_("USA"))
        assert response.status_code == 422, (path, body, response.text)
        assert field in {d["field"] for d in response.json()["error"]["details"]}, (path, response.json())
    after = client.get(f"/api/v1/fusions/{proposal['id']}", headers=as_("USA")).json()
    assert after["version"] == proposal["version"] and after["stage"] == "proposed"
    assert len(client.get("/api/v1/fusions", headers=as_("USA")).json()["items"]) == 1
    assert client.post(f"/api/v1/fusions/{MISSING}/confirm", json={}, headers=as_("USA")).status_code == 404
