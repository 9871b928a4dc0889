"""/api/v1/auth/login, /api/v1/me and /api/v1/tokens."""

import uuid
from datetime import timedelta

from fastapi import APIRouter, Depends, Request
from sqlalchemy.orm import Session

from fusioncell.access import service
from fusioncell.access.dependencies import Caller, CallerDep
from fusioncell.access.schemas import (
    LoginRequest,
    LoginResponse,
    MeRead,
    PartyRead,
    TokenCreate,
    TokenCreated,
    TokenPage,
    TokenRead,
)
from fusioncell.errors import Throttled, Unauthenticated
from fusioncell.http import error_response
from fusioncell.i18n import N_
from fusioncell.runtime import Runtime, SessionDep, get_runtime

router = APIRouter(prefix="/api/v1", tags=["access"])


def client_of(request: Request) -> str | None:
    return request.client.host if request.client else None


def checked_password(body: LoginRequest, runtime: Runtime = Depends(get_runtime)) -> service.PasswordCheck:
    """Resolved before the write session below (dependencies run in the order declared), in a read
    transaction of its own, so Argon2 never holds a write slot."""
    settings = runtime.settings
    with runtime.database.reading() as session:
        return service.check_password(
            session,
            username=body.username,
            password=body.password,
            max_failures=settings.login_max_failures,
            window=timedelta(minutes=settings.login_window_minutes),
        )


@router.post("/auth/login", response_model=LoginResponse)
def login(
    request: Request,
    check: service.PasswordCheck = Depends(checked_password),
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
):
    """Exchange a username and password for a bearer token (one per login, revocable)."""
    settings = runtime.settings
    outcome = service.login(
        session,
        cell=runtime.cell,
        check=check,
        client=client_of(request),
        max_failures=settings.login_max_failures,
        window=timedelta(minutes=settings.login_window_minutes),
    )
    # A failure is answered, not raised, so the failure's record commits with the response.
    if outcome.throttled:
        return error_response(Throttled(N_("Too many failed logins; wait and try again.")), request)
    if outcome.user is None:
        return error_response(Unauthenticated(N_("Wrong username or password.")), request)
    token, secret = service.create_token(session, user=outcome.user, name="login", actor=outcome.user.username)
    return LoginResponse(token=secret, token_id=token.id, ledger_index=token.ledger_index)


@router.get("/me", response_model=MeRead)
def me(caller: Caller = CallerDep, runtime: Runtime = Depends(get_runtime)):
    party = runtime.cell.party(caller.subject.party)
    return MeRead(
        id=caller.user.id,
        username=caller.user.username,
        display_name=caller.user.display_name,
        party=PartyRead(code=party.code, name=party.names.en, role=str(party.role)),
        roles=sorted(caller.subject.roles),
    )


@router.get("/tokens", response_model=TokenPage)
def list_tokens(caller: Caller = CallerDep, session: Session = SessionDep):
    """The caller's own tokens (never their secrets)."""
    return TokenPage(items=[TokenRead.model_validate(t) for t in service.list_tokens(session, user=caller.user)])


@router.post("/tokens", response_model=TokenCreated, status_code=201)
def create_token(body: TokenCreate, caller: Caller = CallerDep, session: Session = SessionDep):
    token, secret = service.create_token(session, user=caller.user, name=body.name, actor=caller.user.username)
    return TokenCreated(
        id=token.id,
        name=token.name,
        created_at=token.created_at,
        revoked_at=None,
        ledger_index=token.ledger_index,
        secret=secret,
    )


@router.post("/tokens/{token_id}/revoke", response_model=TokenRead)
def revoke_token(token_id: uuid.UUID, caller: Caller = CallerDep, session: Session = SessionDep):
    token = service.revoke_token(session, token_id=token_id, user=caller.user, actor=caller.user.username)
    return TokenRead(
        id=token.id,
        name=token.name,
        created_at=token.created_at,
        revoked_at=token.revoked_at,
        ledger_index=token.ledger_index,
    )
