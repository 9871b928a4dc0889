"""The fusion pages: the mediator's queue of proposals and the fused incidents the caller may read
(GET /fusions), one fused incident with who said what (GET /fusions/{id}), and the mediator's buttons.

Reads go through queries.list_fusions / service.readable_fusion and views.fusion_reads, so a proposal is
the mediator's alone and each source report is shown only to whom its own envelope allows; the buttons run
the API's service calls (404, 403, 409, 422 as there). Form fields are checked by the API's schemas
(web/forms.py).
"""

import uuid
from dataclasses import dataclass

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy.orm import Session

from fusioncell.access.dependencies import Caller, PageCallerDep
from fusioncell.access.policies import can_fuse_reports
from fusioncell.cell.common import Names
from fusioncell.cell.definition import CellDefinition
from fusioncell.fusion import queries, service
from fusioncell.fusion.models import FusionStage
from fusioncell.fusion.schemas import FusionDecision, FusionDismissal, FusionRead, FusionSplit
from fusioncell.fusion.views import fusion_read, fusion_reads
from fusioncell.incidents.pages import in_page_language
from fusioncell.incidents.service import DESK
from fusioncell.runtime import Runtime, SessionDep, get_runtime
from fusioncell.web.forms import form_body
from fusioncell.web.pages import render

router = APIRouter(include_in_schema=False)

SHOWN = 100  # per section of the list page


@dataclass(frozen=True)
class Entry:
    """A fused incident as a page shows it (its type named in the page's language, while it renders)."""

    view: FusionRead
    type_names: Names | None
    reporters: list[str]  # the parties whose reports are in it, once each

    @property
    def type_name(self) -> str:
        return in_page_language(self.type_names, self.view.type)


def _entry(cell: CellDefinition, view: FusionRead) -> Entry:
    types = {t.code: t.names for t in cell.incident_types}
    in_fusion = [m for m in view.members if m.state != "split"]
    return Entry(
        view=view,
        type_names=types.get(view.type),
        reporters=list(dict.fromkeys(m.origin_party for m in in_fusion)),
    )


@router.get("/fusions", response_class=HTMLResponse)
def fusions_page(
    request: Request,
    caller: Caller = PageCallerDep,
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
):
    subject, cell = caller.subject, runtime.cell
    sections = {}
    for stage in (FusionStage.PROPOSED, FusionStage.MERGED):
        found = queries.list_fusions(session, subject=subject, stage=stage, limit=SHOWN)
        sections[str(stage)] = [_entry(cell, v) for v in fusion_reads(session, subject, found)]
    return render(request, "fusions.html", caller, runtime, sections=sections, decides=can_fuse_reports(subject, DESK))


@router.get("/fusions/{fusion_id}", response_class=HTMLResponse)
def fusion_page(
    fusion_id: uuid.UUID,
    request: Request,
    caller: Caller = PageCallerDep,
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
):
    subject, cell = caller.subject, runtime.cell
    fusion = service.readable_fusion(session, subject=subject, fusion_id=fusion_id)
    entry = _entry(cell, fusion_read(session, subject, fusion))
    decides = can_fuse_reports(subject, DESK)
    return render(
        request,
        "fusion.html",
        caller,
        runtime,
        entry=entry,
        fusion=entry.view,
        types={t.code: t.names for t in cell.incident_types},
        may_confirm=decides and fusion.stage == FusionStage.PROPOSED,
        may_dismiss=decides and fusion.stage == FusionStage.PROPOSED,
        may_split=decides and fusion.stage in (FusionStage.PROPOSED, FusionStage.MERGED),
        # The merge form offers every party; ticked: those whose reports it holds (the API's default).
        parties=[p for p in cell.parties if p.code != cell.mediator.code],
        default_recipients=set(entry.reporters) - {cell.mediator.code},
    )


@router.post("/fusions/{fusion_id}/confirm")
def confirm(
    fusion_id: uuid.UUID,
    releasable_to: list[str] = Form(default=[]),
    description: str = Form(default=""),
    caller: Caller = PageCallerDep,
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
):
    service.readable_fusion(session, subject=caller.subject, fusion_id=fusion_id)  # 404 before the form's 422
    decision = form_body(FusionDecision, releasable_to=releasable_to, description=description.strip() or None)
    fusion = service.confirm_fusion(
        session,
        cell=runtime.cell,
        subject=caller.subject,
        fusion_id=fusion_id,
        releasable_to=frozenset(decision.releasable_to or ()),
        description=decision.description,
    )
    return RedirectResponse(f"/fusions/{fusion.id}", status_code=303)


@router.post("/fusions/{fusion_id}/split")
def split(
    fusion_id: uuid.UUID,
    incident_ids: list[str] = Form(default=[]),
    reason: str = Form(default=""),
    caller: Caller = PageCallerDep,
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
):
    service.readable_fusion(session, subject=caller.subject, fusion_id=fusion_id)  # 404 before the form's 422
    body = form_body(FusionSplit, incident_ids=incident_ids, reason=reason.strip())
    service.split_fusion(
        session,
        cell=runtime.cell,
        subject=caller.subject,
        fusion_id=fusion_id,
        incident_ids=body.incident_ids,
        reason=body.reason,
    )
    return RedirectResponse(f"/fusions/{fusion_id}", status_code=303)


@router.post("/fusions/{fusion_id}/dismiss")
def dismiss(
    fusion_id: uuid.UUID,
    reason: str = Form(default=""),
    caller: Caller = PageCallerDep,
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
):
    service.readable_fusion(session, subject=caller.subject, fusion_id=fusion_id)  # 404 before the form's 422
    body = form_body(FusionDismissal, reason=reason.strip())
    service.dismiss_fusion(session, cell=runtime.cell, subject=caller.subject, fusion_id=fusion_id, reason=body.reason)
    return RedirectResponse(f"/fusions/{fusion_id}", status_code=303)
