"""/api/v1/intel: reports, their lifecycle, tearlines, answers, bundle upload and export, audience preview."""

import uuid

from fastapi import APIRouter, Depends, Query
from fastapi.responses import StreamingResponse
from sqlalchemy.orm import Session

from fusioncell.access.dependencies import Caller, CallerDep
from fusioncell.cell.common import PartyCode
from fusioncell.db.base import Marking, Status
from fusioncell.intel import compose, queries, service
from fusioncell.intel.collections import collection_of_readers
from fusioncell.intel.delivery import delivery_status
from fusioncell.intel.export import bundle_chunks
from fusioncell.intel.markings import audience_problem
from fusioncell.intel.models import ReportKind
from fusioncell.intel.schemas import (
    AudiencePreview,
    BundleImport,
    OpinionCreate,
    Reason,
    ReportContentIn,
    ReportCreate,
    ReportDetail,
    ReportPage,
    SightingCreate,
    TearlineCreate,
)
from fusioncell.intel.store import readers_of
from fusioncell.intel.views import report_detail, report_read
from fusioncell.runtime import Runtime, SessionDep, get_runtime

router = APIRouter(prefix="/api/v1/intel", tags=["intelligence"])


def content_of(body: ReportContentIn) -> compose.ReportContent:
    return compose.ReportContent(
        title=body.title,
        summary=body.summary,
        source_reliability=body.source_reliability,
        credibility=body.credibility,
        observables=tuple(compose.Observable(str(o.type), o.value) for o in body.observables),
        threat_actors=tuple(name.strip() for name in body.threat_actors),
        place=None if body.place is None else compose.Place(body.place.lat, body.place.lon, body.place.name),
        observed_at=body.observed_at,
    )


def _detail(session: Session, runtime: Runtime, caller: Caller, report) -> ReportDetail:
    return report_detail(session, runtime.cell, caller.subject, report)


@router.get("/reports", response_model=ReportPage)
def list_reports(
    status: Status | None = None,
    kind: ReportKind | None = None,
    party: str | None = Query(default=None, max_length=16, description="The author party."),
    awaiting: str | None = Query(default=None, pattern="^(mediator|second-officer)$"),
    cursor: uuid.UUID | None = None,
    limit: int = Query(default=50, ge=1, le=200),
    caller: Caller = CallerDep,
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
):
    """Newest first, as far as the caller may read them. `awaiting=mediator` is the review queue."""
    filters = queries.ReportFilters(status=status, kind=kind, party=party, awaiting=awaiting)
    rows, next_cursor = queries.report_page(
        session, subject=caller.subject, filters=filters, cursor=cursor, limit=limit
    )
    return ReportPage(items=[report_read(runtime.cell, r) for r in rows], next_cursor=next_cursor)


@router.post("/reports", response_model=ReportDetail, status_code=201)
def write_report(
    body: ReportCreate,
    caller: Caller = CallerDep,
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
):
    """Write a graded report; it goes out at once (to the mediator's review first where the desk is
    supervised; TLP:RED to a second officer of your party) unless `draft` is true."""
    report = service.compose_report(
        session,
        cell=runtime.cell,
        subject=caller.subject,
        content=content_of(body),
        audience=service.Audience(frozenset(body.releasable_to), body.marking, body.draft),
        source_description=body.source_description,
    )
    return _detail(session, runtime, caller, report)


@router.post("/bundles", response_model=ReportDetail, status_code=201)
def upload_bundle(
    body: BundleImport,
    caller: Caller = CallerDep,
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
):
    """Upload a STIX 2.1 bundle as one report: every object is checked; one bad object and nothing is stored,
    with each problem named at `objects[<index>].<property>`."""
    report = service.import_bundle(
        session,
        cell=runtime.cell,
        subject=caller.subject,
        bundle=body.bundle,
        audience=service.Audience(frozenset(body.releasable_to), body.marking, body.draft),
        title=body.title,
        source_reliability=None if body.source_reliability is None else str(body.source_reliability),
        credibility=None if body.credibility is None else str(body.credibility),
        allow_custom=body.allow_custom,
    )
    return _detail(session, runtime, caller, report)


@router.get(
    "/export.json",
    responses={200: {"content": {"application/stix+json;version=2.1": {"schema": {"type": "object"}}}}},
)
def export_bundle(caller: Caller = CallerDep, session: Session = SessionDep, runtime: Runtime = Depends(get_runtime)):
    """Every object the caller may read, as one STIX 2.1 bundle."""
    text = "".join(bundle_chunks(session, cell=runtime.cell, subject=caller.subject))
    return StreamingResponse(
        iter([text]),
        media_type="application/stix+json;version=2.1",
        headers={"content-disposition": 'attachment; filename="fusioncell-intel.json"'},
    )


@router.get("/audience", response_model=AudiencePreview)
def preview_audience(
    releasable_to: list[PartyCode] = Query(default=[]),
    marking: Marking = Marking.AMBER,
    kind: ReportKind = ReportKind.REPORT,
    caller: Caller = CallerDep,
    runtime: Runtime = Depends(get_runtime),
):
    """Exactly who will read a report sent to these parties under this marking, and who must approve first."""
    cell, subject = runtime.cell, caller.subject
    recipients = frozenset(releasable_to) & cell.party_codes
    readers = readers_of(cell, subject, recipients)
    waits = []
    if marking is Marking.RED:
        waits.append(f"a second officer of {subject.party}")
    status = delivery_status(cell, subject, kind=kind, marking=marking, recipients=recipients, second_officer=True)
    if status is Status.PENDING:
        waits.append(f"the mediator ({cell.mediator.code})")
    return AudiencePreview(
        readers=sorted(readers),
        collection=collection_of_readers(cell, readers),
        waits_for=waits,
        problem=audience_problem(cell, marking, readers),
    )


@router.get("/reports/{report_id}", response_model=ReportDetail)
def get_report(
    report_id: uuid.UUID,
    caller: Caller = CallerDep,
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
):
    report = queries.readable_report(session, subject=caller.subject, report_id=report_id)
    return _detail(session, runtime, caller, report)


@router.post("/reports/{report_id}/release", response_model=ReportDetail)
def release(
    report_id: uuid.UUID,
    caller: Caller = CallerDep,
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
):
    """Your party's draft goes out (TLP:RED: you ask, a second officer of your party approves)."""
    report = service.release(session, cell=runtime.cell, subject=caller.subject, report_id=report_id)
    return _detail(session, runtime, caller, report)


@router.post("/reports/{report_id}/second-approval", response_model=ReportDetail)
def second_approval(
    report_id: uuid.UUID,
    caller: Caller = CallerDep,
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
):
    """Four eyes on TLP:RED: another officer of the author's party approves the release."""
    report = service.approve_as_second_officer(session, cell=runtime.cell, subject=caller.subject, report_id=report_id)
    return _detail(session, runtime, caller, report)


@router.post("/reports/{report_id}/approve", response_model=ReportDetail)
def approve(
    report_id: uuid.UUID,
    caller: Caller = CallerDep,
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
):
    """The mediator lets a pending report (a tearline included) reach its recipients."""
    report = service.review(session, subject=caller.subject, report_id=report_id, approve=True)
    return _detail(session, runtime, caller, report)


@router.post("/reports/{report_id}/return", response_model=ReportDetail)
def return_report(
    report_id: uuid.UUID,
    body: Reason,
    caller: Caller = CallerDep,
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
):
    """The mediator sends a pending report back to its author as a draft, saying why."""
    report = service.review(session, subject=caller.subject, report_id=report_id, approve=False, reason=body.reason)
    return _detail(session, runtime, caller, report)


@router.post("/reports/{report_id}/retract", response_model=ReportDetail)
def retract(
    report_id: uuid.UUID,
    body: Reason,
    caller: Caller = CallerDep,
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
):
    report = service.retract(session, subject=caller.subject, report_id=report_id, reason=body.reason)
    return _detail(session, runtime, caller, report)


@router.post("/reports/{report_id}/tearlines", response_model=ReportDetail, status_code=201)
def derive_tearline(
    report_id: uuid.UUID,
    body: TearlineCreate,
    caller: Caller = CallerDep,
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
):
    """A sanitised version of your party's released report for a wider audience; it waits for the mediator."""
    tearline = service.derive_tearline(
        session,
        cell=runtime.cell,
        subject=caller.subject,
        original_id=report_id,
        content=content_of(body),
        audience=service.Audience(frozenset(body.releasable_to), body.marking),
    )
    return _detail(session, runtime, caller, tearline)


@router.post("/reports/{report_id}/sightings", response_model=ReportDetail, status_code=201)
def answer_sighting(
    report_id: uuid.UUID,
    body: SightingCreate,
    caller: Caller = CallerDep,
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
):
    """ "We saw this too": a STIX sighting, released back to every party that reads the report."""

    def build(target, where, now):
        return compose.sighting_object(
            target,
            first_seen=body.first_seen,
            last_seen=body.last_seen,
            count=body.count,
            note=body.note,
            where=where,
            now=now,
        )

    sighting = service.answer(
        session, cell=runtime.cell, subject=caller.subject, report_id=report_id, kind=ReportKind.SIGHTING, build=build
    )
    return _detail(session, runtime, caller, sighting)


@router.post("/reports/{report_id}/opinions", response_model=ReportDetail, status_code=201)
def answer_opinion(
    report_id: uuid.UUID,
    body: OpinionCreate,
    caller: Caller = CallerDep,
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
):
    """Agree or disagree: a STIX opinion, released back to every party that reads the report."""

    def build(target, where, now):
        return compose.opinion_object(target, opinion=str(body.opinion), explanation=body.explanation, now=now)

    opinion = service.answer(
        session, cell=runtime.cell, subject=caller.subject, report_id=report_id, kind=ReportKind.OPINION, build=build
    )
    return _detail(session, runtime, caller, opinion)
