"""The article page's buttons: confirm or dismiss a suggested link (CSRF-checked by the page caller).

The same service call as the API's, so a button refuses what the API refuses; a link or article the caller may
not read answers the 404 of a missing one."""

import uuid

from fastapi import APIRouter
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session

from fusioncell.access.dependencies import Caller, PageCallerDep
from fusioncell.osint import links_service
from fusioncell.runtime import SessionDep

router = APIRouter(include_in_schema=False)


@router.post("/osint/articles/{article_id}/links/{link_id}/confirm")
def confirm(article_id: uuid.UUID, link_id: uuid.UUID, caller: Caller = PageCallerDep, session: Session = SessionDep):
    links_service.decide(session, subject=caller.subject, article_id=article_id, link_id=link_id, decision="confirmed")
    return _back(article_id)


@router.post("/osint/articles/{article_id}/links/{link_id}/dismiss")
def dismiss(article_id: uuid.UUID, link_id: uuid.UUID, caller: Caller = PageCallerDep, session: Session = SessionDep):
    links_service.decide(session, subject=caller.subject, article_id=article_id, link_id=link_id, decision="dismissed")
    return _back(article_id)


def _back(article_id: uuid.UUID) -> RedirectResponse:
    return RedirectResponse(f"/osint/articles/{article_id}#links", status_code=303)
