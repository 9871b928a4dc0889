"""Every commitment, note and contest is in the record as stored: `ledger audit` finds each row matching its
latest entry after a whole lifecycle, and a state changed behind the application's back shows."""

import uuid

from sqlalchemy import update

from fusioncell.diplomacy.commitments.models import Commitment
from fusioncell.events.representations import registered
from fusioncell.ledger.audit import audit
from fusioncell.ledger.note import Verifier
from tests.diplomacy.commitments.conftest import liaison


def test_a_whole_lifecycle_audits_clean_and_a_changed_state_shows(client, db, population, signer, record):
    made = record()
    where = f"/api/v1/commitments/{made['id']}"
    client.post(f"{where}/claim", json={"state": "done", "note": "Done."}, headers=liaison(population, "SYR"))
    contested = client.post(f"{where}/contests", json={"reasons": "No."}, headers=liaison(population, "ISR")).json()
    ruling = {"outcome": "upheld", "reason": "Not done."}
    client.post(f"{where}/contests/{contested['id']}/ruling", json=ruling, headers=liaison(population, "USA"))
    db.flush()
    db.expire_all()
    verifier = Verifier.from_vkey(signer.verifier_key())
    assert audit(db, verifier=verifier) == []
    db.execute(update(Commitment).where(Commitment.id == uuid.UUID(made["id"])).values(state="done"))
    db.expire_all()
    [finding] = audit(db, verifier=verifier)
    assert finding.where == f"commitments/{made['id']}"


def test_the_stream_tells_commitments_without_their_evidence():
    for kind in ("commitment", "commitment-note", "commitment-contest"):
        assert registered(kind) is not None
