"""Overdue detection (the inbox's and the mediator's overview), evidence shown only where the linked record is
readable, and bad input refused with nothing changed."""

from datetime import timedelta

from sqlalchemy import func, select

from fusioncell.access.service import subject_for, user_by_name
from fusioncell.db.base import Status
from fusioncell.db.types import utcnow
from fusioncell.diplomacy.commitments import service
from fusioncell.diplomacy.commitments.models import Commitment, CommitmentContest, CommitmentNote
from fusioncell.ledger.models import LedgerEntry
from tests.access.matrix import EnvelopeState
from tests.deconfliction.test_matrix import make_notice
from tests.diplomacy.commitments.conftest import commitment_body, liaison


def subject(db, cell, username: str):
    return subject_for(user_by_name(db, username), cell)


def past(days: float) -> str:
    return (utcnow() - timedelta(days=days)).isoformat()


def test_overdue_commitments_wait_on_their_responsible_party_and_show_to_the_mediator(
    client, db, cell, population, record
):
    late = record(made_at=past(10), due_at=past(1))
    late_proposal = record(made_at=past(10), due_at=past(1), state="proposed")  # binds nobody yet
    on_time = record()
    late_isr = record(made_at=past(10), due_at=past(2), responsible_party="ISR")
    syr, isr, usa = (subject(db, cell, n) for n in ("syr.liaison", "isr.liaison", "usa.liaison"))

    assert [c.id for c in service.overdue_for(db, subject=syr, now=utcnow())] == [_id(late)]
    assert [c.id for c in service.overdue_for(db, subject=isr, now=utcnow())] == [_id(late_isr)]
    assert service.overdue_for(db, subject=syr, now=utcnow() - timedelta(days=3)) == []
    inbox = client.get("/api/v1/inbox", headers=liaison(population, "SYR")).json()
    assert [c["id"] for c in inbox["overdue_commitments"]] == [late["id"]]
    assert [c["id"] for c in client.get("/api/v1/inbox", headers=liaison(population, "ISR")).json()[
        "overdue_commitments"]] == [late_isr["id"]]  # fmt: skip
    overview = service.mediator_overview(db, subject=usa, now=utcnow())
    assert {c.id for c in overview["overdue"]} == {_id(late), _id(late_isr)}
    assert service.mediator_overview(db, subject=isr) is None
    assert _id(late_proposal) not in {c.id for c in overview["overdue"]} and _id(on_time) not in {
        c.id for c in overview["overdue"]
    }

    done = client.post(
        f"/api/v1/commitments/{late['id']}/claim",
        json={"state": "done", "note": "Done late."},
        headers=liaison(population, "SYR"),
    )
    assert done.json()["overdue"] is False
    assert service.overdue_for(db, subject=syr, now=utcnow()) == []
    assert client.get("/api/v1/inbox", headers=liaison(population, "SYR")).json()["overdue_commitments"] == []


def _id(view: dict):
    import uuid

    return uuid.UUID(view["id"])


def test_evidence_is_shown_only_to_who_may_read_the_linked_record(client, db, population, record):
    commitment = record(responsible_party="ISR")
    where = f"/api/v1/commitments/{commitment['id']}"
    # An ISR notice released to the mediator alone: SYR may read the commitment, never the notice.
    hidden = make_notice(db, EnvelopeState("ISR to USA", "ISR", Status.RELEASED, frozenset({"USA"})))
    shared = make_notice(db, EnvelopeState("ISR to all", "ISR", Status.RELEASED, frozenset({"USA", "SYR"})))
    db.commit()
    isr, syr, usa = (liaison(population, p) for p in ("ISR", "SYR", "USA"))
    for notice_id in (hidden, shared):
        linked = client.post(f"{where}/evidence", json={"kind": "notice", "id": notice_id}, headers=isr)
        assert linked.status_code == 200, linked.text
    assert {e["id"] for e in client.get(where, headers=usa).json()["evidence"]} == {hidden, shared}
    syr_view = client.get(where, headers=syr)
    assert [e["id"] for e in syr_view.json()["evidence"]] == [shared]
    assert hidden not in syr_view.text  # not even that a link exists
    listed = client.get("/api/v1/commitments?limit=200", headers=syr).text
    assert hidden not in listed
    # Linking what one may not read is refused exactly as linking what does not exist.
    missing = "01a217c9-0000-7000-8000-000000000000"
    refused = client.post(f"{where}/evidence", json={"kind": "notice", "id": hidden}, headers=syr)
    absent = client.post(f"{where}/evidence", json={"kind": "notice", "id": missing}, headers=syr)
    assert refused.status_code == absent.status_code == 422
    assert refused.json()["error"]["message"].replace(hidden, "?") == absent.json()["error"]["message"].replace(
        missing, "?"
    )
    assert client.post(f"{where}/evidence", json={"kind": "notice", "id": shared}, headers=syr).status_code == 409


def counts(db) -> tuple[int, ...]:
    return tuple(
        db.execute(select(func.count()).select_from(model)).scalar_one()
        for model in (Commitment, CommitmentNote, CommitmentContest, LedgerEntry)
    )


def test_bad_input_gets_a_clear_error_and_changes_nothing(client, db, population, record):
    made = record()
    before = counts(db)
    usa = liaison(population, "USA")
    due_before_made = commitment_body(made_at=past(1), due_at=past(2))
    response = client.post("/api/v1/commitments", json=due_before_made, headers=usa)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid" and "due_at" in error["message"] and "must be after made_at" in error["message"]
    for bad in (
        commitment_body(responsible_party="XXX"),
        commitment_body(releasable_to=["USA", "MARS"]),
        commitment_body(
            made_at=(utcnow() + timedelta(days=1)).isoformat(), due_at=(utcnow() + timedelta(days=2)).isoformat()
        ),
        commitment_body(source_kind="meeting", source_id=None),
        commitment_body(source_kind="meeting", source_id="not-a-uuid"),
        commitment_body(made_at="2026-01-01T00:00:00"),  # no zone
        commitment_body(text=""),
        commitment_body(state="done"),
        commitment_body(extra="field"),
    ):
        answer = client.post("/api/v1/commitments", json=bad, headers=usa)
        assert answer.status_code == 422, (bad, answer.text)
        assert set(answer.json()["error"]) == {"code", "message", "details"}
    where = f"/api/v1/commitments/{made['id']}"
    syr = liaison(population, "SYR")
    assert client.post(f"{where}/claim", json={"state": "breached", "note": "x"}, headers=syr).status_code == 422
    assert client.post(f"{where}/notes", json={"body": ""}, headers=syr).status_code == 422
    assert client.post(f"{where}/mark", json={"state": "done", "reason": "x"}, headers=usa).status_code == 422
    assert counts(db) == before
    assert client.get(where, headers=usa).json()["version"] == made["version"]
