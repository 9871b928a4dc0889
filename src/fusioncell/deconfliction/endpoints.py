"""/api/v1/notices: deconfliction notices, their acknowledgements and retractions."""

import uuid

from fastapi import APIRouter, Depends, Query
from sqlalchemy.orm import Session

from fusioncell.access.dependencies import Caller, CallerDep
from fusioncell.access.subjects import Subject
from fusioncell.cell.deconfliction import Activity
from fusioncell.cell.definition import CellDefinition
from fusioncell.db.base import Status
from fusioncell.deconfliction import queries, service
from fusioncell.deconfliction.areas import CircleArea, PolygonArea
from fusioncell.deconfliction.findings import Finding
from fusioncell.deconfliction.models import Notice, NoticeAcknowledgement
from fusioncell.deconfliction.queries import When
from fusioncell.deconfliction.schemas import (
    AcknowledgementRead,
    NoticeCreate,
    NoticePage,
    NoticeRead,
    Reason,
)
from fusioncell.events.representations import Representation, register
from fusioncell.runtime import Runtime, SessionDep, get_runtime

router = APIRouter(prefix="/api/v1", tags=["deconfliction"])


def notices_read(session: Session, subject: Subject, cell: CellDefinition, notices: list[Notice]) -> list[NoticeRead]:
    """The caller's view: findings and acknowledgements as far as the caller may know them."""
    findings = queries.findings_for(session, subject=subject, cell=cell, notices=notices)
    acknowledgements: dict[uuid.UUID, list[AcknowledgementRead]] = {}
    for ack in queries.readable_acknowledgements(session, subject=subject, notice_ids=[n.id for n in notices]):
        acknowledgements.setdefault(ack.notice_id, []).append(AcknowledgementRead.model_validate(ack))
    return [
        NoticeRead.model_validate(
            notice_view(n) | {"findings": _findings(findings[n.id]), "acknowledgements": acknowledgements.get(n.id, [])}
        )
        for n in notices
    ]


def notice_read(session: Session, subject: Subject, cell: CellDefinition, notice: Notice) -> NoticeRead:
    return notices_read(session, subject, cell, [notice])[0]


def _findings(found: list[Finding]) -> list[dict]:
    return [
        {"code": f.code, "severity": f.severity, "message": f.message, "related_id": f.related_id, "details": f.details}
        for f in found
    ]


@router.get("/notices", response_model=NoticePage)
def list_notices(
    when: When | None = Query(default=None, description="active (under way), upcoming or past"),
    activity: Activity | None = None,
    party: str | None = Query(default=None, max_length=16, description="The notifying party."),
    cursor: uuid.UUID | None = None,
    limit: int = Query(default=50, ge=1, le=200),
    caller: Caller = CallerDep,
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
):
    found = queries.list_notices(
        session, subject=caller.subject, when=when, activity=activity, party=party, before=cursor, limit=limit
    )
    return NoticePage(
        items=notices_read(session, caller.subject, runtime.cell, found),
        next_cursor=found[-1].id if len(found) == limit else None,
    )


@router.post("/notices", response_model=NoticeRead, status_code=201)
def give_notice(
    body: NoticeCreate,
    caller: Caller = CallerDep,
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
):
    """Notify planned activity. The answer carries what the server found: lead time, protected sites, the
    Area of Separation, and overlaps with other parties' notices you may read."""
    if body.circle is not None:
        area = CircleArea(lat=body.circle.lat, lon=body.circle.lon, radius_km=body.circle.radius_km)
    else:
        area = PolygonArea(rings=tuple(tuple(ring) for ring in body.polygon.coordinates))
    draft = service.NoticeDraft(
        activity=body.activity,
        area=area,
        starts_at=body.starts_at,
        ends_at=body.ends_at,
        description=body.description,
        altitude=None if body.altitude is None else (body.altitude.min_m, body.altitude.max_m),
        releasable_to=None if body.releasable_to is None else frozenset(body.releasable_to),
        marking=body.marking,
    )
    notice = service.give_notice(session, cell=runtime.cell, subject=caller.subject, draft=draft)
    return notice_read(session, caller.subject, runtime.cell, notice)


@router.get("/notices/{notice_id}", response_model=NoticeRead)
def get_notice(
    notice_id: uuid.UUID,
    caller: Caller = CallerDep,
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
):
    notice = queries.readable_notice(session, subject=caller.subject, notice_id=notice_id)
    return notice_read(session, caller.subject, runtime.cell, notice)


@router.post("/notices/{notice_id}/acknowledge", response_model=NoticeRead)
def acknowledge(
    notice_id: uuid.UUID,
    caller: Caller = CallerDep,
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
):
    """Your party's acknowledgement (once; asked again, nothing more is recorded); answers the notice."""
    service.acknowledge_notice(session, subject=caller.subject, notice_id=notice_id)
    return get_notice(notice_id, caller, session, runtime)


@router.post("/notices/{notice_id}/retract", response_model=NoticeRead)
def retract(
    notice_id: uuid.UUID,
    body: Reason,
    caller: Caller = CallerDep,
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
):
    notice = service.retract_notice(session, subject=caller.subject, notice_id=notice_id, reason=body.reason)
    return notice_read(session, caller.subject, runtime.cell, notice)


def notice_view(notice: Notice) -> dict:
    """A notice as every one of its readers may see it: the findings stored with it (overlaps are found per
    reader by API reads), no acknowledgements (records of their own); what it announced withheld once
    retracted. The stream and webhooks send this."""
    withheld = notice.status == Status.RETRACTED
    view = NoticeRead(
        **{field: getattr(notice, field) for field in NoticeRead.model_fields if field not in _DERIVED},
        releasable_to=sorted(notice.releasable_to),
        ack_parties=sorted(notice.ack_parties),
        area=None if withheld else notice.area,
        circle=None if withheld else notice.circle,
        altitude=None if withheld else notice.altitude,
        description=None if withheld else notice.description,
        findings=[] if withheld else [f | {"related_id": None} for f in notice.findings],
        acknowledgements=[],
    )
    return view.model_dump(mode="json")


_DERIVED = {"releasable_to", "ack_parties", "area", "circle", "altitude", "description", "findings", "acknowledgements"}


register("notice", Representation(model=Notice, view=notice_view))
register(
    "notice-acknowledgement",
    Representation(
        model=NoticeAcknowledgement, view=lambda a: AcknowledgementRead.model_validate(a).model_dump(mode="json")
    ),
)
