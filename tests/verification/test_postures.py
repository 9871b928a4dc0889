"""Force-posture declarations: checked against the zone's 1974 limits (the cell definition's figures), a party
declares only its own bands, bad input is a 422 naming the field with nothing stored."""

from datetime import timedelta

import pytest

from fusioncell.cell.definition import CellDefinition
from fusioncell.db.types import utcnow
from tests.verification.conftest import posture_body, stored


def declare(client, headers, **fields):
    return client.post("/api/v1/posture-declarations", json=posture_body(**fields), headers=headers)


def test_a_declaration_within_the_limits_is_not_flagged(client, as_):
    response = declare(client, as_("ISR", "liaison"))
    assert response.status_code == 201, response.text
    posture = response.json()
    assert posture["over_limit"] is False and posture["ledger_index"] is not None
    assert {f["limit"]: (f["declared"], f["allowed"], f["over"]) for f in posture["findings"]} == {
        "troops": (5200, 6000, False),
        "tanks": (60, 75, False),
        "artillery": (30, 36, False),
        "heavy_artillery": (0, 0, False),
        "missiles": (0, 0, False),
    }
    assert posture["releasable_to"] == ["SYR", "USA"] and posture["status"] == "released"
    # The plenary reads it; an observer it is not released to does not.
    assert client.get(f"/api/v1/posture-declarations/{posture['id']}", headers=as_("SYR", "liaison")).status_code == 200
    assert client.get(f"/api/v1/posture-declarations/{posture['id']}", headers=as_("UNDOF")).status_code == 404


def test_counts_over_the_limits_are_flagged(client, as_):
    response = declare(client, as_("ISR", "officer:deescalation"), troops=6500, tanks=75, missiles=2)
    assert response.status_code == 201, response.text
    posture = response.json()
    assert posture["over_limit"] is True
    over = {f["limit"] for f in posture["findings"] if f["over"]}
    assert over == {"troops", "missiles"}  # 75 tanks is at the limit, not over it


def test_the_area_of_separation_allows_no_forces_to_anyone(client, as_):
    posture = declare(client, as_("SYR", "liaison"), zone="aos", troops=12, tanks=0, artillery=0).json()
    assert posture["over_limit"] is True
    assert [f for f in posture["findings"] if f["over"]] == [
        {"limit": "troops", "declared": 12, "allowed": 0, "over": True}
    ]


def test_the_limits_are_the_cell_definition_s(client, as_, runtime):
    data = runtime.cell.model_dump(mode="json")
    for zone in data["zones"]:
        if zone["code"] == "aol-alpha-0-10":
            zone["limits"]["troops"] = 5000
    runtime.cell = CellDefinition.model_validate(data)
    posture = declare(client, as_("ISR", "liaison")).json()
    assert posture["over_limit"] is True
    assert next(f for f in posture["findings"] if f["limit"] == "troops")["allowed"] == 5000


def test_another_party_s_band_is_refused_and_nothing_is_stored(client, as_, db):
    before = stored(db)
    response = declare(client, as_("ISR", "liaison"), zone="aol-bravo-0-10")
    assert response.status_code == 422
    error = response.json()["error"]
    assert [d["field"] for d in error["details"]] == ["body.zone"]
    assert "SYR" in error["details"][0]["problem"] and "own bands" in error["details"][0]["problem"]
    assert stored(db) == before


@pytest.mark.parametrize(("party", "role"), [("USA", "liaison"), ("UNDOF", "observer"), ("ISR", "admin")])
def test_only_a_principal_s_officers_declare(client, as_, db, party, role):
    before = stored(db)
    response = declare(client, as_(party, role), zone="aos")
    assert response.status_code == 403
    assert stored(db) == before


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"zone": "no-such-zone"}, "body.zone"),
        ({"zone": "economic-zone"}, "body.zone"),  # a zone without limits
        ({"tanks": -1}, "body.tanks"),
        ({"troops": "many"}, "body.troops"),
        ({"as_of": (utcnow() + timedelta(days=2)).isoformat()}, "body.as_of"),
        ({"as_of": "2026-01-06T10:00:00"}, "body.as_of"),  # no time zone
        ({"releasable_to": ["XXX"]}, "body.releasable_to"),
        ({"colour": "green"}, "body.colour"),
    ],
)
def test_bad_input_names_the_field_and_stores_nothing(client, as_, db, fields, field):
    before = stored(db)
    response = declare(client, as_("ISR", "liaison"), **fields)
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "invalid" and field in [d["field"] for d in error["details"]]
    assert stored(db) == before


def test_the_list_is_newest_first_with_a_cursor_and_filters(client, as_):
    isr = as_("ISR", "liaison")
    ids = [declare(client, isr, troops=n).json()["id"] for n in (100, 7000, 300)]
    first = client.get("/api/v1/posture-declarations?limit=2", headers=isr).json()
    assert [p["id"] for p in first["items"]] == ids[::-1][:2] and first["next_cursor"] == ids[1]
    rest = client.get(f"/api/v1/posture-declarations?limit=2&cursor={first['next_cursor']}", headers=isr).json()
    assert [p["id"] for p in rest["items"]][:1] == [ids[0]]
    over = client.get("/api/v1/posture-declarations?over_limit=true", headers=isr).json()["items"]
    assert [p["id"] for p in over] == [ids[1]]
    assert client.get("/api/v1/posture-declarations?zone=nowhere", headers=isr).status_code == 422
