"""Accounts, logins, API tokens and web sessions. Every account change and login enters the record."""

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fusioncell.access.models import AccountEvent, ApiToken, User, WebSession
from fusioncell.access.passwords import MIN_LENGTH, hash_password, verify_password
from fusioncell.access.rule import readable
from fusioncell.access.subjects import Subject, parse_role
from fusioncell.cell.definition import CellDefinition
from fusioncell.db.base import Marking, Status
from fusioncell.db.types import utcnow
from fusioncell.errors import Conflict, Invalid, NotFound
from fusioncell.i18n import N_
from fusioncell.ledger.service import record_change

TOKEN_PREFIX = "fct_"


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def subject_for(user: User, cell: CellDefinition) -> Subject:
    return Subject(
        user_id=user.id,
        username=user.username,
        display_name=user.display_name,
        party=user.party,
        party_role=str(cell.party(user.party).role),
        roles=frozenset(user.roles),
    )


def record_account_event(
    session: Session,
    *,
    action: str,
    username: str,
    party: str,
    actor: str,
    user_id: uuid.UUID | None = None,
    client: str | None = None,
    detail: str | None = None,
) -> AccountEvent:
    """An account event is read by the user's own party and the mediator."""
    event = AccountEvent(
        action=action,
        username=username[:64],
        user_id=user_id,
        client=client,
        detail=detail,
        origin_party=party,
        created_by=actor,
        status=Status.RELEASED,
        releasable_to=frozenset(),
        marking=Marking.AMBER_STRICT,
    )
    session.add(event)
    record_change(session, record=event, action=action, actor=actor, party=party)
    return event


def acting_subject(session: Session, *, cell: CellDefinition, username: str) -> Subject:
    """The subject of an account an operator acts as from the command line; a disabled account may not act."""
    user = user_by_name(session, username)
    if user.disabled_at is not None:
        raise Conflict(N_("the account {username!r} is disabled"), username=username)
    return subject_for(user, cell)


def set_language(session: Session, *, user: User, language: str | None) -> User:
    """The account's own interface language: a preference, not recorded (see User.language)."""
    user.language = language
    session.flush()
    return user


def add_user(
    session: Session,
    *,
    cell: CellDefinition,
    username: str,
    display_name: str,
    party: str,
    roles: list[str],
    password: str,
    actor: str,
) -> User:
    if party not in cell.party_codes:
        raise Invalid(
            N_("unknown party {party!r}; parties are {party_codes}"),
            party=party,
            party_codes=", ".join(sorted(cell.party_codes)),
        )
    try:
        roles = sorted({parse_role(role, frozenset(d.code for d in cell.desks)) for role in roles})
    except ValueError as exc:
        raise Invalid(str(exc)) from exc
    if len(password) < MIN_LENGTH:
        raise Invalid(N_("the password must have at least {min_length} characters"), min_length=MIN_LENGTH)
    if session.execute(select(User.id).where(User.username == username)).first() is not None:
        raise Conflict(N_("a user named {username!r} exists already"), username=username)
    user = User(
        username=username,
        display_name=display_name,
        party=party,
        roles=roles,
        password_hash=hash_password(password),
    )
    session.add(user)
    record_change(session, record=user, action="user-added", actor=actor, party=party)
    record_account_event(session, action="user-added", username=username, party=party, actor=actor, user_id=user.id)
    return user


def list_users(session: Session) -> list[User]:
    return list(session.execute(select(User).order_by(User.party, User.username)).scalars())


def user_by_name(session: Session, username: str) -> User:
    user = session.execute(select(User).where(User.username == username)).scalar_one_or_none()
    if user is None:
        raise NotFound(N_("no user named {username!r}"), username=username)
    return user


def disable_user(session: Session, *, username: str, actor: str) -> User:
    user = user_by_name(session, username)
    if user.disabled_at is None:
        user.disabled_at = utcnow()
        user.version += 1
        record_change(session, record=user, action="user-disabled", actor=actor, party=user.party)
        record_account_event(
            session, action="user-disabled", username=username, party=user.party, actor=actor, user_id=user.id
        )
        _end_sessions_and_tokens(session, user=user, actor=actor)
    return user


def _end_sessions_and_tokens(session: Session, *, user: User, actor: str) -> None:
    now = utcnow()
    for web_session in session.execute(
        select(WebSession).where(WebSession.user_id == user.id, WebSession.ended_at.is_(None))
    ).scalars():
        web_session.ended_at = now
    for token in session.execute(
        select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
    ).scalars():
        _revoke(session, token=token, actor=actor)


@dataclass(frozen=True)
class LoginOutcome:
    """A login's result. Failures are recorded too, so the caller commits either way."""

    user: User | None
    throttled: bool = False


def recent_login_failures(session: Session, *, username: str, since: datetime) -> int:
    # Failures since the last success inside the window: a correct login clears the count.
    last_success = (
        select(func.max(AccountEvent.created_at))
        .where(AccountEvent.username == username, AccountEvent.action == "login")
        .scalar_subquery()
    )
    query = select(func.count()).where(
        AccountEvent.username == username,
        AccountEvent.action == "login-failed",
        AccountEvent.created_at >= since,
        (AccountEvent.created_at > last_success) | last_success.is_(None),
    )
    return session.execute(query).scalar_one()


@dataclass(frozen=True)
class PasswordCheck:
    """A password checked before the login's write transaction opens: Argon2 takes up to a second under
    load, and a write transaction holds a write slot (on SQLite, the database's one write lock) that long.
    `password_hash` is the hash it was checked against; login() accepts it only if it is still the user's."""

    username: str
    password_hash: str | None
    ok: bool


def check_password(
    session: Session, *, username: str, password: str, max_failures: int, window: timedelta
) -> PasswordCheck:
    """In a read transaction. A throttled name gets no Argon2 at all (login() records the throttling)."""
    username = username[:64]
    password_hash = session.execute(select(User.password_hash).where(User.username == username)).scalar_one_or_none()
    if recent_login_failures(session, username=username, since=utcnow() - window) >= max_failures:
        return PasswordCheck(username, password_hash, ok=False)
    return PasswordCheck(username, password_hash, ok=verify_password(password_hash, password))


def login(
    session: Session,
    *,
    cell: CellDefinition,
    check: PasswordCheck,
    client: str | None,
    max_failures: int,
    window: timedelta,
) -> LoginOutcome:
    username = check.username
    user = session.execute(select(User).where(User.username == username)).scalar_one_or_none()
    party = user.party if user is not None else cell.mediator.code
    if recent_login_failures(session, username=username, since=utcnow() - window) >= max_failures:
        record_account_event(
            session, action="login-throttled", username=username, party=party, actor=username, client=client
        )
        return LoginOutcome(user=None, throttled=True)
    ok = check.ok and user is not None and user.password_hash == check.password_hash
    if not ok or user is None or user.disabled_at is not None:
        detail = "disabled" if ok and user is not None else None
        record_account_event(
            session,
            action="login-failed",
            username=username,
            party=party,
            actor=username,
            client=client,
            detail=detail,
            user_id=user.id if user else None,
        )
        return LoginOutcome(user=None)
    record_account_event(
        session,
        action="login",
        username=username,
        party=party,
        actor=username,
        client=client,
        user_id=user.id,
    )
    return LoginOutcome(user=user)


def create_token(session: Session, *, user: User, name: str, actor: str) -> tuple[ApiToken, str]:
    """A new bearer token; the secret is returned once and only its hash is kept."""
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, party=user.party, name=name, secret_hash=_digest(secret))
    session.add(token)
    record_change(session, record=token, action="token-created", actor=actor, party=user.party)
    record_account_event(
        session,
        action="token-created",
        username=user.username,
        party=user.party,
        actor=actor,
        user_id=user.id,
        detail=name[:256],
    )
    return token, secret


def list_tokens(session: Session, *, user: User) -> list[ApiToken]:
    return list(
        session.execute(select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.created_at)).scalars()
    )


def revoke_token(session: Session, *, token_id: uuid.UUID, user: User | None, actor: str) -> ApiToken:
    """Revoke a token. With `user`, only that user's own tokens are found (others answer 404)."""
    query = select(ApiToken).where(ApiToken.id == token_id)
    if user is not None:
        query = query.where(ApiToken.user_id == user.id)
    token = session.execute(query).scalar_one_or_none()
    if token is None:
        raise NotFound()
    if token.revoked_at is None:
        _revoke(session, token=token, actor=actor)
    return token


def _revoke(session: Session, *, token: ApiToken, actor: str) -> None:
    token.revoked_at = utcnow()
    token.version += 1
    record_change(session, record=token, action="token-revoked", actor=actor, party=token.party)
    owner = session.get(User, token.user_id)
    record_account_event(
        session,
        action="token-revoked",
        username=owner.username,
        party=token.party,
        actor=actor,
        user_id=token.user_id,
        detail=token.name[:256],
    )


def user_for_token(session: Session, secret: str) -> User | None:
    if not secret.startswith(TOKEN_PREFIX):
        return None
    row = session.execute(
        select(User)
        .join(ApiToken, ApiToken.user_id == User.id)
        .where(ApiToken.secret_hash == _digest(secret), ApiToken.revoked_at.is_(None), User.disabled_at.is_(None))
    ).scalar_one_or_none()
    return row


def start_web_session(session: Session, *, user: User, hours: int) -> tuple[WebSession, str]:
    secret = secrets.token_urlsafe(32)
    web_session = WebSession(
        user_id=user.id,
        secret_hash=_digest(secret),
        csrf_token=secrets.token_urlsafe(32),
        expires_at=utcnow() + timedelta(hours=hours),
    )
    session.add(web_session)
    session.flush()
    return web_session, secret


def web_session_for(session: Session, secret: str) -> tuple[WebSession, User] | None:
    row = session.execute(
        select(WebSession, User)
        .join(User, User.id == WebSession.user_id)
        .where(
            WebSession.secret_hash == _digest(secret),
            WebSession.ended_at.is_(None),
            WebSession.expires_at > utcnow(),
            User.disabled_at.is_(None),
        )
    ).first()
    return None if row is None else (row[0], row[1])


def end_web_session(session: Session, *, web_session: WebSession, user: User) -> None:
    web_session.ended_at = utcnow()
    record_account_event(
        session,
        action="logout",
        username=user.username,
        party=user.party,
        actor=user.username,
        user_id=user.id,
    )


def readable_account_events(session: Session, *, subject: Subject, limit: int = 50) -> list[AccountEvent]:
    query = select(AccountEvent).where(readable(subject, AccountEvent)).order_by(AccountEvent.created_at.desc())
    return list(session.execute(query.limit(limit)).scalars())
