"""/api/v1/glossary: the cell's agreed trilingual terms. List and read (every party of the cell), propose and
revise (the mediator), approve (each principal party).

Every route addressing a term looks it up through the releasability rule first: a term the caller may not
read answers the very 404 of one that does not exist, whatever the action.
"""

import uuid

from fastapi import APIRouter, Depends, Query
from sqlalchemy.orm import Session

from fusioncell.access.dependencies import Caller, CallerDep
from fusioncell.db.base import Envelope
from fusioncell.events.representations import Representation, register
from fusioncell.glossary import service
from fusioncell.glossary.models import GlossaryApproval, GlossaryTerm, GlossaryVersion
from fusioncell.glossary.schemas import (
    KEY_PATTERN,
    ApprovalCreate,
    ApprovalRead,
    TermCreate,
    TermPage,
    TermRead,
    TermRevise,
    VersionRead,
    content_of,
)
from fusioncell.runtime import Runtime, SessionDep, get_runtime

router = APIRouter(prefix="/api/v1", tags=["glossary"])


def envelope_view(record: Envelope) -> dict:
    return {
        "id": record.id,
        "origin_party": record.origin_party,
        "created_by": record.created_by,
        "created_at": record.created_at,
        "version": record.version,
        "status": record.status,
        "releasable_to": sorted(record.releasable_to),
        "marking": str(record.marking),
        "ledger_index": record.ledger_index,
    }


def version_view(version: GlossaryVersion, state: str) -> dict:
    return envelope_view(version) | {
        "term_id": version.term_id,
        "number": version.number,
        "state": state,
        "wording": dict(version.wording),
        "variants": {lang: list(forms) for lang, forms in version.variants.items()},
        "note": version.note,
        "agreed_at": version.agreed_at,
    }


def approval_view(approval: GlossaryApproval) -> dict:
    fields = ("term_id", "version_number", "party", "approved_by")
    return envelope_view(approval) | {name: getattr(approval, name) for name in fields}


def term_view(term: GlossaryTerm, versions: list[GlossaryVersion], approvals: list[GlossaryApproval]) -> dict:
    views = {v.number: version_view(v, str(service.version_state(term, v))) for v in versions}
    return envelope_view(term) | {
        "key": term.key,
        "state": str(term.state),
        "required_parties": sorted(term.required_parties),
        "latest_version": term.latest_version,
        "agreed_version": term.agreed_version,
        "agreed_at": term.agreed_at,
        "agreed": views.get(term.agreed_version) if term.agreed_version is not None else None,
        "latest": views[term.latest_version],
        "missing_approvals": sorted(service.missing_approvals(term, approvals)),
        "versions": [views[n] for n in sorted(views)],
        "approvals": [approval_view(a) for a in approvals],
    }


def terms_read(session: Session, terms: list[GlossaryTerm]) -> list[TermRead]:
    """Three queries for any number of terms: the terms (the caller's), their versions, their approvals."""
    versions = service.versions_of(session, terms)
    approvals = service.approvals_of(session, terms)
    return [TermRead.model_validate(term_view(t, versions[t.id], approvals[t.id])) for t in terms]


@router.get("/glossary", response_model=TermPage)
def list_terms(
    cursor: str | None = Query(default=None, max_length=64, pattern=KEY_PATTERN, description="the last key seen"),
    limit: int = Query(default=100, ge=1, le=500),
    caller: Caller = CallerDep,
    session: Session = SessionDep,
):
    """Every term of the glossary by key, each with its agreed version (if any) and its latest."""
    found = service.list_terms(session, subject=caller.subject, after=cursor, limit=limit)
    return TermPage(items=terms_read(session, found), next_cursor=found[-1].key if len(found) == limit else None)


@router.post("/glossary", response_model=TermRead, status_code=201)
def propose_term(
    body: TermCreate,
    caller: Caller = CallerDep,
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
):
    """Propose a term (the mediator): version 1, read by every party, agreed once every principal approves."""
    term = service.propose_term(
        session, cell=runtime.cell, subject=caller.subject, key=body.key, content=content_of(body)
    )
    return terms_read(session, [term])[0]


@router.get("/glossary/{term_id}", response_model=TermRead)
def get_term(term_id: uuid.UUID, caller: Caller = CallerDep, session: Session = SessionDep):
    """One term with every version and every approval."""
    return terms_read(session, [service.readable_term(session, subject=caller.subject, term_id=term_id)])[0]


@router.post("/glossary/{term_id}/versions", response_model=TermRead, status_code=201)
def revise_term(
    term_id: uuid.UUID,
    body: TermRevise,
    caller: Caller = CallerDep,
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
):
    """A new version (the mediator), to be approved again; the agreed version stands meanwhile."""
    service.revise_term(session, cell=runtime.cell, subject=caller.subject, term_id=term_id, content=content_of(body))
    return terms_read(session, [service.readable_term(session, subject=caller.subject, term_id=term_id)])[0]


@router.post("/glossary/{term_id}/approvals", response_model=TermRead, status_code=201)
def approve_term(
    term_id: uuid.UUID,
    body: ApprovalCreate,
    caller: Caller = CallerDep,
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
):
    """Your party's approval of the latest version; the last required approval makes it the agreed one."""
    service.approve_term(session, cell=runtime.cell, subject=caller.subject, term_id=term_id, version=body.version)
    return terms_read(session, [service.readable_term(session, subject=caller.subject, term_id=term_id)])[0]


def _versions_view(version: GlossaryVersion) -> dict:
    """A stream/webhook view of a version: its state is the term's to say, so it is left as recorded."""
    state = "agreed" if version.agreed_at is not None else "proposed"
    return VersionRead.model_validate(version_view(version, state)).model_dump(mode="json")


def _term_stream_view(term: GlossaryTerm) -> dict:
    return envelope_view(term) | {
        "key": term.key,
        "state": str(term.state),
        "required_parties": sorted(term.required_parties),
        "latest_version": term.latest_version,
        "agreed_version": term.agreed_version,
        "agreed_at": term.agreed_at.isoformat() if term.agreed_at else None,
        "id": str(term.id),
        "created_at": term.created_at.isoformat(),
        "status": str(term.status),
    }


register("glossary-term", Representation(model=GlossaryTerm, view=_term_stream_view))
register("glossary-version", Representation(model=GlossaryVersion, view=_versions_view))
register(
    "glossary-approval",
    Representation(
        model=GlossaryApproval, view=lambda a: ApprovalRead.model_validate(approval_view(a)).model_dump(mode="json")
    ),
)
