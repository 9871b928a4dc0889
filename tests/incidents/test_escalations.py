"""An incident nobody acknowledged in time escalates to the mediator, once per incident and party, from
the stored deadline; the mediator sees it, the parties never do."""

from datetime import timedelta

from fusioncell.db.types import utcnow
from fusioncell.incidents.scheduled import escalate_overdue_incidents
from fusioncell.ledger.service import tree_size
from tests.incidents.conftest import report


def test_an_overdue_incident_escalates_once(client, db, as_, cell):
    grave = report(client, as_("ISR", "liaison"), severity=5).json()  # one hour
    minor = report(client, as_("ISR", "liaison"), severity=1, type="peaceful-protest").json()  # 72 hours
    acked = report(client, as_("ISR", "liaison"), severity=5).json()
    client.post(f"/api/v1/incidents/{acked['id']}/acknowledge", headers=as_("SYR", "liaison"))
    size = tree_size(db)
    later = utcnow() + timedelta(hours=2)
    raised = escalate_overdue_incidents(db, cell=cell, now=later)
    assert [(str(e.incident_id), e.party, e.severity) for e in raised] == [(grave["id"], "SYR", 5)]
    assert escalate_overdue_incidents(db, cell=cell, now=later + timedelta(minutes=5)) == []  # never twice
    assert tree_size(db) == size + 1
    db.commit()
    listed = client.get("/api/v1/incident-escalations", headers=as_("USA", "supervisor")).json()["items"]
    assert [(e["incident_id"], e["party"]) for e in listed] == [(grave["id"], "SYR")]
    escalation = listed[0]["id"]
    assert client.get(f"/api/v1/incident-escalations/{escalation}", headers=as_("USA", "liaison")).status_code == 200
    for party in ("ISR", "SYR"):
        headers = as_(party, "liaison")
        assert client.get("/api/v1/incident-escalations", headers=headers).json()["items"] == []
        assert client.get(f"/api/v1/incident-escalations/{escalation}", headers=headers).status_code == 404
    assert minor["ack_due_at"] > grave["ack_due_at"]


def test_a_late_acknowledgement_still_counts_and_nothing_escalates_twice(client, db, as_, cell):
    incident = report(client, as_("USA", "liaison"), severity=4).json()  # awaits ISR and SYR, four hours
    client.post(f"/api/v1/incidents/{incident['id']}/acknowledge", headers=as_("ISR", "liaison"))
    raised = escalate_overdue_incidents(db, cell=cell, now=utcnow() + timedelta(hours=5))
    assert [e.party for e in raised] == ["SYR"]
    db.commit()
    late = client.post(f"/api/v1/incidents/{incident['id']}/acknowledge", headers=as_("SYR", "liaison"))
    assert late.status_code == 200 and late.json()["stage"] == "acknowledged"
    assert escalate_overdue_incidents(db, cell=cell, now=utcnow() + timedelta(hours=6)) == []


def test_drafts_and_retracted_incidents_never_escalate(client, db, as_, cell):
    report(client, as_("ISR", "liaison"), severity=5, draft=True)
    retracted = report(client, as_("ISR", "liaison"), severity=5).json()
    body = {"reason": "wrong grid"}
    client.post(f"/api/v1/incidents/{retracted['id']}/retract", json=body, headers=as_("ISR", "liaison"))
    assert escalate_overdue_incidents(db, cell=cell, now=utcnow() + timedelta(days=10)) == []
