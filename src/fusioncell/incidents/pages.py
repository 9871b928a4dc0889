"""The de-escalation desk's incident pages: the queue (GET /incidents, filtered by query string, overdue first)
and one incident (GET /incidents/{id}) with its Acknowledge button; its other buttons are page_actions.py's.

Every read goes through queries.list_incidents / service.readable_incident and so through the releasability
rule; what is shown is views.incident_read, so fields withheld from the caller stay withheld. An incident the
caller may not read answers the 404 of one that does not exist, on the page and on its button alike.
"""

import uuid
from dataclasses import dataclass
from datetime import datetime

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy.orm import Session

from fusioncell.access.dependencies import Caller, PageCallerDep
from fusioncell.access.subjects import Subject
from fusioncell.cell.common import Names
from fusioncell.cell.definition import CellDefinition
from fusioncell.commerce.site_conflicts import projects_at_incident
from fusioncell.db.types import utcnow
from fusioncell.errors import Invalid
from fusioncell.fusion.queries import list_fusions
from fusioncell.i18n import N_, current_language
from fusioncell.incidents import complaints, lifecycle, queries, service
from fusioncell.incidents.endpoints import incident_filters
from fusioncell.incidents.models import Finding, Ruling, Stage
from fusioncell.incidents.page_actions import incident_actions, may_answer, may_rule, owes_acknowledgement
from fusioncell.incidents.schemas import ComplaintRead, IncidentRead
from fusioncell.incidents.views import incident_read
from fusioncell.runtime import Runtime, SessionDep, get_runtime
from fusioncell.web.pages import render

router = APIRouter(include_in_schema=False)

QUEUE_SIZE = 200
COMPLAINTS_SHOWN = 50
FUSIONS_SHOWN = 10


def in_page_language(names: Names | None, code: str) -> str:
    """A cell-defined name in the language the page is being rendered in (the code where the cell has none)."""
    return code if names is None else names.get(current_language())


@dataclass(frozen=True)
class Row:
    """An incident as a page shows it: the caller's view, and what the caller's party owes on it.

    The names of its type and zones are read while the page renders, so they come in the page's language."""

    view: IncidentRead
    type_names: Names | None
    zones: tuple[tuple[str, Names | None], ...]
    owes: bool  # the caller's party is still to acknowledge it
    overdue: bool

    @property
    def type_name(self) -> str:
        return in_page_language(self.type_names, self.view.type)

    @property
    def zone_names(self) -> list[str]:
        return [in_page_language(names, code) for code, names in self.zones]


def incident_row(cell: CellDefinition, subject: Subject, view: IncidentRead, now: datetime) -> Row:
    types = {t.code: t.names for t in cell.incident_types}
    zones = {z.code: z.names for z in cell.zones}
    owes = owes_acknowledgement(subject, view)
    return Row(
        view=view,
        type_names=types.get(view.type),
        zones=tuple((code, zones.get(code)) for code in view.zones),
        owes=owes,
        overdue=owes and view.ack_due_at is not None and view.ack_due_at <= now,
    )


def type_options(cell: CellDefinition) -> list[dict]:
    """The filter's incident types: each event type, then its sub-types (named in the page's language by the
    template); an event type covers its sub-types."""
    options = []
    for event in (t for t in cell.incident_types if t.parent is None):
        options.append({"code": event.code, "names": event.names, "sub": False})
        options += [
            {"code": t.code, "names": t.names, "sub": True} for t in cell.incident_types if t.parent == event.code
        ]
    return options


def queue_filters(
    type: str = "",
    stage: str = "",
    zone: str = "",
    party: str = "",
    runtime: Runtime = Depends(get_runtime),
) -> queries.IncidentFilters:
    """The queue's filter form: a field left empty filters nothing; the rest is checked as the API checks it
    (an unknown code is the API's 422)."""
    stages = {str(s) for s in Stage}
    if stage and stage not in stages:
        raise Invalid(
            N_("The request is not valid: query.stage: unknown stage {stage}"), details=None, stage=repr(stage)
        )
    return incident_filters(
        stage=Stage(stage) if stage else None,
        type=type or None,
        zone=zone or None,
        party=party or None,
        actor=None,
        status=None,
        since=None,
        until=None,
        runtime=runtime,
    )


def overdue_first(rows: list[Row]) -> list[Row]:
    """What the caller's party owes past its deadline first, the most overdue on top; then the rest as
    listed (newest report first)."""
    overdue = sorted((r for r in rows if r.overdue), key=lambda r: r.view.ack_due_at)
    return overdue + [r for r in rows if not r.overdue]


@router.get("/incidents", response_class=HTMLResponse)
def queue_page(
    request: Request,
    filters: queries.IncidentFilters = Depends(queue_filters),
    caller: Caller = PageCallerDep,
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
):
    """What the caller may read, overdue first, then newest report first; what the caller's party owes,
    with its countdown."""
    subject, cell, now = caller.subject, runtime.cell, utcnow()
    found = queries.list_incidents(session, cell=cell, subject=subject, filters=filters, limit=QUEUE_SIZE)
    rows = overdue_first([incident_row(cell, subject, incident_read(subject, i), now) for i in found])
    return render(
        request,
        "incidents.html",
        caller,
        runtime,
        rows=rows,
        owed=[r for r in rows if r.owes],
        now=now,
        more=len(found) == QUEUE_SIZE,
        filters=filters,
        filtering=filters != queries.IncidentFilters(),
        stages=[str(s) for s in Stage],
        type_options=type_options(cell),
    )


@router.get("/incidents/{incident_id}", response_class=HTMLResponse)
def incident_page(
    incident_id: uuid.UUID,
    request: Request,
    caller: Caller = PageCallerDep,
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
):
    subject, cell, now = caller.subject, runtime.cell, utcnow()
    incident = service.readable_incident(session, subject=subject, incident_id=incident_id)
    row = incident_row(cell, subject, incident_read(subject, incident), now)
    found = complaints.list_complaints(
        session, subject=subject, incident_id=incident.id, before=None, limit=COMPLAINTS_SHOWN
    )
    places = {p.code: p.names for p in cell.places}
    return render(
        request,
        "incident.html",
        caller,
        runtime,
        row=row,
        incident=row.view,
        places=places,
        lines={line.code: line.names for line in cell.lines},
        complaints=[ComplaintRead.model_validate(c) for c in found],
        answerable={c.id for c in found if may_answer(subject, c)},
        rulable={c.id for c in found if may_rule(subject, c)},
        actions=incident_actions(cell, subject, incident),
        findings=[str(f) for f in Finding],
        rulings=[str(r) for r in Ruling],
        # The fused incidents holding this report that the caller may read (a proposal: the mediator's).
        fusions=list_fusions(session, subject=subject, incident_id=incident.id, limit=FUSIONS_SHOWN),
        # Military activity within economic sites (the zone stays demilitarised): the projects the caller may read.
        economic_sites=projects_at_incident(session, subject=subject, cell=cell, incident=incident),
        now=now,
    )


@router.post("/incidents/{incident_id}/acknowledge")
def acknowledge(incident_id: uuid.UUID, caller: Caller = PageCallerDep, session: Session = SessionDep):
    """The caller's party acknowledges receipt (the API's service call: 404, 403, 409 as there)."""
    lifecycle.acknowledge_incident(session, subject=caller.subject, incident_id=incident_id)
    return RedirectResponse(f"/incidents/{incident_id}", status_code=303)
