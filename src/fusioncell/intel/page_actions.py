"""The intelligence desk's forms: compose, release, the second officer's and the mediator's approvals,
return, retract, derive a tearline, answer with a sighting or an opinion.

Each route reads the report first as the caller may read it (an unreadable report answers the 404 of a
missing one before a field is looked at), checks the fields with the API's own body schemas (web/forms.py,
problems named `form.<field>`), then calls the service the API calls and redirects (303) to what changed.
A compose or tearline form that is refused comes back as typed, with each problem beside its field, and
nothing stored.
"""

import uuid
from datetime import UTC, datetime

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session

from fusioncell.access.dependencies import Caller, PageCallerDep
from fusioncell.cell.definition import CellDefinition
from fusioncell.errors import Invalid
from fusioncell.i18n import N_
from fusioncell.intel import endpoints, queries, service
from fusioncell.intel.pages import compose_form, report_view
from fusioncell.intel.schemas import OpinionCreate, Reason, ReportCreate, SightingCreate, TearlineCreate
from fusioncell.runtime import Runtime, SessionDep, get_runtime
from fusioncell.web.forms import form_body

router = APIRouter(include_in_schema=False)
REVIEW = "/intel/review"


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def observable_rows(text: str) -> list[dict]:
    """ "one per line: type value" → the API's observables (the schema names a bad row by its index)."""
    rows = []
    for line in _lines(text):
        kind, _, value = line.replace("\t", " ").partition(" ")
        rows.append({"type": kind, "value": value.strip()})
    return rows


def utc_moment(text: str) -> datetime | str | None:
    """A datetime-local field, read as UTC; anything unreadable goes to the schema as typed, to be named."""
    if not text.strip():
        return None
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        return text
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def place_of(cell: CellDefinition, typed: dict) -> dict | None:
    """A place of the gazetteer, else the coordinates typed, else none."""
    if typed["place"]:
        found = next((p for p in cell.places if p.code == typed["place"]), None)
        if found is None:
            raise Invalid(N_("unknown place"), details=[{"field": "form.place", "problem": N_("not in the gazetteer")}])
        return {"lat": found.lat, "lon": found.lon, "name": found.names.en}
    if typed["lat"].strip() or typed["lon"].strip():
        return {"lat": typed["lat"], "lon": typed["lon"], "name": typed["place_name"]}
    return None


def content_fields(cell: CellDefinition, typed: dict) -> dict:
    """The form as typed → the fields of the API's ReportContentIn."""
    return {
        "title": typed["title"],
        "summary": typed["summary"],
        "source_reliability": typed["source_reliability"],
        "credibility": typed["credibility"],
        "observables": observable_rows(typed["observables"]),
        "threat_actors": _lines(typed["threat_actors"]),
        "place": place_of(cell, typed),
        "observed_at": utc_moment(typed["observed_at"]),
        "marking": typed["marking"],
        "releasable_to": typed["releasable_to"],
    }


def typed_report(
    title: str = Form(default="", max_length=1000),
    summary: str = Form(default="", max_length=40_000),
    source_reliability: str = Form(default="F", max_length=8),
    credibility: str = Form(default="6", max_length=8),
    observables: str = Form(default="", max_length=600_000),
    threat_actors: str = Form(default="", max_length=20_000),
    place: str = Form(default="", max_length=64),
    lat: str = Form(default="", max_length=32),
    lon: str = Form(default="", max_length=32),
    place_name: str = Form(default="", max_length=400),
    observed_at: str = Form(default="", max_length=40),
    marking: str = Form(default="TLP:AMBER", max_length=32),
    releasable_to: list[str] = Form(default=[]),
    draft: str = Form(default="", max_length=8),
    source_description: str = Form(default="", max_length=4000),
) -> dict:
    """A report form's fields exactly as typed (shown again if refused)."""
    return dict(locals()) | {"draft": bool(draft)}


@router.post("/intel/compose")
def compose(
    request: Request,
    typed: dict = Depends(typed_report),
    caller: Caller = PageCallerDep,
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
):
    cell = runtime.cell
    try:
        fields = content_fields(cell, typed)
        body = form_body(ReportCreate, **fields, draft=typed["draft"], source_description=typed["source_description"])
        report = service.compose_report(
            session,
            cell=cell,
            subject=caller.subject,
            content=endpoints.content_of(body),
            audience=service.Audience(frozenset(body.releasable_to), body.marking, body.draft),
            source_description=body.source_description,
        )
    except Invalid as refused:
        session.rollback()  # nothing of a refused report stays
        return compose_form(request, caller, runtime, form=typed, errors=refused.details or [], status_code=422)
    return _to(report.id)


def _to(report_id: uuid.UUID) -> RedirectResponse:
    return RedirectResponse(f"/intel/reports/{report_id}", status_code=303)


def _back(report_id: uuid.UUID, next_page: str) -> RedirectResponse:
    """Back to the review queue where the button was pressed there, else to the report."""
    return RedirectResponse(REVIEW, status_code=303) if next_page == REVIEW else _to(report_id)


def _readable(session: Session, caller: Caller, report_id: uuid.UUID):
    return queries.readable_report(session, subject=caller.subject, report_id=report_id)


@router.post("/intel/reports/{report_id}/release")
def release(
    report_id: uuid.UUID,
    caller: Caller = PageCallerDep,
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
):
    """The party's draft goes out (TLP:RED: asks a second officer of the party)."""
    service.release(session, cell=runtime.cell, subject=caller.subject, report_id=report_id)
    return _to(report_id)


@router.post("/intel/reports/{report_id}/second-approval")
def second_approval(
    report_id: uuid.UUID,
    next: str = Form(default="", max_length=64),
    caller: Caller = PageCallerDep,
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
):
    service.approve_as_second_officer(session, cell=runtime.cell, subject=caller.subject, report_id=report_id)
    return _back(report_id, next)


@router.post("/intel/reports/{report_id}/approve")
def approve(
    report_id: uuid.UUID,
    next: str = Form(default="", max_length=64),
    caller: Caller = PageCallerDep,
    session: Session = SessionDep,
):
    service.review(session, subject=caller.subject, report_id=report_id, approve=True)
    return _back(report_id, next)


@router.post("/intel/reports/{report_id}/return")
def return_report(
    report_id: uuid.UUID,
    reason: str = Form(default="", max_length=4000),
    caller: Caller = PageCallerDep,
    session: Session = SessionDep,
):
    """Back to its author as a draft: the mediator reads it no more, so the queue is where it lands."""
    _readable(session, caller, report_id)  # 404 before the form's 422
    body = form_body(Reason, reason=reason)
    service.review(session, subject=caller.subject, report_id=report_id, approve=False, reason=body.reason)
    return RedirectResponse(REVIEW, status_code=303)


@router.post("/intel/reports/{report_id}/retract")
def retract(
    report_id: uuid.UUID,
    reason: str = Form(default="", max_length=4000),
    caller: Caller = PageCallerDep,
    session: Session = SessionDep,
):
    _readable(session, caller, report_id)
    body = form_body(Reason, reason=reason)
    service.retract(session, subject=caller.subject, report_id=report_id, reason=body.reason)
    return _to(report_id)


@router.post("/intel/reports/{report_id}/tearlines")
def derive_tearline(
    report_id: uuid.UUID,
    request: Request,
    typed: dict = Depends(typed_report),
    caller: Caller = PageCallerDep,
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
):
    """A sanitised version for a wider audience; it waits for the mediator."""
    original = _readable(session, caller, report_id)
    try:
        body = form_body(TearlineCreate, **content_fields(runtime.cell, typed))
        tearline = service.derive_tearline(
            session,
            cell=runtime.cell,
            subject=caller.subject,
            original_id=report_id,
            content=endpoints.content_of(body),
            audience=service.Audience(frozenset(body.releasable_to), body.marking),
        )
    except Invalid as refused:
        session.rollback()  # nothing of a refused tearline stays
        errors = refused.details or []
        return report_view(request, caller, session, runtime, original, tearline=typed, errors=errors, status_code=422)
    return _to(tearline.id)


# Answers go through the API's own routes, so a sighting or an opinion is built exactly as there.


@router.post("/intel/reports/{report_id}/sightings")
def answer_sighting(
    report_id: uuid.UUID,
    first_seen: str = Form(default="", max_length=40),
    last_seen: str = Form(default="", max_length=40),
    count: str = Form(default="1", max_length=12),
    note: str = Form(default="", max_length=10_000),
    caller: Caller = PageCallerDep,
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
):
    _readable(session, caller, report_id)
    body = form_body(
        SightingCreate,
        first_seen=utc_moment(first_seen) or "",
        last_seen=utc_moment(last_seen),
        count=count.strip() or None,
        note=note,
    )
    endpoints.answer_sighting(report_id, body, caller=caller, session=session, runtime=runtime)
    return RedirectResponse(f"/intel/reports/{report_id}#answers", status_code=303)


@router.post("/intel/reports/{report_id}/opinions")
def answer_opinion(
    report_id: uuid.UUID,
    opinion: str = Form(default="", max_length=32),
    explanation: str = Form(default="", max_length=10_000),
    caller: Caller = PageCallerDep,
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
):
    _readable(session, caller, report_id)
    body = form_body(OpinionCreate, opinion=opinion, explanation=explanation)
    endpoints.answer_opinion(report_id, body, caller=caller, session=session, runtime=runtime)
    return RedirectResponse(f"/intel/reports/{report_id}#answers", status_code=303)
