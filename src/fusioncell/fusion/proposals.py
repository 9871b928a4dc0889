"""The desk's proposals: when a report goes out, the stored reports it may duplicate are put before the
mediator as one fused incident. Never commits; never releases anything to a party.

A proposal is the mediator's alone (the envelope of an escalation), so proposing tells no party that
another report exists. What the desk proposes, by the closest match:
  - that match is in a merged fusion: a proposal to extend that fusion with the new report;
  - that match is in an open proposal: the new report joins that proposal;
  - otherwise: a new proposal of the new report and its matches.
"""

import uuid
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from fusioncell.access.policies import mediators_own_envelope
from fusioncell.cell.definition import CellDefinition
from fusioncell.db.base import Status
from fusioncell.fusion.matching import Proximity, Sighting, proximity, search_box, sighting
from fusioncell.fusion.models import Fusion, FusionMember, FusionStage, MemberState
from fusioncell.fusion.summary import summarise
from fusioncell.incidents.models import Incident
from fusioncell.ledger.service import record_change

SYSTEM = "system"  # the desk itself proposes; the mediator decides
LIVE = (str(Status.PENDING), str(Status.RELEASED))  # reports that are out (drafts and retractions are not)


def event_type(cell: CellDefinition, code: str) -> str:
    parent = next((t.parent for t in cell.incident_types if t.code == code), None)
    return parent or code


def sighting_of(cell: CellDefinition, incident: Incident) -> Sighting | None:
    return sighting(
        cell.fusion,
        key=incident.id,
        author=(incident.origin_party, incident.created_by),
        occurred_at=incident.occurred_at,
        occurred_until=incident.occurred_until,
        time_precision=incident.time_precision,
        lat=incident.lat,
        lon=incident.lon,
        geo_precision=incident.geo_precision,
        type=incident.type,
        event_type=event_type(cell, incident.type),
    )


def stored_matches(session: Session, cell: CellDefinition, own: Sighting) -> list[tuple[Incident, Proximity]]:
    """The reports that are out and lie close enough to `own` to be the same event, closest first."""
    box = search_box(cell.fusion, own.lat)
    earliest = datetime.fromtimestamp(own.starts - box.seconds, tz=UTC)
    latest = datetime.fromtimestamp(own.starts + box.seconds, tz=UTC)
    query = select(Incident).where(
        Incident.id != own.key,
        Incident.status.in_(LIVE),
        Incident.occurred_at.between(earliest, latest),
        Incident.lat.between(own.lat - box.lat_degrees, own.lat + box.lat_degrees),
        Incident.lon.between(own.lon - box.lon_degrees, own.lon + box.lon_degrees),
    )
    found = []
    for incident in session.execute(query).scalars():
        other = sighting_of(cell, incident)
        near = None if other is None else proximity(own, other, cell.fusion)
        if near is not None:
            found.append((incident, near))
    found.sort(key=lambda pair: -pair[1].score)
    return found


def propose_for(session: Session, *, cell: CellDefinition, incident: Incident, now: datetime) -> Fusion | None:
    """Put the report before the mediator with the reports it may duplicate; None if it matches none."""
    own = sighting_of(cell, incident)
    matches = [] if own is None else stored_matches(session, cell, own)
    if not matches:
        return None
    fused = _fusions_holding(session, [i.id for i, _ in matches])
    closest = matches[0][0].id
    merged = next((f for f in fused.get(closest, ()) if f.stage == FusionStage.MERGED), None)
    unfused = [(i, p) for i, p in matches if not any(f.stage == FusionStage.MERGED for f in fused.get(i.id, ()))]
    if merged is not None:
        proposal = _open_proposal(session, extends=merged.id) or _new_proposal(cell, now, extends=merged.id)
        joining = [(incident, matches[0][1]), *unfused]
    else:
        proposal = next((f for f in fused.get(closest, ()) if f.stage == FusionStage.PROPOSED), None)
        proposal = proposal or _new_proposal(cell, now)
        joining = [(incident, matches[0][1]), *unfused]
    return _add_members(session, cell, proposal, joining, now)


def _fusions_holding(session: Session, incident_ids: list[uuid.UUID]) -> dict[uuid.UUID, list[Fusion]]:
    """The merged fusions and open proposals (not extensions) each report is in."""
    query = (
        select(FusionMember.incident_id, Fusion)
        .join(Fusion, Fusion.id == FusionMember.fusion_id)
        .where(
            FusionMember.incident_id.in_(incident_ids),
            FusionMember.state != MemberState.SPLIT,
            Fusion.stage.in_([FusionStage.MERGED, FusionStage.PROPOSED]),
        )
    )
    out: dict[uuid.UUID, list[Fusion]] = {}
    for incident_id, fusion in session.execute(query):
        if fusion.stage == FusionStage.MERGED or fusion.extends_id is None:
            out.setdefault(incident_id, []).append(fusion)
    return out


def _open_proposal(session: Session, *, extends: uuid.UUID) -> Fusion | None:
    query = select(Fusion).where(Fusion.extends_id == extends, Fusion.stage == FusionStage.PROPOSED)
    return session.execute(query.order_by(Fusion.id).limit(1)).scalar_one_or_none()


def _new_proposal(cell: CellDefinition, now: datetime, *, extends: uuid.UUID | None = None) -> Fusion:
    return Fusion(
        stage=str(FusionStage.PROPOSED),
        extends_id=extends,
        created_by=SYSTEM,
        created_at=now,
        version=0,  # _add_members counts the first version
        **mediators_own_envelope(cell),
    )


def _add_members(
    session: Session, cell: CellDefinition, proposal: Fusion, joining: list[tuple[Incident, Proximity]], now: datetime
) -> Fusion:
    present = {m.incident_id for m in proposal.members}
    added = False
    for incident, near in joining:
        if incident.id in present:
            continue
        present.add(incident.id)
        proposal.members.append(
            FusionMember(
                incident_id=incident.id,
                origin_party=incident.origin_party,
                state=str(MemberState.PROPOSED),
                minutes_apart=near.minutes_apart,
                km_apart=near.km_apart,
                added_at=now,
            )
        )
        added = True
    if not added:
        return proposal
    first = proposal.version == 0
    proposal.version += 1
    proposal.score = max(proposal.score or 0.0, max(near.score for _, near in joining))
    summarise(cell, proposal, _member_incidents(session, proposal, joining))
    if first:
        session.add(proposal)
    action = "fusion-proposed" if first else "fusion-proposal-grew"
    record_change(session, record=proposal, action=action, actor=SYSTEM, party=cell.mediator.code)
    return proposal


def _member_incidents(session: Session, fusion: Fusion, joining: list[tuple[Incident, Proximity]]) -> list[Incident]:
    known = {i.id: i for i, _ in joining}
    missing = [m.incident_id for m in fusion.in_fusion() if m.incident_id not in known]
    if missing:
        known |= {i.id: i for i in session.execute(select(Incident).where(Incident.id.in_(missing))).scalars()}
    return [known[m.incident_id] for m in fusion.in_fusion()]
