"""Everything the desk writes is in the record as it is stored: `ledger audit` finds every incident,
complaint and escalation row matching its latest entry, on both databases (floats, JSON and times
included), and the live stream's registry tells all three kinds."""

import uuid
from datetime import timedelta

from sqlalchemy import update

from fusioncell.db.types import utcnow
from fusioncell.events.representations import registered
from fusioncell.incidents.models import Incident
from fusioncell.incidents.scheduled import escalate_overdue_incidents
from fusioncell.ledger.audit import audit
from fusioncell.ledger.note import Verifier
from tests.geo.test_service import moved
from tests.incidents.conftest import HADER, point, report


def test_every_kind_of_write_audits_clean(client, db, as_, cell, signer):
    lat, lon = moved(HADER, east_km=1.234567)
    square = [[35.81, 33.11], [35.83, 33.11], [35.83, 33.13], [35.81, 33.13], [35.81, 33.11]]
    area = report(client, as_("SYR", "liaison"), location={"type": "Polygon", "coordinates": [square]}).json()
    near = report(client, as_("ISR", "liaison"), location=point(lat, lon), type="attack", actor_party="SYR").json()
    path = f"/api/v1/incidents/{area['id']}"
    assert client.post(f"{path}/acknowledge", headers=as_("ISR", "liaison")).status_code == 200
    assert client.post(f"{path}/investigate", headers=as_("USA", "liaison")).status_code == 200
    finding = {"finding": "inconclusive", "reasons": "Conflicting accounts."}
    assert client.post(f"{path}/finding", json=finding, headers=as_("USA", "liaison")).status_code == 200
    assert client.post(f"{path}/close", headers=as_("USA", "liaison")).status_code == 200
    complaint = client.post(
        f"/api/v1/incidents/{near['id']}/complaints", json={"grounds": "Not us."}, headers=as_("SYR", "liaison")
    ).json()
    answer = {"answer": "It was."}
    answered = client.post(f"/api/v1/complaints/{complaint['id']}/answer", json=answer, headers=as_("ISR", "liaison"))
    assert answered.status_code == 200
    retracted = report(client, as_("ISR", "liaison")).json()
    body = {"reason": "duplicate"}
    retraction = client.post(f"/api/v1/incidents/{retracted['id']}/retract", json=body, headers=as_("ISR", "liaison"))
    assert retraction.status_code == 200
    assert escalate_overdue_incidents(db, cell=cell, now=utcnow() + timedelta(days=1))
    db.flush()
    db.expire_all()  # read every row back as the database holds it
    verifier = Verifier.from_vkey(signer.verifier_key())
    assert audit(db, verifier=verifier) == []
    db.execute(update(Incident).where(Incident.id == uuid.UUID(near["id"])).values(severity=1))
    db.expire_all()
    [finding] = audit(db, verifier=verifier)  # and a change behind the application's back shows
    assert finding.where == f"incidents/{near['id']}"


def test_the_stream_tells_every_kind_of_the_desk():
    assert all(registered(kind) is not None for kind in ("incident", "complaint", "incident-escalation"))
