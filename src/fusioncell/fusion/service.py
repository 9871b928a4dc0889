"""The mediator's decisions on fused incidents: confirm a proposal, fuse reports by hand, split, dismiss.
Never commits.

Every action reads the fusion first, so one the caller may not read answers 404 as a missing one does;
then the caller's party and role (403); then the fusion's stage (409); then what the body names (422).
Merging releases the fused incident (its summary and the list of who reported) to the parties the mediator
names; each source report stays under its own envelope.
"""

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from fusioncell.access.policies import can_fuse_reports, mediators_own_envelope
from fusioncell.access.rule import readable
from fusioncell.access.subjects import Subject
from fusioncell.cell.definition import CellDefinition
from fusioncell.db.base import Status
from fusioncell.db.types import utcnow
from fusioncell.errors import Conflict, Forbidden, NotFound, Phrase
from fusioncell.fusion.matching import proximity
from fusioncell.fusion.models import Fusion, FusionMember, FusionStage, MemberState
from fusioncell.fusion.proposals import LIVE, sighting_of
from fusioncell.fusion.summary import summarise
from fusioncell.i18n import N_
from fusioncell.incidents.models import Incident
from fusioncell.incidents.service import DESK, invalid
from fusioncell.ledger.service import record_change


def readable_fusion(session: Session, *, subject: Subject, fusion_id: uuid.UUID, for_update: bool = False) -> Fusion:
    query = select(Fusion).where(Fusion.id == fusion_id, readable(subject, Fusion))
    fusion = session.execute(query.with_for_update(key_share=True) if for_update else query).scalar_one_or_none()
    if fusion is None:
        raise NotFound()
    return fusion


def confirm_fusion(
    session: Session,
    *,
    cell: CellDefinition,
    subject: Subject,
    fusion_id: uuid.UUID,
    releasable_to: frozenset[str] | None = None,
    description: str | None = None,
    now: datetime | None = None,
) -> Fusion:
    """The proposal is right: merge it (or, for a proposal to extend a merged fusion, extend that one)."""
    proposal = _decidable(session, subject, fusion_id, FusionStage.PROPOSED)
    _check_parties(cell, releasable_to)
    now = now or utcnow()
    incidents = _live_incidents(session, proposal.in_fusion())
    if proposal.extends_id is None:
        _check_unfused(session, incidents, allowed=None)
        _merge(proposal, cell, subject, incidents, releasable_to, description, now)
        return _changed(session, cell, subject, proposal, incidents, "fusion-merged")
    target = readable_fusion(session, subject=subject, fusion_id=proposal.extends_id, for_update=True)
    if target.stage != FusionStage.MERGED:
        raise Conflict(
            N_("the fusion this proposal extends is {stage}; fuse the reports by hand instead"), stage=target.stage
        )
    _check_unfused(session, incidents, allowed=target.id)
    _set_decided(proposal, subject, now, stage=FusionStage.MERGED)
    for member in proposal.in_fusion():
        member.state = str(MemberState.CONFIRMED)
    _changed(session, cell, subject, proposal, incidents, "fusion-proposal-confirmed")
    return _extend(session, cell, subject, target, incidents, releasable_to, description, now)


def fuse_by_hand(
    session: Session,
    *,
    cell: CellDefinition,
    subject: Subject,
    incident_ids: list[uuid.UUID],
    into: uuid.UUID | None = None,
    releasable_to: frozenset[str] | None = None,
    description: str | None = None,
    now: datetime | None = None,
) -> Fusion:
    """Reports the mediator holds to be one event, whether or not the desk proposed them; with `into`,
    added to a merged fusion."""
    if not can_fuse_reports(subject, DESK):  # before any lookup: a party learns nothing of what exists
        raise Forbidden(N_("only the mediator decides which reports are one event"))
    target = None if into is None else readable_fusion(session, subject=subject, fusion_id=into, for_update=True)
    if target is not None and target.stage != FusionStage.MERGED:
        raise Conflict(
            N_("fusion {into} is {stage}; reports are added only to a merged fusion"), into=into, stage=target.stage
        )
    _check_parties(cell, releasable_to)
    incidents = _named_incidents(session, subject, incident_ids)
    if target is None and len(incidents) < 2:
        raise invalid({"incident_ids": N_("name at least two reports to fuse")}, prefix="body.")
    _check_unfused(session, incidents, allowed=None if target is None else target.id)
    now = now or utcnow()
    if target is not None:
        return _extend(session, cell, subject, target, incidents, releasable_to, description, now)
    fusion = Fusion(
        stage=str(FusionStage.MERGED),
        created_by=subject.username,
        created_at=now,
        score=0.0,
        **mediators_own_envelope(cell),
    )
    for incident in incidents:
        fusion.members.append(_member(incident, MemberState.CONFIRMED, now))
    _measure(cell, fusion, incidents)
    _merge(fusion, cell, subject, incidents, releasable_to, description, now)
    session.add(fusion)
    return _changed(session, cell, subject, fusion, incidents, "fusion-merged-by-hand", first=True)


def split_fusion(
    session: Session,
    *,
    cell: CellDefinition,
    subject: Subject,
    fusion_id: uuid.UUID,
    incident_ids: list[uuid.UUID],
    reason: str,
    now: datetime | None = None,
) -> Fusion:
    """Take reports out of a merged fusion or a proposal; with too few left together, it ends."""
    fusion = _decidable(session, subject, fusion_id, FusionStage.MERGED, FusionStage.PROPOSED)
    members = {m.incident_id: m for m in fusion.in_fusion()}
    strangers = [str(i) for i in incident_ids if i not in members]
    if strangers:
        raise invalid(
            {"incident_ids": Phrase(N_("not in this fusion: {strangers}"), strangers=", ".join(strangers))},
            prefix="body.",
        )
    for incident_id in incident_ids:
        members[incident_id].state = str(MemberState.SPLIT)
    left = fusion.in_fusion()
    needed = 1 if fusion.extends_id is not None else 2
    if len(left) < needed:
        ended = FusionStage.SPLIT if fusion.stage == FusionStage.MERGED else FusionStage.DISMISSED
        _set_decided(fusion, subject, now or utcnow(), stage=ended)
        for member in left:
            member.state = str(MemberState.SPLIT)
    else:
        _set_decided(fusion, subject, now or utcnow(), stage=FusionStage(fusion.stage))
    fusion.reason = reason
    incidents = _incidents(session, [m.incident_id for m in fusion.in_fusion()])
    return _changed(session, cell, subject, fusion, incidents, "fusion-split")


def dismiss_fusion(
    session: Session,
    *,
    cell: CellDefinition,
    subject: Subject,
    fusion_id: uuid.UUID,
    reason: str,
    now: datetime | None = None,
) -> Fusion:
    """The proposal is wrong: these are different events. It stays the mediator's alone."""
    proposal = _decidable(session, subject, fusion_id, FusionStage.PROPOSED)
    _set_decided(proposal, subject, now or utcnow(), stage=FusionStage.DISMISSED)
    proposal.reason = reason
    return _changed(session, cell, subject, proposal, [], "fusion-dismissed")


def _decidable(session: Session, subject: Subject, fusion_id: uuid.UUID, *stages: FusionStage) -> Fusion:
    fusion = readable_fusion(session, subject=subject, fusion_id=fusion_id, for_update=True)
    if not can_fuse_reports(subject, DESK):
        raise Forbidden(N_("only the mediator decides which reports are one event"))
    if fusion.stage not in stages:
        raise Conflict(N_("the fusion is {stage}, not {stages}"), stage=fusion.stage, stages=" or ".join(stages))
    return fusion


def _check_parties(cell: CellDefinition, releasable_to: frozenset[str] | None) -> None:
    unknown = sorted((releasable_to or frozenset()) - cell.party_codes)
    if unknown:
        raise invalid(
            {"releasable_to": Phrase(N_("unknown parties {unknown}"), unknown=", ".join(unknown))}, prefix="body."
        )


def _named_incidents(session: Session, subject: Subject, incident_ids: list[uuid.UUID]) -> list[Incident]:
    """The named reports, every one readable by the caller and out (neither a draft nor retracted)."""
    query = select(Incident).where(Incident.id.in_(incident_ids), readable(subject, Incident))
    found = {i.id: i for i in session.execute(query).scalars()}
    missing = [str(i) for i in incident_ids if i not in found]
    if missing:
        raise invalid(
            {"incident_ids": Phrase(N_("no such report: {missing}"), missing=", ".join(missing))}, prefix="body."
        )
    withdrawn = [str(i) for i in incident_ids if found[i].status not in LIVE]
    if withdrawn:
        raise invalid(
            {"incident_ids": Phrase(N_("retracted or not released: {withdrawn}"), withdrawn=", ".join(withdrawn))},
            prefix="body.",
        )
    return [found[i] for i in incident_ids]


def _live_incidents(session: Session, members: list[FusionMember]) -> list[Incident]:
    incidents = _incidents(session, [m.incident_id for m in members])
    withdrawn = [str(i.id) for i in incidents if i.status not in LIVE]
    if withdrawn:
        raise Conflict(
            N_("retracted since proposed: {withdrawn}; split them out first"), withdrawn=", ".join(withdrawn)
        )
    return incidents


def _incidents(session: Session, ids: list[uuid.UUID]) -> list[Incident]:
    found = {i.id: i for i in session.execute(select(Incident).where(Incident.id.in_(ids))).scalars()} if ids else {}
    return [found[i] for i in ids]


def _check_unfused(session: Session, incidents: list[Incident], *, allowed: uuid.UUID | None) -> None:
    """A report is in one merged fusion at most: merging it into a second is refused, naming the first."""
    query = (
        select(FusionMember.incident_id, FusionMember.fusion_id)
        .join(Fusion, Fusion.id == FusionMember.fusion_id)
        .where(
            FusionMember.incident_id.in_([i.id for i in incidents]),
            FusionMember.state != MemberState.SPLIT,
            Fusion.stage == FusionStage.MERGED,
        )
    )
    taken = [
        f"{incident_id} (in fusion {fusion_id})"
        for incident_id, fusion_id in session.execute(query)
        if fusion_id != allowed
    ]
    if taken:
        raise Conflict(
            N_("already in another merged fusion: {taken}; split it out there first"), taken=", ".join(taken)
        )


def _member(incident: Incident, state: MemberState, now: datetime) -> FusionMember:
    return FusionMember(incident_id=incident.id, origin_party=incident.origin_party, state=str(state), added_at=now)


def _measure(cell: CellDefinition, fusion: Fusion, incidents: list[Incident]) -> None:
    """Each member's distance to its closest other member, where matching.py can say (else left None)."""
    sightings = {i.id: sighting_of(cell, i) for i in incidents}
    best = 0.0
    for member in fusion.members:
        own = sightings.get(member.incident_id)
        nearest = [
            near
            for other_id, other in sightings.items()
            if other_id != member.incident_id
            and own is not None
            and other is not None
            and (near := proximity(own, other, cell.fusion)) is not None
        ]
        if nearest and member.minutes_apart is None:
            closest = max(nearest, key=lambda near: near.score)
            member.minutes_apart, member.km_apart = closest.minutes_apart, closest.km_apart
            best = max(best, closest.score)
    fusion.score = max(fusion.score or 0.0, best)


def _merge(
    fusion: Fusion,
    cell: CellDefinition,
    subject: Subject,
    incidents: list[Incident],
    releasable_to: frozenset[str] | None,
    description: str | None,
    now: datetime,
) -> None:
    """Released to the parties named, by default those whose reports it holds (never to the mediator's
    own list: the mediator reads it as its origin)."""
    reporters = frozenset(i.origin_party for i in incidents)
    fusion.releasable_to = (releasable_to if releasable_to is not None else reporters) - {cell.mediator.code}
    fusion.status = Status.RELEASED
    fusion.description = description if description is not None else fusion.description
    _set_decided(fusion, subject, now, stage=FusionStage.MERGED)
    for member in fusion.in_fusion():
        member.state = str(MemberState.CONFIRMED)


def _extend(
    session: Session,
    cell: CellDefinition,
    subject: Subject,
    target: Fusion,
    incidents: list[Incident],
    releasable_to: frozenset[str] | None,
    description: str | None,
    now: datetime,
) -> Fusion:
    members = {m.incident_id: m for m in target.members}
    for incident in incidents:
        if incident.id in members:
            members[incident.id].state = str(MemberState.CONFIRMED)  # back in, if it had been split off
        else:
            target.members.append(_member(incident, MemberState.CONFIRMED, now))
    if releasable_to is not None:
        target.releasable_to = releasable_to - {cell.mediator.code}
    target.description = description if description is not None else target.description
    _set_decided(target, subject, now, stage=FusionStage.MERGED)
    everyone = _incidents(session, [m.incident_id for m in target.in_fusion()])
    _measure(cell, target, everyone)
    return _changed(session, cell, subject, target, everyone, "fusion-extended")


def _set_decided(fusion: Fusion, subject: Subject, now: datetime, *, stage: FusionStage) -> None:
    fusion.stage = str(stage)
    fusion.decided_by = subject.username
    fusion.decided_at = now


def _changed(
    session: Session,
    cell: CellDefinition,
    subject: Subject,
    fusion: Fusion,
    incidents: list[Incident],
    action: str,
    first: bool = False,
) -> Fusion:
    summarise(cell, fusion, incidents)
    if not first:
        fusion.version += 1
    record_change(session, record=fusion, action=action, actor=subject.username, party=subject.party)
    return fusion
