"""Every fusion the desk proposes and the mediator decides is in the record as stored: `ledger audit` finds
each fusion row (its members included) matching its latest entry, and a member changed behind the
application's back shows."""

import uuid

from sqlalchemy import update

from fusioncell.events.representations import registered
from fusioncell.fusion.models import FusionMember
from fusioncell.ledger.audit import audit
from fusioncell.ledger.note import Verifier
from tests.fusion.conftest import KHAN_ARNABAH, shelling


def test_proposals_and_decisions_audit_clean_and_a_changed_member_shows(client, db, as_, signer, two_reports):
    isr, syr = two_reports
    client.post("/api/v1/incidents", json=shelling(55, *KHAN_ARNABAH), headers=as_("UNDOF"))
    [proposal] = client.get("/api/v1/fusions", headers=as_("USA")).json()["items"]
    assert client.post(f"/api/v1/fusions/{proposal['id']}/confirm", json={}, headers=as_("USA")).status_code == 200
    split = {"incident_ids": [syr["id"]], "reason": "A second battery."}
    assert client.post(f"/api/v1/fusions/{proposal['id']}/split", json=split, headers=as_("USA")).status_code == 200
    db.flush()
    db.expire_all()
    verifier = Verifier.from_vkey(signer.verifier_key())
    assert audit(db, verifier=verifier) == []
    db.execute(
        update(FusionMember)
        .where(FusionMember.incident_id == uuid.UUID(syr["id"]))
        .values(state="confirmed")  # put back in, unrecorded
    )
    db.expire_all()
    [finding] = audit(db, verifier=verifier)
    assert finding.where == f"fusions/{proposal['id']}"
    assert isr["id"] in {m["incident_id"] for m in proposal["members"]}


def test_the_stream_tells_fusions():
    assert registered("fusion") is not None
