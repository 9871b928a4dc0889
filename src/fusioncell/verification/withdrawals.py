"""The withdrawal tracker: positions held on the ground, moved occupied → scheduled → withdrawn → verified.
Never commits.

Every move reads the position first, so one the caller may not read answers 404 as a missing one does;
then the caller's party and role (403); then the position's state (409: out of order, or not released).
Each move stamps its stage's timestamp, adds a milestone (when, by whom, for which party, the note) and
enters the record.
"""

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from fusioncell.access.policies import can_inspect, can_supervise, can_track_positions, speaks_on_desk
from fusioncell.access.subjects import Subject
from fusioncell.cell.definition import CellDefinition
from fusioncell.db.base import Marking, Status
from fusioncell.db.types import utcnow
from fusioncell.errors import Conflict, Forbidden, Phrase
from fusioncell.geo.service import geography_for
from fusioncell.i18n import N_
from fusioncell.incidents.derived import DECIMALS, geometry_of
from fusioncell.incidents.derived import positions as coordinates_of
from fusioncell.incidents.service import invalid
from fusioncell.ledger.service import record_change
from fusioncell.verification.models import Position, PositionStage
from fusioncell.verification.queries import readable_position
from fusioncell.verification.service import DESK, PREFIX, recipient_problems


@dataclass(frozen=True)
class PositionDraft:
    """A position to track; shape validated at the edge (schemas.PositionCreate)."""

    name: str
    location: dict  # a GeoJSON Point or Polygon, lon/lat
    holding_party: str | None = None  # None: the registering party
    description: str | None = None
    releasable_to: frozenset[str] | None = None  # None: the plenary and the observers, who verify
    marking: Marking = Marking.AMBER


def default_position_recipients(cell: CellDefinition, origin: str) -> frozenset[str]:
    """The plenary and the observers: a withdrawal is verified by an observer, who must be able to read it."""
    everyone = {cell.mediator.code, *(p.code for p in cell.principals), *(p.code for p in cell.observers)}
    return frozenset(everyone) - {origin}


def position_problems(cell: CellDefinition, subject: Subject, draft: PositionDraft) -> dict[str, str]:
    problems = recipient_problems(cell, draft.releasable_to)
    principals = sorted(p.code for p in cell.principals)
    holder = draft.holding_party or subject.party
    if holder not in principals:
        problems["holding_party"] = Phrase(
            N_("{holder} holds no positions on the line: name one of {principals}"),
            holder=holder,
            principals=", ".join(principals),
        )
    area = cell.area_of_interest
    for lon, lat in coordinates_of(draft.location) if area is not None else ():
        outside = area.problems(lat=lat, lon=lon)
        if outside:
            problems["location.coordinates"] = "; ".join(outside.values())
            break
    return problems


def register_position(
    session: Session, *, cell: CellDefinition, subject: Subject, draft: PositionDraft, now: datetime | None = None
) -> Position:
    """Track a position, occupied as of now; where it lies (zones, side) derived as for incidents."""
    now = now or utcnow()
    if not can_track_positions(subject, DESK):
        raise Forbidden(N_("positions are registered by liaison officers, de-escalation officers and observers"))
    problems = position_problems(cell, subject, draft)
    if problems:
        raise invalid(problems, prefix=PREFIX)
    geometry = geometry_of(draft.location)
    placement = geography_for(cell).place(geometry)
    point = geometry if geometry.geom_type == "Point" else geometry.representative_point()
    recipients = draft.releasable_to
    if recipients is None:
        recipients = default_position_recipients(cell, subject.party)
    position = Position(
        name=draft.name,
        holding_party=draft.holding_party or subject.party,
        location=draft.location,
        description=draft.description,
        lat=round(float(point.y), DECIMALS),
        lon=round(float(point.x), DECIMALS),
        zones=frozenset(placement.zones),
        side=placement.side,
        stage=str(PositionStage.OCCUPIED),
        milestones=[_milestone(PositionStage.OCCUPIED, subject, now, None)],
        origin_party=subject.party,
        created_by=subject.username,
        created_at=now,
        marking=str(draft.marking),
        releasable_to=frozenset(recipients) - {subject.party},
        status=Status.RELEASED,
    )
    session.add(position)
    record_change(session, record=position, action="position-registered", actor=subject.username, party=subject.party)
    return position


def schedule_withdrawal(
    session: Session,
    *,
    subject: Subject,
    position_id: uuid.UUID,
    due_at: datetime,
    note: str | None = None,
    now: datetime | None = None,
) -> Position:
    """The holding party (or the mediator, who brokers it) sets the date the position is to be left by."""
    position = readable_position(session, subject=subject, position_id=position_id, for_update=True)
    if not may_schedule(subject, position):
        raise Forbidden(N_("a withdrawal is scheduled by the holding party's officers or the mediator"))
    now = now or utcnow()
    _check_move(position, PositionStage.OCCUPIED, PositionStage.SCHEDULED)
    if due_at <= now:
        raise invalid({"due_at": N_("lies in the past: a withdrawal is scheduled ahead")}, prefix=PREFIX)
    position.due_at = due_at
    position.scheduled_at = now
    return _moved(session, subject, position, PositionStage.SCHEDULED, now, note, due_at=due_at)


def declare_withdrawn(
    session: Session, *, subject: Subject, position_id: uuid.UUID, note: str | None = None, now: datetime | None = None
) -> Position:
    """The holding party declares the position left; an observer verifies it next."""
    position = readable_position(session, subject=subject, position_id=position_id, for_update=True)
    if not may_declare_withdrawn(subject, position):
        raise Forbidden(N_("a withdrawal is declared by the holding party's liaison or de-escalation officers"))
    now = now or utcnow()
    _check_move(position, PositionStage.SCHEDULED, PositionStage.WITHDRAWN)
    position.withdrawn_at = now
    return _moved(session, subject, position, PositionStage.WITHDRAWN, now, note)


def verify_withdrawal(
    session: Session, *, subject: Subject, position_id: uuid.UUID, note: str | None = None, now: datetime | None = None
) -> Position:
    """An observer has seen the position left: the withdrawal is verified."""
    position = readable_position(session, subject=subject, position_id=position_id, for_update=True)
    if not can_inspect(subject):
        raise Forbidden(N_("a withdrawal is verified by an observer (UNDOF), never by a party to it"))
    now = now or utcnow()
    _check_move(position, PositionStage.WITHDRAWN, PositionStage.VERIFIED)
    position.verified_at = now
    return _moved(session, subject, position, PositionStage.VERIFIED, now, note)


def may_schedule(subject: Subject, position: Position) -> bool:
    """The holding party's officers, or the mediator, who brokers the withdrawal."""
    return (subject.party == position.holding_party and speaks_on_desk(subject, DESK)) or can_supervise(subject)


def may_declare_withdrawn(subject: Subject, position: Position) -> bool:
    return subject.party == position.holding_party and speaks_on_desk(subject, DESK)


def next_move(subject: Subject, position: Position) -> str | None:
    """The move the caller may make on the position now ("schedule", "withdraw", "verify"), if any."""
    if position.status != Status.RELEASED:
        return None
    if position.stage == PositionStage.OCCUPIED and may_schedule(subject, position):
        return "schedule"
    if position.stage == PositionStage.SCHEDULED and may_declare_withdrawn(subject, position):
        return "withdraw"
    if position.stage == PositionStage.WITHDRAWN and can_inspect(subject):
        return "verify"
    return None


def is_overdue(position: Position, now: datetime) -> bool:
    return position.stage == PositionStage.SCHEDULED and position.due_at is not None and position.due_at <= now


def _check_move(position: Position, stage: PositionStage, to: PositionStage) -> None:
    if position.status != Status.RELEASED:
        raise Conflict(N_("the position is {status}; it is not being tracked"), status=position.status)
    if position.stage != stage:
        raise Conflict(
            N_("the position is {stage}, not {stage2}: it cannot be {to} now"),
            stage=position.stage,
            stage2=stage,
            to=to,
        )


def _milestone(
    stage: PositionStage, subject: Subject, at: datetime, note: str | None, due_at: datetime | None = None
) -> dict:
    moment = at.isoformat(timespec="microseconds")
    due = None if due_at is None else due_at.isoformat(timespec="microseconds")
    return {
        "stage": str(stage),
        "at": moment,
        "by": subject.username,
        "party": subject.party,
        "note": note,
        "due_at": due,
    }


def _moved(
    session: Session,
    subject: Subject,
    position: Position,
    stage: PositionStage,
    now: datetime,
    note: str | None,
    *,
    due_at: datetime | None = None,
) -> Position:
    position.stage = str(stage)
    # A new list, so the JSON column is seen as changed.
    position.milestones = [*position.milestones, _milestone(stage, subject, now, note, due_at)]
    position.version += 1
    record_change(session, record=position, action=f"position-{stage}", actor=subject.username, party=subject.party)
    return position
