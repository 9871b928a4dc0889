"""Giving, acknowledging, retracting and listing notices; bad input changes nothing."""

import uuid
from dataclasses import replace
from datetime import timedelta

import pytest

from fusioncell.access.service import subject_for, user_by_name
from fusioncell.db.types import utcnow
from fusioncell.deconfliction import service
from fusioncell.deconfliction.areas import CircleArea
from fusioncell.deconfliction.endpoints import notice_view
from fusioncell.deconfliction.models import Notice
from fusioncell.events.representations import registered
from fusioncell.ledger.audit import audit
from fusioncell.ledger.note import Verifier
from fusioncell.ledger.service import tree_size
from tests.deconfliction.conftest import HADER, QUNEITRA, WEST_OF_ALPHA, circle, notice_body, rectangle


def test_a_notice_goes_to_the_plenary_and_asks_the_other_principal_and_the_mediator(client, give, as_, db):
    before = tree_size(db)
    notice = give("ISR")
    assert notice["status"] == "released" and notice["origin_party"] == "ISR"
    assert notice["releasable_to"] == ["SYR", "USA"] and notice["ack_parties"] == ["SYR", "USA"]
    assert notice["ledger_index"] == before and tree_size(db) == before + 1
    assert client.get(f"/api/v1/notices/{notice['id']}", headers=as_("FRA")).status_code == 404


def test_an_observer_notice_is_answered_by_the_plenary(give):
    notice = give("UNDOF", activity="humanitarian-convoy", releasable_to=["USA", "ISR", "SYR", "UNDOF"])
    assert notice["releasable_to"] == ["ISR", "SYR", "USA"] and notice["ack_parties"] == ["ISR", "SYR", "USA"]


def test_acknowledgements_are_per_party_recorded_once_and_seen_by_the_author_side(client, give, as_, db):
    notice = give("ISR")
    path = f"/api/v1/notices/{notice['id']}/acknowledge"
    by_syr = client.post(path, headers=as_("SYR", "officer:deescalation"))
    assert by_syr.status_code == 200
    [ack] = by_syr.json()["acknowledgements"]
    assert ack["party"] == "SYR" and ack["created_by"] == "syr.officer-deescalation" and ack["ledger_index"]
    size = tree_size(db)
    again = client.post(path, headers=as_("SYR"))
    assert again.status_code == 200 and again.json()["acknowledgements"] == [ack] and tree_size(db) == size
    assert client.post(path, headers=as_("USA")).status_code == 200
    seen = {
        party: sorted(
            a["party"]
            for a in client.get(f"/api/v1/notices/{notice['id']}", headers=as_(party)).json()["acknowledgements"]
        )
        for party in ("ISR", "SYR", "USA")
    }
    assert seen == {"ISR": ["SYR", "USA"], "SYR": ["SYR"], "USA": ["SYR", "USA"]}
    assert client.post(path, headers=as_("ISR")).status_code == 403  # its own notice
    assert client.post(path, headers=as_("SYR", "officer:intelligence")).status_code == 403  # not on the desk


def test_an_observer_told_of_a_notice_is_not_asked_to_acknowledge_it(client, give, as_):
    notice = give("ISR", releasable_to=["USA", "SYR", "UNDOF"])
    assert notice["ack_parties"] == ["SYR", "USA"]
    assert client.post(f"/api/v1/notices/{notice['id']}/acknowledge", headers=as_("UNDOF")).status_code == 403


def test_a_retraction_hides_what_was_announced_behind_the_reason(client, give, as_, db):
    notice = give("ISR", circle=circle(*HADER, 1.0))
    path = f"/api/v1/notices/{notice['id']}"
    assert client.post(f"{path}/retract", json={"reason": "x"}, headers=as_("SYR")).status_code == 403
    size = tree_size(db)
    retracted = client.post(f"{path}/retract", json={"reason": "Flights cancelled."}, headers=as_("ISR"))
    assert retracted.status_code == 200 and tree_size(db) == size + 1
    for party in ("SYR", "USA", "ISR"):
        seen = client.get(path, headers=as_(party)).json()
        assert seen["status"] == "retracted" and seen["retraction_reason"] == "Flights cancelled."
        assert seen["description"] is None and seen["area"] is None and seen["circle"] is None
        assert seen["findings"] == [] and seen["version"] == 2 and seen["ledger_index"] == size
    assert client.post(f"{path}/retract", json={"reason": "again"}, headers=as_("ISR")).status_code == 409
    assert client.post(f"{path}/acknowledge", headers=as_("SYR")).status_code == 409


def test_the_record_holds_every_notice_and_acknowledgement_as_stored(client, give, as_, db, signer):
    notice = give("ISR", circle=circle(*QUNEITRA, 2.5), altitude={"min_m": 0, "max_m": 1500})
    give("SYR", polygon=rectangle(35.75, 33.04, 35.95, 33.06), activity="ground-movement")
    client.post(f"/api/v1/notices/{notice['id']}/acknowledge", headers=as_("SYR"))
    client.post(f"/api/v1/notices/{notice['id']}/retract", json={"reason": "r"}, headers=as_("ISR"))
    db.commit()
    assert audit(db, verifier=Verifier.from_vkey(signer.verifier_key())) == []


def test_lists_filter_by_time_activity_and_party_and_page_by_cursor(client, give, as_, db, cell):
    isr = subject_for(user_by_name(db, "isr.liaison"), cell)
    now = utcnow()
    draft = service.NoticeDraft(
        activity="exercise",
        area=CircleArea(*WEST_OF_ALPHA, 2.0),
        starts_at=now - timedelta(days=3),
        ends_at=now - timedelta(days=2),
        description="Last week's exercise.",
    )
    past = service.give_notice(db, cell=cell, subject=isr, draft=draft, now=now - timedelta(days=5))
    running = service.give_notice(db, cell=cell, subject=isr, draft=replace(draft, ends_at=now + timedelta(hours=2)))
    db.commit()
    upcoming = give("SYR", activity="humanitarian-convoy")

    def ids(query: str, party: str = "USA") -> list[str]:
        return [n["id"] for n in client.get(f"/api/v1/notices{query}", headers=as_(party)).json()["items"]]

    assert ids("") == [upcoming["id"], str(running.id), str(past.id)]  # newest first
    assert ids("?when=past") == [str(past.id)]
    assert ids("?when=active") == [str(running.id)]
    assert ids("?when=upcoming") == [upcoming["id"]]
    assert ids("?activity=humanitarian-convoy") == [upcoming["id"]]
    assert ids("?party=ISR") == [str(running.id), str(past.id)]
    first = client.get("/api/v1/notices?limit=2", headers=as_("USA")).json()
    assert [n["id"] for n in first["items"]] == [upcoming["id"], str(running.id)] and first["next_cursor"]
    assert ids(f"?limit=2&cursor={first['next_cursor']}") == [str(past.id)]
    client.post(f"/api/v1/notices/{running.id}/retract", json={"reason": "ended early"}, headers=as_("ISR"))
    assert ids("?when=active") == []  # a retracted notice announces nothing
    bad = client.get("/api/v1/notices?when=someday", headers=as_("USA"))
    assert bad.status_code == 422 and bad.json()["error"]["details"][0]["field"] == "query.when"


def test_the_stream_sends_what_every_reader_of_the_notice_may_see(give, db):
    notice = give("ISR", circle=circle(*HADER, 1.0))
    record = db.get(Notice, uuid.UUID(notice["id"]))
    view = registered("notice").view(record)
    assert view == notice_view(record) and view["description"] == notice["description"]
    assert view["findings"] and all(f["related_id"] is None for f in view["findings"])
    assert registered("notice-acknowledgement") is not None


def _past(hours: float) -> str:
    return (utcnow() - timedelta(hours=hours)).isoformat()


BOW_TIE = {"type": "Polygon", "coordinates": [[[35.70, 33.00], [35.80, 33.10], [35.80, 33.00], [35.70, 33.10]]]}
OUTSIDE = rectangle(35.0, 30.0, 35.1, 30.1)  # south of the area of interest (31.5 N)

BAD = [
    ("self-intersecting polygon", {"polygon": BOW_TIE}, "body.polygon.coordinates"),
    (
        "too few points",
        {"polygon": {"type": "Polygon", "coordinates": [[[35.7, 33.0], [35.8, 33.1]]]}},
        "body.polygon.coordinates.0",
    ),
    (
        "repeated points",
        {"polygon": {"type": "Polygon", "coordinates": [[[35.7, 33.0], [35.8, 33.1], [35.7, 33.0]]]}},
        "body.polygon.coordinates",
    ),
    ("longitude out of range", {"polygon": rectangle(181, 33.0, 182, 33.1)}, "body.polygon.coordinates.0.0.0"),
    ("polygon outside the area of interest", {"polygon": OUTSIDE}, "body.polygon.coordinates.0.0"),
    ("circle centre outside the area of interest", {"circle": circle(30.0, 35.0)}, "body.circle.lat"),
    ("circle reaching outside the area of interest", {"circle": circle(33.9, 36.0, 20)}, "body.circle.radius_km"),
    ("latitude out of range", {"circle": circle(95.0, 35.0)}, "body.circle.lat"),
    ("radius zero", {"circle": circle(*QUNEITRA, 0)}, "body.circle.radius_km"),
    ("radius too large", {"circle": circle(*QUNEITRA, 500)}, "body.circle.radius_km"),
    ("both polygon and circle", {"polygon": rectangle(35.7, 33.0, 35.8, 33.1), "circle": circle(*QUNEITRA)}, "body"),
    ("end before start", {"starts_at": _past(-5), "ends_at": _past(-4)}, "body.ends_at"),
    ("entirely in the past", {"starts_at": _past(5), "ends_at": _past(4)}, "body.ends_at"),
    ("no time zone", {"starts_at": "2030-01-01T10:00:00"}, "body.starts_at"),
    ("unknown activity", {"activity": "parade"}, "body.activity"),
    ("altitude min above max", {"altitude": {"min_m": 3000, "max_m": 1000}}, "body.altitude.max_m"),
    ("unknown party", {"releasable_to": ["USA", "XYZ"]}, "body.releasable_to"),
    ("empty description", {"description": ""}, "body.description"),
    ("unknown field", {"colour": "red"}, "body.colour"),
]


@pytest.mark.parametrize(("overrides", "field"), [case[1:] for case in BAD], ids=[case[0] for case in BAD])
def test_bad_input_is_refused_naming_the_field_and_nothing_is_stored(client, as_, db, overrides, field):
    before = tree_size(db), db.query(Notice).count()
    body = notice_body(**overrides)
    if "polygon" in overrides and "circle" in overrides:
        body["circle"] = overrides["circle"]
    response = client.post("/api/v1/notices", json=body, headers=as_("ISR"))
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "invalid" and field in error["message"]
    assert field in [d["field"] for d in error["details"]]
    assert (tree_size(db), db.query(Notice).count()) == before


def test_only_those_who_speak_on_the_desk_give_notices(client, as_):
    for party, role in (("ISR", "officer:intelligence"), ("SYR", "admin"), ("USA", "supervisor")):
        refused = client.post("/api/v1/notices", json=notice_body(), headers=as_(party, role))
        assert refused.status_code == 403
    assert (
        client.post("/api/v1/notices", json=notice_body(), headers=as_("SYR", "officer:deescalation")).status_code
        == 201
    )
