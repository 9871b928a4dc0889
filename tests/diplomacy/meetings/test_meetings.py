"""Meetings through the API: scheduling, minutes drafted, redrafted, approved and agreed end to end; who may
do what; and bad input refused with a clear error and nothing changed."""

import json
from datetime import timedelta

import pytest

from fusioncell.db.types import utcnow
from tests.diplomacy.meetings.conftest import counts, meeting_body

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n"


def draft(client, as_, meeting_id: str, text: str, party: str = "USA", role: str = "liaison"):
    return client.post(f"/api/v1/meetings/{meeting_id}/minutes", json={"text": text}, headers=as_(party, role))


def approve(client, as_, meeting_id: str, number: int, party: str, role: str = "liaison"):
    return client.post(
        f"/api/v1/meetings/{meeting_id}/minutes/approve", json={"draft": number}, headers=as_(party, role)
    )


def test_the_lifecycle_from_scheduling_to_agreed_minutes(client, as_, schedule):
    meeting = schedule(agenda=["Crossing hours"])
    assert meeting["releasable_to"] == ["ISR", "SYR", "USA"] and meeting["approving_parties"] == ["ISR", "SYR"]
    assert meeting["venue"]["place"] == "quneitra" and meeting["venue"]["names"]["ar"] == "القنيطرة"
    assert meeting["participants"][0] == {"party": "USA", "delegates": ["Chair"]}
    assert meeting["minutes"]["state"] == "none" and meeting["ledger_index"] is not None
    mid = meeting["id"]
    for reader in ("ISR", "SYR", "USA"):
        assert client.get(f"/api/v1/meetings/{mid}", headers=as_(reader)).status_code == 200
    for outsider in ("FRA", "JOR", "UNDOF"):
        assert client.get(f"/api/v1/meetings/{mid}", headers=as_(outsider)).status_code == 404

    first = draft(client, as_, mid, "Agreed: the crossing opens 08:00-16:00.").json()
    assert first["minutes"]["state"] == "draft" and first["minutes"]["draft"] == 1
    assert first["minutes"]["awaiting"] == ["ISR", "SYR"]
    isr = approve(client, as_, mid, 1, "ISR").json()
    assert [a["party"] for a in isr["minutes"]["approvals"]] == ["ISR"] and isr["minutes"]["awaiting"] == ["SYR"]

    second = draft(client, as_, mid, "Agreed: the crossing opens 07:00-17:00.").json()  # voids ISR's approval
    assert second["minutes"]["draft"] == 2 and second["minutes"]["approvals"] == []
    stale = approve(client, as_, mid, 1, "SYR")
    assert stale.status_code == 409 and stale.json()["error"]["details"] == {"current_draft": 2}
    assert approve(client, as_, mid, 2, "SYR").json()["minutes"]["state"] == "draft"
    again = approve(client, as_, mid, 2, "SYR").json()  # once: asked again, nothing more is recorded
    assert again["version"] == approve(client, as_, mid, 2, "SYR").json()["version"]
    agreed = approve(client, as_, mid, 2, "ISR").json()
    assert agreed["minutes"]["state"] == "agreed" and agreed["minutes"]["agreed_at"] is not None
    assert agreed["minutes"]["text"] == "Agreed: the crossing opens 07:00-17:00."
    assert agreed["ledger_index"] > second["ledger_index"]

    entry = client.get(f"/api/v1/ledger/entries/{agreed['ledger_index']}", headers=as_("SYR")).json()
    body = json.loads(entry["body"]) if isinstance(entry["body"], str) else entry["body"]
    assert body["action"] == "minutes-agreed" and body["id"] == mid
    assert draft(client, as_, mid, "Rewritten.").status_code == 409  # agreed minutes never change
    assert approve(client, as_, mid, 2, "ISR").status_code == 409
    assert client.get(f"/api/v1/meetings/{mid}", headers=as_("ISR")).json()["version"] == agreed["version"]


def test_lists_upcoming_past_and_a_window(client, as_, schedule):
    past = schedule(title="Past")
    now = utcnow()
    soon = schedule(
        title="Soon",
        starts_at=(now + timedelta(days=2)).isoformat(),
        ends_at=(now + timedelta(days=2, hours=2)).isoformat(),
    )
    later = schedule(
        title="Later",
        starts_at=(now + timedelta(days=9)).isoformat(),
        ends_at=(now + timedelta(days=9, hours=1)).isoformat(),
    )
    headers = as_("SYR")
    upcoming = [m["id"] for m in client.get("/api/v1/meetings?when=upcoming", headers=headers).json()["items"]]
    assert upcoming == [soon["id"], later["id"]]
    assert past["id"] in [m["id"] for m in client.get("/api/v1/meetings?when=past", headers=headers).json()["items"]]
    window = client.get(
        "/api/v1/meetings",
        params={"starts_from": now.isoformat(), "starts_before": (now + timedelta(days=7)).isoformat()},
        headers=headers,
    ).json()
    assert [m["id"] for m in window["items"]] == [soon["id"]]
    page = client.get("/api/v1/meetings?when=upcoming&limit=1", headers=headers).json()
    assert page["next_cursor"] == soon["id"]
    rest = client.get(f"/api/v1/meetings?when=upcoming&limit=1&cursor={page['next_cursor']}", headers=headers).json()
    assert [m["id"] for m in rest["items"]] == [later["id"]]


def test_observers_attend_and_read_but_do_not_approve(client, as_, schedule):
    meeting = schedule(participants=[{"party": "ISR"}, {"party": "UNDOF", "delegates": ["Force Commander"]}])
    assert meeting["approving_parties"] == ["ISR"] and meeting["releasable_to"] == ["ISR", "UNDOF", "USA"]
    assert [p["party"] for p in meeting["participants"]] == ["USA", "ISR", "UNDOF"]  # the mediator chairs
    draft(client, as_, meeting["id"], "Noted.")
    assert approve(client, as_, meeting["id"], 1, "UNDOF", "observer").status_code == 403
    assert client.get(f"/api/v1/meetings/{meeting['id']}", headers=as_("SYR")).status_code == 404
    assert approve(client, as_, meeting["id"], 1, "SYR").status_code == 404  # not a participant: not readable
    assert approve(client, as_, meeting["id"], 1, "ISR").json()["minutes"]["state"] == "agreed"


@pytest.mark.parametrize(
    ("party", "role", "allowed"),
    [
        ("USA", "liaison", True),
        ("USA", "supervisor", True),
        ("USA", "admin", False),
        ("USA", "officer:intelligence", False),
        ("ISR", "liaison", False),
        ("FRA", "observer", False),
    ],
)
def test_only_the_mediator_s_chairs_schedule_and_draft(client, as_, schedule, db, party, role, allowed):
    response = client.post("/api/v1/meetings", json=meeting_body(), headers=as_(party, role))
    assert response.status_code == (201 if allowed else 403)
    meeting = schedule()
    before = counts(db)
    answered = draft(client, as_, meeting["id"], "Text.", party, role)
    readers = {"USA", "ISR", "SYR"}
    assert answered.status_code == (200 if allowed else 403 if party in readers else 404)
    if not allowed:
        assert counts(db) == before


def test_who_approves_for_a_party(client, as_, schedule, db):
    meeting = schedule()
    draft(client, as_, meeting["id"], "Text.")
    before = counts(db)
    for party, role in (("ISR", "officer:intelligence"), ("ISR", "admin"), ("USA", "liaison"), ("USA", "supervisor")):
        assert approve(client, as_, meeting["id"], 1, party, role).status_code == 403, (party, role)
    assert counts(db) == before


def test_minutes_wait_for_the_meeting_to_start(client, as_, schedule):
    now = utcnow()
    future = schedule(starts_at=(now + timedelta(hours=5)).isoformat(), ends_at=(now + timedelta(hours=6)).isoformat())
    assert draft(client, as_, future["id"], "Too early.").status_code == 409
    assert approve(client, as_, future["id"], 1, "ISR").status_code == 409  # nothing drafted


def test_attachments_the_chair_may_read_are_shared_with_the_participants(client, as_):
    upload = client.post(
        "/api/v1/attachments", files={"file": ("agenda.pdf", PDF, "application/pdf")}, headers=as_("USA", "liaison")
    ).json()
    content = f"/api/v1/attachments/{upload['id']}/content"
    assert client.get(content, headers=as_("SYR")).status_code == 404  # a draft of the mediator's
    response = client.post(
        "/api/v1/meetings", json=meeting_body(attachments=[upload["id"]]), headers=as_("USA", "liaison")
    )
    assert response.status_code == 201, response.text
    meeting = response.json()
    assert [a["filename"] for a in meeting["attachments"]] == ["agenda.pdf"]
    seen = client.get(f"/api/v1/meetings/{meeting['id']}", headers=as_("SYR")).json()
    assert [a["id"] for a in seen["attachments"]] == [upload["id"]]
    assert client.get(content, headers=as_("SYR")).content == PDF
    assert client.get(content, headers=as_("FRA")).status_code == 404  # not a participant


BAD = [
    ("ends before it starts", {"ends_at": (utcnow() - timedelta(days=3)).isoformat()}, "body.ends_at"),
    ("unknown party", {"participants": [{"party": "ISR"}, {"party": "XXX"}]}, "body.participants"),
    ("no principal", {"participants": [{"party": "FRA"}]}, "body.participants"),
    ("party twice", {"participants": [{"party": "ISR"}, {"party": "ISR"}]}, "body"),
    ("unknown place", {"place": "atlantis"}, "body.place"),
    ("place and venue", {"place": "quneitra", "venue": "Geneva"}, "body"),
    ("no venue", {"place": None}, "body"),
    ("blank title", {"title": " "}, "body.title"),
    ("naive time", {"starts_at": "2026-01-01T10:00:00"}, "body.starts_at"),
    ("unknown file", {"attachments": ["01a217a2-0000-7000-8000-000000000000"]}, "body.attachments"),
    ("unknown field", {"colour": "blue"}, "body.colour"),
]


@pytest.mark.parametrize(("case", "change", "field"), BAD, ids=[b[0] for b in BAD])
def test_bad_meetings_are_refused_and_change_nothing(client, as_, db, case, change, field):
    before = counts(db)
    body = meeting_body() | change
    response = client.post("/api/v1/meetings", json=body, headers=as_("USA", "liaison"))
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "invalid" and any(d["field"].startswith(field) for d in error["details"]), error
    assert counts(db) == before


def test_another_party_s_draft_file_is_refused_like_a_missing_one(client, as_, db):
    upload = client.post(
        "/api/v1/attachments", files={"file": ("isr.pdf", PDF, "application/pdf")}, headers=as_("ISR", "liaison")
    ).json()
    before = counts(db)
    response = client.post(
        "/api/v1/meetings", json=meeting_body(attachments=[upload["id"]]), headers=as_("USA", "liaison")
    )
    assert response.status_code == 422 and "no such file you may read" in response.json()["error"]["message"]
    assert counts(db) == before


def test_bad_minutes_and_approvals_change_nothing(client, as_, schedule, db):
    meeting = schedule()
    mid = meeting["id"]
    draft(client, as_, mid, "Draft one.")
    before = counts(db)
    assert draft(client, as_, mid, "").status_code == 422
    assert draft(client, as_, mid, "x" * 50_001).status_code == 422
    assert approve(client, as_, mid, 0, "ISR").status_code == 422
    assert approve(client, as_, mid, 2, "ISR").status_code == 409  # no such draft yet
    assert approve(client, as_, mid, 1, "FRA", "observer").status_code == 404  # not a participant
    missing = "01a217a2-0000-7000-8000-000000000000"
    assert approve(client, as_, missing, 1, "ISR").status_code == 404
    assert counts(db) == before
