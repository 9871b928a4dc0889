"""Contests and rulings: another reading party disputes the responsible party's claim, the mediator rules;
upheld undoes the claim (or sets the state the ruling names), dismissed lets it stand."""

from tests.diplomacy.commitments.conftest import liaison
from tests.support import bearer


def claimed_done(client, population, record) -> tuple[dict, str]:
    made = record()
    where = f"/api/v1/commitments/{made['id']}"
    response = client.post(
        f"{where}/claim", json={"state": "done", "note": "Done."}, headers=liaison(population, "SYR")
    )
    assert response.status_code == 200, response.text
    return response.json(), where


def test_a_contest_upheld_reverts_the_claim_and_one_dismissed_lets_it_stand(client, population, record):
    _, where = claimed_done(client, population, record)
    isr, syr, usa = (liaison(population, p) for p in ("ISR", "SYR", "USA"))
    reasons = {"reasons": "The checkpoint was manned this morning."}
    assert client.post(f"{where}/contests", json=reasons, headers=syr).status_code == 403  # its own claim
    assert client.post(f"{where}/contests", json=reasons, headers=usa).status_code == 403  # the mediator rules
    contested = client.post(f"{where}/contests", json=reasons, headers=isr)
    assert contested.status_code == 201 and contested.json()["claimed_state"] == "done"
    contest_id = contested.json()["id"]
    assert client.post(f"{where}/contests", json=reasons, headers=isr).status_code == 409  # contested already

    ruling = {"outcome": "upheld", "reason": "UNDOF saw it manned."}
    path = f"{where}/contests/{contest_id}/ruling"
    assert client.post(path, json=ruling, headers=isr).status_code == 403
    assert (
        client.post(path, json=ruling, headers=bearer(population.member("USA", "officer:intelligence"))).status_code
        == 403
    )
    ruled = client.post(path, json=ruling, headers=usa).json()
    assert ruled["outcome"] == "upheld" and ruled["ruled_state"] == "agreed" and ruled["ruled_by"] == "usa.liaison"
    after = client.get(where, headers=syr).json()
    assert after["state"] == "agreed" and after["history"][-1]["via"] == "ruling"
    assert client.post(path, json=ruling, headers=usa).status_code == 409  # ruled already

    # Claimed again, contested again, and this time the claim stands.
    assert client.post(f"{where}/claim", json={"state": "done", "note": "Now really."}, headers=syr).status_code == 200
    second = client.post(f"{where}/contests", json=reasons, headers=isr).json()
    dismissed = client.post(
        f"{where}/contests/{second['id']}/ruling", json={"outcome": "dismissed", "reason": "Verified."}, headers=usa
    ).json()
    assert dismissed["outcome"] == "dismissed" and dismissed["ruled_state"] is None
    final = client.get(where, headers=isr).json()
    assert final["state"] == "done" and [c["outcome"] for c in final["contests"]] == ["upheld", "dismissed"]
    assert client.post(f"{where}/contests", json=reasons, headers=isr).status_code == 409  # that claim was ruled on


def test_a_ruling_may_set_the_state_and_an_observer_may_contest(client, population, record):
    made = record(releasable_to=["USA", "ISR", "SYR", "UNDOF"])
    where = f"/api/v1/commitments/{made['id']}"
    client.post(f"{where}/claim", json={"state": "done", "note": "Done."}, headers=liaison(population, "SYR"))
    undof = bearer(population.member("UNDOF", "observer"))
    contested = client.post(f"{where}/contests", json={"reasons": "Our patrol saw guns."}, headers=undof).json()
    usa = liaison(population, "USA")
    assert (
        client.post(
            f"{where}/claim", json={"state": "done", "note": "x"}, headers=liaison(population, "SYR")
        ).status_code
        == 409
    )
    wrong = {"outcome": "dismissed", "reason": "no", "state": "breached"}
    assert client.post(f"{where}/contests/{contested['id']}/ruling", json=wrong, headers=usa).status_code == 422
    ruled = client.post(
        f"{where}/contests/{contested['id']}/ruling",
        json={"outcome": "upheld", "reason": "Breached.", "state": "breached"},
        headers=bearer(population.member("USA", "supervisor")),
    ).json()
    assert ruled["ruled_state"] == "breached"
    assert client.get(where, headers=usa).json()["state"] == "breached"


def test_there_is_nothing_to_contest_without_a_claim(client, population, record):
    made = record()
    response = client.post(
        f"/api/v1/commitments/{made['id']}/contests", json={"reasons": "Too slow."}, headers=liaison(population, "ISR")
    )
    assert response.status_code == 409
