"""Giving, acknowledging and retracting deconfliction notices. Never commits.

What pages, the API and the map read (lists, one notice, findings per reader) is in deconfliction/queries.py.
"""

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from shapely.geometry import Polygon
from sqlalchemy import select
from sqlalchemy.orm import Session

from fusioncell import validation_messages
from fusioncell.access.policies import can_give_notice
from fusioncell.access.subjects import Subject
from fusioncell.cell.deconfliction import Activity
from fusioncell.cell.definition import CellDefinition
from fusioncell.db.base import Marking, Status
from fusioncell.db.types import utcnow
from fusioncell.deconfliction.areas import Area, CircleArea, geojson_of, outside_area_of_interest, shape_of
from fusioncell.deconfliction.findings import notice_findings
from fusioncell.deconfliction.models import Notice, NoticeAcknowledgement
from fusioncell.deconfliction.queries import readable_notice
from fusioncell.errors import Conflict, Forbidden, Invalid, Phrase
from fusioncell.geo.service import geography_for
from fusioncell.i18n import N_
from fusioncell.ledger.service import record_change

DESK = "deescalation"  # the desk notices belong to: its officers give and answer them


@dataclass(frozen=True)
class NoticeDraft:
    """What a notifying party asks for; validated for shape at the edge (schemas.NoticeCreate)."""

    activity: Activity
    area: Area
    starts_at: datetime
    ends_at: datetime
    description: str
    altitude: tuple[int, int] | None = None  # (min, max) metres above mean sea level
    releasable_to: frozenset[str] | None = None  # None: the plenary (the mediator and the principals)
    marking: Marking = Marking.AMBER


def plenary(cell: CellDefinition) -> frozenset[str]:
    return frozenset({cell.mediator.code, *(p.code for p in cell.principals)})


def asked_to_acknowledge(cell: CellDefinition, origin: str, recipients: frozenset[str]) -> frozenset[str]:
    """Who answers a notice: the other principals it is released to, and the mediator, who always sees it;
    observers are told, not asked."""
    answering = plenary(cell) & (recipients | {cell.mediator.code})
    return answering - {origin}


def _invalid(problems: dict[str, str]) -> Invalid:
    """The one error shape, each problem at its field as the API's request body names it, so a client gets
    one naming for every 422 (the edge's own checks say "body.<field>" too)."""
    return validation_messages.invalid(problems, prefix="body.")


def _recipients(cell: CellDefinition, subject: Subject, draft: NoticeDraft) -> frozenset[str]:
    wanted = plenary(cell) if draft.releasable_to is None else draft.releasable_to
    unknown = sorted(wanted - cell.party_codes)
    if unknown:
        known = ", ".join(sorted(cell.party_codes))
        raise _invalid(
            {
                "releasable_to": Phrase(
                    N_("unknown party {unknown} (parties: {known})"), unknown=", ".join(unknown), known=known
                )
            }
        )
    return frozenset(wanted) - {subject.party}


def _shape_in_cell(cell: CellDefinition, area: Area) -> Polygon:
    shape = shape_of(area)
    problems = outside_area_of_interest(cell, area, shape)
    if problems:
        raise _invalid(problems)
    return shape


def _area_columns(area: Area, shape: Polygon) -> dict[str, Any]:
    """The polygon as stored, the circle it was given as (if it was), and its bounding box."""
    circle = area if isinstance(area, CircleArea) else None
    west, south, east, north = shape.bounds
    return {
        "area": geojson_of(shape),
        "circle_lat": None if circle is None else circle.lat,
        "circle_lon": None if circle is None else circle.lon,
        "circle_radius_km": None if circle is None else circle.radius_km,
        "west": west,
        "south": south,
        "east": east,
        "north": north,
    }


def give_notice(
    session: Session, *, cell: CellDefinition, subject: Subject, draft: NoticeDraft, now: datetime | None = None
) -> Notice:
    """Record a notice, released at once to its recipients, with what the server finds about its ground."""
    now = now or utcnow()
    if not can_give_notice(subject, DESK):
        raise Forbidden(N_("notices are given by liaison officers, de-escalation officers and observers"))
    shape = _shape_in_cell(cell, draft.area)
    recipients = _recipients(cell, subject, draft)
    placement = geography_for(cell).place(shape)
    found = notice_findings(cell, draft.activity, placement, starts_at=draft.starts_at, given_at=now)
    notice = Notice(
        **_area_columns(draft.area, shape),
        activity=str(draft.activity),
        starts_at=draft.starts_at,
        ends_at=draft.ends_at,
        altitude_min_m=None if draft.altitude is None else draft.altitude[0],
        altitude_max_m=None if draft.altitude is None else draft.altitude[1],
        description=draft.description,
        findings=[f.stored() for f in found],
        ack_parties=asked_to_acknowledge(cell, subject.party, recipients),
        origin_party=subject.party,
        created_by=subject.username,
        created_at=now,
        marking=str(draft.marking),
        releasable_to=recipients,
        status=Status.RELEASED,
        released_at=now,
    )
    session.add(notice)
    record_change(session, record=notice, action="notice-given", actor=subject.username, party=subject.party)
    return notice


def acknowledge_notice(session: Session, *, subject: Subject, notice_id: uuid.UUID) -> NoticeAcknowledgement:
    """The party's acknowledgement, once: asked again, the first one is answered and nothing is recorded."""
    notice = readable_notice(session, subject=subject, notice_id=notice_id)
    if subject.party not in notice.ack_parties:
        raise Forbidden(N_("your party is not asked to acknowledge this notice"))
    if not can_give_notice(subject, DESK):
        raise Forbidden(N_("notices are acknowledged by liaison officers and de-escalation officers"))
    if notice.status != Status.RELEASED:
        raise Conflict(N_("the notice is {status}; there is nothing to acknowledge"), status=notice.status)
    existing = session.execute(
        select(NoticeAcknowledgement).where(
            NoticeAcknowledgement.notice_id == notice.id, NoticeAcknowledgement.party == subject.party
        )
    ).scalar_one_or_none()
    if existing is not None:
        return existing
    acknowledgement = NoticeAcknowledgement(
        notice_id=notice.id,
        party=subject.party,
        origin_party=subject.party,
        created_by=subject.username,
        status=Status.RELEASED,
        releasable_to=frozenset({notice.origin_party}) - {subject.party},
        marking=notice.marking,
    )
    session.add(acknowledgement)
    record_change(
        session, record=acknowledgement, action="notice-acknowledged", actor=subject.username, party=subject.party
    )
    return acknowledgement


def retract_notice(
    session: Session, *, subject: Subject, notice_id: uuid.UUID, reason: str, now: datetime | None = None
) -> Notice:
    """What the notice announced is hidden from everyone behind the reason; the notice and its leaf stay."""
    notice = readable_notice(session, subject=subject, notice_id=notice_id)
    if notice.origin_party != subject.party:
        raise Forbidden(N_("a party retracts only its own notices"))
    if not can_give_notice(subject, DESK):
        raise Forbidden(N_("notices are retracted by liaison officers, de-escalation officers and observers"))
    if notice.status == Status.RETRACTED:
        raise Conflict(N_("the notice is retracted already"))
    if notice.status == Status.DRAFT:
        raise Conflict(N_("a draft was never given; there is nothing to retract"))
    notice.status = Status.RETRACTED
    notice.retracted_at = now or utcnow()
    notice.retraction_reason = reason
    notice.version += 1
    record_change(session, record=notice, action="notice-retracted", actor=subject.username, party=subject.party)
    return notice
