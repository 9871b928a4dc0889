"""The glossary's page (GET /glossary): every term in three columns (English | العربية | עברית), its state and
its approvals; the mediator's forms to propose a term and to revise one, a principal's button to approve the
version that waits for it.

Every read goes through the service (the releasability rule); what the page offers is a hint for the eye, the
service decides, and its refusals are the page's error. A refused form rolls the transaction back, so nothing
is stored, and shows the page again with the error and what was typed.
"""

import uuid
from dataclasses import dataclass, field

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from fusioncell.access.dependencies import Caller, PageCallerDep
from fusioncell.errors import FusionError, NotFound
from fusioncell.glossary import service
from fusioncell.glossary.models import LANGUAGES, GlossaryApproval, GlossaryTerm, GlossaryVersion, VersionState
from fusioncell.glossary.schemas import ApprovalCreate, TermCreate, TermRevise, content_of
from fusioncell.runtime import Runtime, SessionDep, get_runtime
from fusioncell.web.forms import form_body
from fusioncell.web.pages import render

router = APIRouter(include_in_schema=False)
MAX_TEXT = 200
MAX_VARIANTS_TEXT = 20 * (MAX_TEXT + 2)


@dataclass
class TermView:
    """One term as the page shows it: the agreed version, the one waiting for approval, who approved it."""

    term: GlossaryTerm
    agreed: GlossaryVersion | None
    awaiting: GlossaryVersion | None
    latest: GlossaryVersion
    approved: list[str] = field(default_factory=list)  # parties that approved the waiting version
    missing: list[str] = field(default_factory=list)  # parties yet to approve it
    may_approve: bool = False
    may_revise: bool = False


def term_views(session: Session, caller: Caller, terms: list[GlossaryTerm]) -> list[TermView]:
    versions = service.versions_of(session, terms)
    approvals = service.approvals_of(session, terms)
    views = []
    for term in terms:
        by_number = {v.number: v for v in versions[term.id]}
        latest = by_number[term.latest_version]
        awaiting = latest if service.version_state(term, latest) == VersionState.AWAITING else None
        approved = _approved(approvals[term.id], term.latest_version) if awaiting else []
        missing = sorted(service.missing_approvals(term, approvals[term.id]))
        views.append(
            TermView(
                term=term,
                agreed=by_number.get(term.agreed_version) if term.agreed_version is not None else None,
                awaiting=awaiting,
                latest=latest,
                approved=approved,
                missing=missing,
                may_approve=awaiting is not None
                and service.can_approve(caller.subject, term)
                and caller.subject.party in missing,
                may_revise=service.can_propose(caller.subject) and term.origin_party == caller.subject.party,
            )
        )
    return views


def _approved(approvals: list[GlossaryApproval], number: int) -> list[str]:
    return sorted(a.party for a in approvals if a.version_number == number)


def render_glossary(
    request: Request,
    caller: Caller,
    runtime: Runtime,
    session: Session,
    *,
    error: str | None = None,
    error_form: str = "",
    typed: dict | None = None,
    status: int = 200,
) -> HTMLResponse:
    terms = service.list_terms(session, subject=caller.subject)
    views = term_views(session, caller, terms)
    may_propose = service.can_propose(caller.subject)
    response = render(
        request,
        "glossary.html",
        caller,
        runtime,
        views=views,
        may_propose=may_propose,
        error_placed=error_placed(views, may_propose, error_form),
        languages_shown=LANGUAGES,
        error=error,
        error_form=error_form,
        typed=typed or {},
        max_text=MAX_TEXT,
    )
    response.status_code = status
    return response


def error_placed(views: list[TermView], may_propose: bool, form: str) -> bool:
    """Whether the refused form is on the page, to show its error beside it (else the page shows it on top)."""
    if form == "propose":
        return may_propose
    for view in views:
        if form == f"revise-{view.term.key}":
            return view.may_revise
        if form == f"approve-{view.term.key}":
            return view.awaiting is not None
    return False


@router.get("/glossary", response_class=HTMLResponse)
def glossary_page(
    request: Request,
    caller: Caller = PageCallerDep,
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
):
    return render_glossary(request, caller, runtime, session)


def _forms(text: str) -> list[str]:
    """A textarea of variants: one form per line, blank lines dropped."""
    return [line.strip() for line in text.splitlines() if line.strip()]


def _attempt(request, caller, runtime, session, form: str, typed: dict, action) -> Response:
    """Run one form's service call: back to the page on success, or the page with the refusal and what was typed."""
    try:
        action()
    except NotFound:
        raise
    except FusionError as exc:
        session.rollback()  # nothing the refused call wrote is kept
        return render_glossary(
            request,
            caller,
            runtime,
            session,
            error=exc.in_language(),
            error_form=form,
            typed=typed,
            status=exc.status_code,
        )
    anchor = f"#term-{typed['key']}" if typed.get("key") else ""
    return RedirectResponse(f"/glossary{anchor}", status_code=303)


def _content(typed: dict) -> dict:
    return {
        "wording": {lang: typed[f"wording_{lang}"] for lang in LANGUAGES},
        "variants": {lang: _forms(typed[f"variants_{lang}"]) for lang in LANGUAGES},
        "note": typed["note"],
    }


@router.post("/glossary")
def propose(
    request: Request,
    key: str = Form(default="", max_length=64),
    wording_en: str = Form(default="", max_length=MAX_TEXT),
    wording_ar: str = Form(default="", max_length=MAX_TEXT),
    wording_he: str = Form(default="", max_length=MAX_TEXT),
    variants_en: str = Form(default="", max_length=MAX_VARIANTS_TEXT),
    variants_ar: str = Form(default="", max_length=MAX_VARIANTS_TEXT),
    variants_he: str = Form(default="", max_length=MAX_VARIANTS_TEXT),
    note: str = Form(default="", max_length=2000),
    caller: Caller = PageCallerDep,
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
):
    typed = {"key": key, "note": note, "wording_en": wording_en, "wording_ar": wording_ar, "wording_he": wording_he}
    typed |= {"variants_en": variants_en, "variants_ar": variants_ar, "variants_he": variants_he}

    def act():
        body = form_body(TermCreate, key=key, **_content(typed))
        service.propose_term(session, cell=runtime.cell, subject=caller.subject, key=body.key, content=content_of(body))

    return _attempt(request, caller, runtime, session, "propose", typed, act)


@router.post("/glossary/{term_id}/versions")
def revise(
    term_id: uuid.UUID,
    request: Request,
    wording_en: str = Form(default="", max_length=MAX_TEXT),
    wording_ar: str = Form(default="", max_length=MAX_TEXT),
    wording_he: str = Form(default="", max_length=MAX_TEXT),
    variants_en: str = Form(default="", max_length=MAX_VARIANTS_TEXT),
    variants_ar: str = Form(default="", max_length=MAX_VARIANTS_TEXT),
    variants_he: str = Form(default="", max_length=MAX_VARIANTS_TEXT),
    note: str = Form(default="", max_length=2000),
    caller: Caller = PageCallerDep,
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
):
    term = service.readable_term(session, subject=caller.subject, term_id=term_id)  # unreadable: 404 first
    typed = {"key": term.key, "note": note}
    typed |= {"wording_en": wording_en, "wording_ar": wording_ar, "wording_he": wording_he}
    typed |= {"variants_en": variants_en, "variants_ar": variants_ar, "variants_he": variants_he}

    def act():
        body = form_body(TermRevise, **_content(typed))
        service.revise_term(
            session, cell=runtime.cell, subject=caller.subject, term_id=term_id, content=content_of(body)
        )

    return _attempt(request, caller, runtime, session, f"revise-{term.key}", typed, act)


@router.post("/glossary/{term_id}/approve")
def approve(
    term_id: uuid.UUID,
    request: Request,
    version: str = Form(default="", max_length=12),
    caller: Caller = PageCallerDep,
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
):
    term = service.readable_term(session, subject=caller.subject, term_id=term_id)  # unreadable: 404 first

    def act():
        body = form_body(ApprovalCreate, version=version)
        service.approve_term(session, cell=runtime.cell, subject=caller.subject, term_id=term_id, version=body.version)

    return _attempt(request, caller, runtime, session, f"approve-{term.key}", {"key": term.key}, act)
