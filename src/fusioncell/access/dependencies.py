"""Who is calling: a bearer token (API) or a session cookie with its CSRF token (web UI)."""

import hmac
from dataclasses import dataclass

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from fusioncell.access.models import User, WebSession
from fusioncell.access.service import subject_for, user_for_token, web_session_for
from fusioncell.access.subjects import Subject
from fusioncell.errors import Forbidden, Unauthenticated
from fusioncell.i18n import N_
from fusioncell.idempotency import service as idempotency
from fusioncell.runtime import READ_METHODS, Runtime, SessionDep, get_runtime

SESSION_COOKIE = "fusioncell_session"
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"


@dataclass(frozen=True)
class Caller:
    subject: Subject
    user: User
    web_session: WebSession | None = None


class LoginRequired(Unauthenticated):
    """Raised for pages: rendered as a redirect to the login page rather than JSON."""


async def csrf_token_sent(request: Request) -> str:
    """The CSRF token a write sent, by header (htmx) or form field. Async because reading a form is;
    it touches no database, so the blocking work below runs in the thread pool, never on the loop."""
    if request.method in READ_METHODS:
        return ""
    sent = request.headers.get(CSRF_HEADER)
    if sent:
        return sent
    if request.headers.get("content-type", "").startswith(("application/x-www-form-urlencoded", "multipart/")):
        form = await request.form()
        value = form.get(CSRF_FIELD)
        return value if isinstance(value, str) else ""
    return ""


def current_caller(
    request: Request,
    csrf_sent: str = Depends(csrf_token_sent),
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
) -> Caller:
    caller = _identified(request, csrf_sent, session, runtime)
    # A keyed API write claims its Idempotency-Key in this transaction, or ends here as a retry (idempotency/).
    idempotency.claim(session, getattr(request.state, "idempotency", None), username=caller.user.username)
    return caller


def _identified(request: Request, csrf_sent: str, session: Session, runtime: Runtime) -> Caller:
    authorization = request.headers.get("authorization")
    if authorization:
        scheme, _, secret = authorization.partition(" ")
        user = user_for_token(session, secret.strip()) if scheme.lower() == "bearer" else None
        if user is None:
            raise Unauthenticated(N_("The bearer token is not valid."))
        request.state.account_language = user.language
        return Caller(subject=subject_for(user, runtime.cell), user=user)
    cookie = request.cookies.get(SESSION_COOKIE)
    found = web_session_for(session, cookie) if cookie else None
    if found is None:
        raise Unauthenticated(N_("Log in first: send a bearer token or a session cookie."))
    web_session, user = found
    # The account's language, for the error handlers that answer this request without a caller (http.py).
    request.state.account_language = user.language
    if request.method not in READ_METHODS:
        if not hmac.compare_digest(csrf_sent.encode(), web_session.csrf_token.encode()):
            raise Forbidden(N_("The form's CSRF token is missing or stale; reload the page."))
    return Caller(subject=subject_for(user, runtime.cell), user=user, web_session=web_session)


def page_caller(
    request: Request,
    csrf_sent: str = Depends(csrf_token_sent),
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
) -> Caller:
    try:
        return current_caller(request, csrf_sent, session, runtime)
    except Unauthenticated as exc:
        raise LoginRequired(exc.template, **exc.values) from exc


CallerDep = Depends(current_caller)
PageCallerDep = Depends(page_caller)
