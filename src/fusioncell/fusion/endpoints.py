"""/api/v1/fusions: fused incidents, proposed by the desk and decided by the mediator."""

import uuid

from fastapi import APIRouter, Depends, Query
from sqlalchemy.orm import Session

from fusioncell.access.dependencies import Caller, CallerDep
from fusioncell.fusion import queries, service
from fusioncell.fusion.models import FusionStage
from fusioncell.fusion.schemas import FusionCreate, FusionDecision, FusionDismissal, FusionPage, FusionRead, FusionSplit
from fusioncell.fusion.views import fusion_read, fusion_reads
from fusioncell.runtime import Runtime, SessionDep, get_runtime

router = APIRouter(prefix="/api/v1", tags=["fusion"])


def _parties(codes: list[str] | None) -> frozenset[str] | None:
    return None if codes is None else frozenset(codes)


@router.get("/fusions", response_model=FusionPage)
def list_fusions(
    stage: FusionStage | None = None,
    incident: uuid.UUID | None = Query(default=None, description="Only the fusions holding this report."),
    cursor: uuid.UUID | None = None,
    limit: int = Query(default=50, ge=1, le=200),
    caller: Caller = CallerDep,
    session: Session = SessionDep,
):
    """Newest first, as far as the caller may read them: proposals are the mediator's alone."""
    found = queries.list_fusions(
        session, subject=caller.subject, stage=stage, incident_id=incident, before=cursor, limit=limit
    )
    return FusionPage(
        items=fusion_reads(session, caller.subject, found), next_cursor=found[-1].id if len(found) == limit else None
    )


@router.post("/fusions", response_model=FusionRead, status_code=201)
def fuse(
    body: FusionCreate,
    caller: Caller = CallerDep,
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
):
    """The mediator fuses reports it holds to be one event (or adds them to a merged fusion: `into`)."""
    fusion = service.fuse_by_hand(
        session,
        cell=runtime.cell,
        subject=caller.subject,
        incident_ids=body.incident_ids,
        into=body.into,
        releasable_to=_parties(body.releasable_to),
        description=body.description,
    )
    return fusion_read(session, caller.subject, fusion)


@router.get("/fusions/{fusion_id}", response_model=FusionRead)
def get_fusion(fusion_id: uuid.UUID, caller: Caller = CallerDep, session: Session = SessionDep):
    """The fused incident: its summary, who reported it, and each report the caller may read."""
    fusion = service.readable_fusion(session, subject=caller.subject, fusion_id=fusion_id)
    return fusion_read(session, caller.subject, fusion)


@router.post("/fusions/{fusion_id}/confirm", response_model=FusionRead)
def confirm(
    fusion_id: uuid.UUID,
    body: FusionDecision,
    caller: Caller = CallerDep,
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
):
    """The mediator confirms a proposal: the reports are merged into one fused incident and it is released
    to the parties named (by default those whose reports it holds)."""
    fusion = service.confirm_fusion(
        session,
        cell=runtime.cell,
        subject=caller.subject,
        fusion_id=fusion_id,
        releasable_to=_parties(body.releasable_to),
        description=body.description,
    )
    return fusion_read(session, caller.subject, fusion)


@router.post("/fusions/{fusion_id}/split", response_model=FusionRead)
def split(
    fusion_id: uuid.UUID,
    body: FusionSplit,
    caller: Caller = CallerDep,
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
):
    """The mediator takes reports out of a fusion or a proposal; with too few left it ends."""
    fusion = service.split_fusion(
        session,
        cell=runtime.cell,
        subject=caller.subject,
        fusion_id=fusion_id,
        incident_ids=body.incident_ids,
        reason=body.reason,
    )
    return fusion_read(session, caller.subject, fusion)


@router.post("/fusions/{fusion_id}/dismiss", response_model=FusionRead)
def dismiss(
    fusion_id: uuid.UUID,
    body: FusionDismissal,
    caller: Caller = CallerDep,
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
):
    """The mediator holds a proposal wrong: different events."""
    fusion = service.dismiss_fusion(
        session, cell=runtime.cell, subject=caller.subject, fusion_id=fusion_id, reason=body.reason
    )
    return fusion_read(session, caller.subject, fusion)
