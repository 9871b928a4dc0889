"""The register through the API: recording, agreement, notes and claims by the responsible party, the mediator's
marks, and every step entering the record."""

from tests.diplomacy.commitments.conftest import liaison
from tests.support import bearer


def test_a_commitment_goes_from_proposed_to_done_through_its_responsible_party(client, population, record):
    made = record(state="proposed")
    assert made["state"] == "proposed" and made["status"] == "released" and made["ledger_index"] is not None
    assert set(made["releasable_to"]) == {"ISR", "SYR"}  # the plenary less the recorder, who is the origin
    where = f"/api/v1/commitments/{made['id']}"
    syr, isr = liaison(population, "SYR"), liaison(population, "ISR")
    syr_other_desk = bearer(population.member("SYR", "officer:intelligence"))

    assert client.post(f"{where}/agree", headers=syr_other_desk).status_code == 403
    assert client.post(f"{where}/claim", json={"state": "done", "note": "x"}, headers=syr).status_code == 409
    agreed = client.post(f"{where}/agree", headers=syr).json()
    assert agreed["state"] == "agreed" and agreed["version"] == 2 and agreed["ledger_index"] > made["ledger_index"]

    assert client.post(f"{where}/notes", json={"body": "Surveyed."}, headers=isr).status_code == 403
    note = client.post(f"{where}/notes", json={"body": "Surveyed the site."}, headers=syr)
    assert note.status_code == 201 and note.json()["ledger_index"] is not None

    assert (
        client.post(f"{where}/claim", json={"state": "in_progress", "note": "Begun."}, headers=isr).status_code == 403
    )
    under_way = client.post(f"{where}/claim", json={"state": "in_progress", "note": "Begun."}, headers=syr).json()
    assert under_way["state"] == "in_progress"
    done = client.post(f"{where}/claim", json={"state": "done", "note": "Removed."}, headers=syr).json()
    assert done["state"] == "done"
    assert [h["state"] for h in done["history"]] == ["proposed", "agreed", "in_progress", "done"]
    assert [n["body"] for n in done["notes"]] == ["Surveyed the site.", "Begun.", "Removed."]
    assert [n["claimed_state"] for n in done["notes"]] == [None, "in_progress", "done"]
    # What ISR sees is the same record; FRA, to whom it was not released, gets the 404 of a missing one.
    assert client.get(where, headers=isr).json()["state"] == "done"
    fra = client.get(where, headers=bearer(population.member("FRA")))
    assert (
        fra.status_code == 404
        and fra.json()
        == client.get(
            "/api/v1/commitments/01a217c0-0000-7000-8000-000000000000", headers=bearer(population.member("FRA"))
        ).json()
    )


def test_only_the_mediator_marks_breached_or_withdrawn(client, population, record):
    made = record()
    where = f"/api/v1/commitments/{made['id']}"
    body = {"state": "breached", "reason": "Checkpoint still manned."}
    assert client.post(f"{where}/mark", json=body, headers=liaison(population, "ISR")).status_code == 403
    assert client.post(f"{where}/mark", json=body, headers=bearer(population.member("USA", "admin"))).status_code == 403
    marked = client.post(f"{where}/mark", json=body, headers=liaison(population, "USA")).json()
    assert marked["state"] == "breached" and marked["history"][-1]["reason"] == "Checkpoint still manned."
    again = client.post(f"{where}/mark", json=body | {"state": "withdrawn"}, headers=liaison(population, "USA"))
    assert again.status_code == 409
    proposal = record(state="proposed")
    refused = client.post(f"/api/v1/commitments/{proposal['id']}/mark", json=body, headers=liaison(population, "USA"))
    assert refused.status_code == 409  # a proposal binds nobody: it is withdrawn, not breached


def test_who_may_record(client, population):
    from tests.diplomacy.commitments.conftest import commitment_body

    for member, expected in (
        (population.member("USA", "liaison"), 201),
        (population.member("ISR", "liaison"), 201),
        (population.member("ISR", "officer:intelligence"), 403),
        (population.member("UNDOF", "observer"), 403),
    ):
        response = client.post("/api/v1/commitments", json=commitment_body(), headers=bearer(member))
        assert response.status_code == expected, (member.username, response.text)


def test_the_list_filters_by_party_state_and_due(client, population, record):
    from datetime import timedelta

    from fusioncell.db.types import utcnow

    now = utcnow()
    late = record(due_at=(now - timedelta(hours=1)).isoformat(), made_at=(now - timedelta(days=3)).isoformat())
    soon = record(responsible_party="ISR")
    later = record(state="proposed", due_at=(now + timedelta(days=30)).isoformat())
    headers = liaison(population, "USA")

    def ids(query: str) -> set[str]:
        return {c["id"] for c in client.get(f"/api/v1/commitments?{query}", headers=headers).json()["items"]}

    assert ids("due=overdue") == {late["id"]}
    assert ids("due=week") == {soon["id"]}
    assert ids("due=later") == {later["id"]}
    assert ids("party=ISR") == {soon["id"]}
    assert ids("state=proposed") == {later["id"]}
    assert client.get("/api/v1/commitments?state=nonsense", headers=headers).status_code == 422
