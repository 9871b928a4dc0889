"""Incident acknowledgement deadlines. Computed from stored deadlines on every tick, never from in-memory
timers, so a restart neither loses an escalation nor, thanks to the one-per-incident-and-party
constraint, raises one twice."""

from datetime import datetime

from sqlalchemy import and_, not_, or_, select
from sqlalchemy.orm import Session

from fusioncell.access.policies import mediators_own_envelope
from fusioncell.cell.definition import CellDefinition
from fusioncell.db.base import Status
from fusioncell.db.types import party_in, utcnow
from fusioncell.incidents.models import Incident, IncidentEscalation, Stage
from fusioncell.ledger.service import record_change

SYSTEM = "system"


def _owing(cell: CellDefinition):
    """Some party asked to acknowledge has neither acknowledged nor been escalated: so settled deadlines
    drop out of the scan however long the history grows."""
    waiting = []
    for party in sorted(cell.party_codes):
        raised = select(IncidentEscalation.id).where(
            IncidentEscalation.incident_id == Incident.id, IncidentEscalation.party == party
        )
        waiting.append(
            and_(
                party_in(Incident.ack_parties, party),
                not_(party_in(Incident.acknowledged_parties, party)),
                ~raised.exists(),
            )
        )
    return or_(*waiting)


def escalate_overdue_incidents(
    session: Session, *, cell: CellDefinition, now: datetime | None = None
) -> list[IncidentEscalation]:
    """Raise one escalation per overdue incident and party that has not acknowledged it."""
    now = now or utcnow()
    overdue = (
        session.execute(
            select(Incident).where(
                Incident.status == Status.RELEASED,
                Incident.stage == Stage.REPORTED,
                Incident.ack_due_at <= now,
                _owing(cell),
            )
        )
        .scalars()
        .all()
    )
    if not overdue:
        return []
    escalated = {
        (row.incident_id, row.party)
        for row in session.execute(
            select(IncidentEscalation.incident_id, IncidentEscalation.party).where(
                IncidentEscalation.incident_id.in_([incident.id for incident in overdue])
            )
        )
    }
    mediator = cell.mediator.code
    raised = []
    for incident in overdue:
        for party in sorted(incident.ack_parties - incident.acknowledged_parties):
            if (incident.id, party) in escalated:
                continue
            # The mediator's own record: its supervisors act on it; the parties never see it.
            escalation = IncidentEscalation(
                incident_id=incident.id,
                party=party,
                severity=incident.severity,
                due_at=incident.ack_due_at,
                created_by=SYSTEM,
                created_at=now,
                **mediators_own_envelope(cell),
            )
            session.add(escalation)
            record_change(session, record=escalation, action="incident-escalated", actor=SYSTEM, party=mediator)
            raised.append(escalation)
    return raised
