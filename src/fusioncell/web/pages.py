"""The web UI shell: login, the top bar, desk and hotline pages, the inbox, the record panel, tokens."""

import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy.orm import Session

from fusioncell import i18n
from fusioncell.access import service as access
from fusioncell.access.dependencies import SESSION_COOKIE, Caller, PageCallerDep
from fusioncell.diplomacy.commitments.service import mediator_overview
from fusioncell.errors import Invalid, NotFound, Phrase
from fusioncell.i18n import N_
from fusioncell.ledger import service as ledger
from fusioncell.ledger.rotation import readable_key_changes
from fusioncell.ledger.witness_endpoints import witness_statuses
from fusioncell.runtime import Runtime, SessionDep, get_runtime
from fusioncell.web.templating import templates

router = APIRouter(include_in_schema=False)
LOGIN_CSRF_COOKIE = "fusioncell_login_csrf"

# Desks whose pages are not built yet, with what they will hold (the home page and the desk page say so).
# Every desk of the default cell has its pages now; a cell defining a desk of its own gets the placeholder.
DESK_PAGES: dict[str, str] = {}


def render(request: Request, template: str, caller: Caller | None, runtime: Runtime, **context) -> HTMLResponse:
    context |= {"caller": caller, "cell": runtime.cell, "desk_pages": DESK_PAGES}
    if caller is not None:
        context["party"] = runtime.cell.party(caller.subject.party)
        context["csrf_token"] = caller.web_session.csrf_token if caller.web_session else ""
    with i18n.speaking(page_language(request, caller)):  # the response renders here, in that language
        return templates.TemplateResponse(request, template, context)


def page_language(request: Request, caller: Caller | None) -> str:
    """The account's chosen language, else the browser's, else English."""
    chosen = caller.user.language if caller is not None else None
    return i18n.choose(account_language=chosen, accept_language=request.headers.get("accept-language"))


def _safe_next(target: str | None) -> str:
    """Only same-site paths: never an open redirect to another host."""
    if not target:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: str | None = None, runtime: Runtime = Depends(get_runtime)):
    return _login_form(request, runtime, next)


def _login_form(
    request: Request,
    runtime: Runtime,
    next: str | None,
    error: str | None = None,
    status: int = 200,
    username: str = "",
) -> HTMLResponse:
    # Double-submit token: a login form posted from another site cannot know it.
    token = secrets.token_urlsafe(24)
    shown = _in_page_language(request, None, error) if error else None
    response = render(
        request, "login.html", None, runtime, next=_safe_next(next), login_csrf=token, error=shown, username=username
    )
    response.status_code = status
    response.set_cookie(
        LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict", secure=runtime.settings.secure_cookies, max_age=3600
    )
    return response


@dataclass(frozen=True)
class LoginAttempt:
    csrf_ok: bool
    check: access.PasswordCheck | None  # None when the form's CSRF token failed: no password is checked


def checked_login_form(
    request: Request,
    username: str = Form(max_length=64),
    password: str = Form(max_length=1024),
    login_csrf: str = Form(default="", max_length=64),
    runtime: Runtime = Depends(get_runtime),
) -> LoginAttempt:
    """The form's CSRF token, then the password (Argon2) in a read transaction of its own: resolved before
    the write session of login_submit, so a login never holds a write slot while hashing."""
    cookie = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not cookie or not secrets.compare_digest(cookie, login_csrf):
        return LoginAttempt(csrf_ok=False, check=None)
    settings = runtime.settings
    with runtime.database.reading() as session:
        check = access.check_password(
            session,
            username=username.strip(),
            password=password,
            max_failures=settings.login_max_failures,
            window=timedelta(minutes=settings.login_window_minutes),
        )
    return LoginAttempt(csrf_ok=True, check=check)


@router.post("/login")
def login_submit(
    request: Request,
    attempt: LoginAttempt = Depends(checked_login_form),
    next: str = Form(default="/", max_length=512),
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
):
    settings = runtime.settings
    if not attempt.csrf_ok:
        return _login_form(request, runtime, next, N_("Your login form expired; please try again."), 403)
    username = attempt.check.username
    outcome = access.login(
        session,
        cell=runtime.cell,
        check=attempt.check,
        client=request.client.host if request.client else None,
        max_failures=settings.login_max_failures,
        window=timedelta(minutes=settings.login_window_minutes),
    )
    if outcome.throttled:
        return _login_form(request, runtime, next, N_("Too many failed logins; wait a few minutes."), 429, username)
    if outcome.user is None:
        return _login_form(request, runtime, next, N_("Wrong username or password."), 401, username)
    _, secret = access.start_web_session(session, user=outcome.user, hours=settings.session_hours)
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        secret,
        httponly=True,
        samesite="strict",
        secure=settings.secure_cookies,
        max_age=settings.session_hours * 3600,
    )
    response.delete_cookie(LOGIN_CSRF_COOKIE)
    return response


@router.post("/logout")
def logout(caller: Caller = PageCallerDep, session: Session = SessionDep):
    if caller.web_session is not None:
        access.end_web_session(session, web_session=caller.web_session, user=caller.user)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.post("/account/language")
def choose_language(
    language: str = Form(default="", max_length=8),
    next: str = Form(default="/", max_length=2000),
    caller: Caller = PageCallerDep,
    session: Session = SessionDep,
):
    """The account's interface language, remembered for its next pages; empty follows the browser again."""
    if language and language not in i18n.LANGUAGES:
        raise Invalid(
            N_("unknown language {language!r}; the cell speaks {languages}"),
            language=language,
            languages=", ".join(i18n.LANGUAGES),
        )
    access.set_language(session, user=caller.user, language=language or None)
    return RedirectResponse(_safe_next(next), status_code=303)


@router.get("/", response_class=HTMLResponse)
def home(
    request: Request,
    caller: Caller = PageCallerDep,
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
):
    events = access.readable_account_events(session, subject=caller.subject, limit=10)
    overview = mediator_overview(session, subject=caller.subject)  # None but for the mediator
    return render(request, "home.html", caller, runtime, events=events, commitments_overview=overview)


@router.get("/desks/{desk}", response_class=HTMLResponse)
def desk_page(desk: str, request: Request, caller: Caller = PageCallerDep, runtime: Runtime = Depends(get_runtime)):
    known = {d.code: d for d in runtime.cell.desks}
    if desk not in known:
        raise NotFound(N_("No such desk."))
    return render(request, "desk.html", caller, runtime, desk=known[desk], coming=DESK_PAGES.get(desk, ""))


@router.get("/ledger", response_class=HTMLResponse)
def ledger_page(
    request: Request,
    before: int | None = Query(default=None, ge=0, description="Entries before this index (older pages)."),
    caller: Caller = PageCallerDep,
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
):
    entries = ledger.readable_entries(session, subject=caller.subject, before=before, limit=100)
    status = _ledger_status(session) | {"witness_status": witness_statuses(session, runtime)}
    rotations = readable_key_changes(session, subject=caller.subject)
    keys = {"vkey": runtime.vkey_in_force(session), "key_changes": rotations}
    return render(request, "ledger.html", caller, runtime, entries=entries, **status, **keys)


@router.get("/ledger/panel", response_class=HTMLResponse)
def ledger_panel(
    request: Request,
    caller: Caller = PageCallerDep,
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
):
    return render(request, "_ledger_panel.html", caller, runtime, **_ledger_status(session))


def _ledger_status(session: Session) -> dict:
    size = ledger.tree_size(session)
    return {
        "size": size,
        "root": ledger.b64(ledger.root_at(session, size)),
        "checkpoint": ledger.latest_checkpoint(session),
    }


@router.get("/account/tokens", response_class=HTMLResponse)
def tokens_page(
    request: Request,
    caller: Caller = PageCallerDep,
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
):
    tokens = access.list_tokens(session, user=caller.user)
    return render(request, "tokens.html", caller, runtime, tokens=tokens, secret=None, error=None)


@router.post("/account/tokens", response_class=HTMLResponse)
def tokens_create(
    request: Request,
    name: str = Form(default="", max_length=128),
    caller: Caller = PageCallerDep,
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
):
    name = name.strip()
    secret, error = None, None
    if not name:
        error = _in_page_language(request, caller, N_("Give the token a name, e.g. the tool that will use it."))
    else:
        _, secret = access.create_token(session, user=caller.user, name=name, actor=caller.user.username)
    tokens = access.list_tokens(session, user=caller.user)
    response = render(request, "tokens.html", caller, runtime, tokens=tokens, secret=secret, error=error)
    if error:
        response.status_code = 422
    return response


@router.post("/account/tokens/{token_id}/revoke")
def tokens_revoke(token_id: uuid.UUID, caller: Caller = PageCallerDep, session: Session = SessionDep):
    access.revoke_token(session, token_id=token_id, user=caller.user, actor=caller.user.username)
    return RedirectResponse("/account/tokens", status_code=303)


@router.get("/docs", response_class=HTMLResponse)
def api_docs(request: Request, runtime: Runtime = Depends(get_runtime)):
    return render(request, "api_docs.html", None, runtime)


def _in_page_language(request: Request, caller: Caller | None, message: str, **values) -> str:
    """A page's notice (a catalog template marked with N_, with its values) in the language the page speaks:
    the handler runs before `render` sets it."""
    with i18n.speaking(page_language(request, caller)):
        return Phrase(message, **values).in_language()
