"""/api/v1/glossary: list, one term, propose, revise, approve; the one error shape, validation at the edge,
nothing changed by a refusal; every party reads the glossary, a stranger nothing."""

import uuid

import pytest

WORDING = {"en": "Area of Separation", "ar": "منطقة الفصل", "he": "אזור ההפרדה"}
BODY = {"key": "area-of-separation", "wording": WORDING, "variants": {"en": ["AOS"]}, "note": "first"}


def propose(client, as_, body=BODY) -> dict:
    response = client.post("/api/v1/glossary", json=body, headers=as_("USA"))
    assert response.status_code == 201, response.text
    return response.json()


def approve(client, as_, party, term_id, version):
    return client.post(f"/api/v1/glossary/{term_id}/approvals", json={"version": version}, headers=as_(party))


def test_proposed_approved_revised_and_agreed_again(client, as_):
    term = propose(client, as_)
    assert term["state"] == "proposed" and term["agreed"] is None and term["ledger_index"] is not None
    assert term["latest"]["wording"] == WORDING and term["latest"]["variants"] == {"en": ["AOS"], "ar": [], "he": []}
    assert term["missing_approvals"] == ["ISR", "SYR"] and term["marking"] == "TLP:GREEN"
    assert term["releasable_to"] == ["FRA", "ISR", "JOR", "SYR", "UNDOF"]

    first = approve(client, as_, "ISR", term["id"], 1)
    assert first.status_code == 201, first.text
    assert first.json()["missing_approvals"] == ["SYR"] and first.json()["approvals"][0]["party"] == "ISR"
    agreed = approve(client, as_, "SYR", term["id"], 1).json()
    assert agreed["state"] == "agreed" and agreed["agreed"]["number"] == 1 and agreed["missing_approvals"] == []

    revised = client.post(
        f"/api/v1/glossary/{term['id']}/versions",
        json={"wording": WORDING, "variants": {"he": ["אזור הפרדה"]}, "note": "without the article"},
        headers=as_("USA"),
    )
    assert revised.status_code == 201, revised.text
    shown = revised.json()
    assert shown["state"] == "revised" and shown["agreed"]["number"] == 1 and shown["latest"]["number"] == 2
    assert [v["state"] for v in shown["versions"]] == ["agreed", "awaiting"]
    assert shown["missing_approvals"] == ["ISR", "SYR"]


@pytest.mark.parametrize("party", ["USA", "ISR", "SYR", "FRA", "JOR", "UNDOF"])
def test_every_party_lists_and_reads_the_glossary(client, as_, party):
    term = propose(client, as_)
    listed = client.get("/api/v1/glossary", headers=as_(party))
    assert listed.status_code == 200 and [t["key"] for t in listed.json()["items"]] == ["area-of-separation"]
    assert client.get(f"/api/v1/glossary/{term['id']}", headers=as_(party)).json()["key"] == "area-of-separation"


def test_a_stranger_gets_nothing_and_a_missing_term_answers_404(client, as_):
    assert client.get("/api/v1/glossary").status_code == 401
    missing = client.get(f"/api/v1/glossary/{uuid.uuid4()}", headers=as_("ISR"))
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"


def test_the_list_pages_by_key(client, as_):
    for key in ("alpha-line", "bravo-line", "ceasefire"):
        propose(client, as_, BODY | {"key": key})
    first = client.get("/api/v1/glossary?limit=2", headers=as_("SYR")).json()
    assert [t["key"] for t in first["items"]] == ["alpha-line", "bravo-line"] and first["next_cursor"] == "bravo-line"
    rest = client.get(f"/api/v1/glossary?limit=2&cursor={first['next_cursor']}", headers=as_("SYR")).json()
    assert [t["key"] for t in rest["items"]] == ["ceasefire"] and rest["next_cursor"] is None


@pytest.mark.parametrize(
    "body, field",
    [
        (BODY | {"key": "Not A Key"}, "key"),
        (BODY | {"wording": {"en": "x", "ar": "y"}}, "he"),
        (BODY | {"wording": WORDING | {"fr": "zone"}}, "fr"),
        (BODY | {"variants": {"en": ["x" * 201]}}, "variants"),
        (BODY | {"extra": 1}, "extra"),
    ],
)
def test_bad_bodies_are_refused_at_the_edge_in_the_one_shape(client, as_, body, field):
    response = client.post("/api/v1/glossary", json=body, headers=as_("USA"))
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid" and field in str(error["details"])
    assert client.get("/api/v1/glossary", headers=as_("USA")).json()["items"] == []


def test_who_may_act_and_refusals_change_nothing(client, as_):
    assert client.post("/api/v1/glossary", json=BODY, headers=as_("ISR")).status_code == 403
    term = propose(client, as_)
    assert client.post("/api/v1/glossary", json=BODY, headers=as_("USA")).status_code == 409
    assert approve(client, as_, "USA", term["id"], 1).status_code == 403
    assert approve(client, as_, "FRA", term["id"], 1).status_code == 403
    assert approve(client, as_, "ISR", term["id"], 2).json()["error"]["code"] == "invalid"
    revise_as_isr = client.post(
        f"/api/v1/glossary/{term['id']}/versions", json={"wording": WORDING}, headers=as_("ISR")
    )
    assert revise_as_isr.status_code == 403
    same = client.post(
        f"/api/v1/glossary/{term['id']}/versions",
        json={"wording": WORDING, "variants": {"en": ["AOS"]}},
        headers=as_("USA"),
    )
    assert same.status_code == 422
    assert approve(client, as_, "ISR", term["id"], 1).status_code == 201
    again = approve(client, as_, "ISR", term["id"], 1)
    assert again.status_code == 409 and again.json()["error"]["code"] == "conflict"
    shown = client.get(f"/api/v1/glossary/{term['id']}", headers=as_("ISR")).json()
    assert shown["latest_version"] == 1 and len(shown["approvals"]) == 1 and shown["missing_approvals"] == ["SYR"]
