"""Who a TAXII client is: the API's bearer tokens, or HTTP Basic with an account's username and password.

TAXII clients speak Basic more often than anything else, but checking a password (Argon2id) on every
request would cap a client at a few dozen requests a second. So a successful check is remembered briefly,
in this process's memory, keyed by an HMAC of the credentials under a per-process random key (the
password itself is never kept). A failed check is never remembered: each one goes through the login
service exactly as the login endpoint's do, so it is recorded and counts towards the account's lockout.

The remembered check yields only the user's id: every request still loads the account, so a disabled
account or a revoked token stops working at once. A changed password stops working for Basic within
`REMEMBER_SECONDS`.
"""

import asyncio
import base64
import binascii
import hashlib
import hmac
import secrets
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta

import anyio
from fastapi import Depends, Request
from sqlalchemy.orm import Session

from fusioncell.access.models import User
from fusioncell.access.service import PasswordCheck, check_password, login, subject_for, user_for_token
from fusioncell.access.subjects import Subject
from fusioncell.errors import Throttled, Unauthenticated
from fusioncell.i18n import N_
from fusioncell.runtime import Runtime, get_runtime

REALM = 'Basic realm="fusioncell"'
REMEMBER_SECONDS = 60.0
_MAX_REMEMBERED = 10_000


@dataclass(frozen=True)
class Credentials:
    """What the request presented: a bearer token to look up, or a user whose password checked out."""

    token: str | None = None
    user_id: uuid.UUID | None = None


class PasswordChecks:
    """Recent successful Basic checks of one application: HMAC of the credentials → (user id, expiry)."""

    def __init__(self, seconds: float = REMEMBER_SECONDS) -> None:
        self.seconds = seconds
        self._key = secrets.token_bytes(32)
        self._found: dict[bytes, tuple[uuid.UUID, float]] = {}
        self._lock: asyncio.Lock | None = None

    def key(self, username: str, password: str) -> bytes:
        return hmac.new(self._key, f"{username}\0{password}".encode(), hashlib.sha256).digest()

    def get(self, key: bytes) -> uuid.UUID | None:
        found = self._found.get(key)
        if found is None or found[1] < time.monotonic():
            return None
        return found[0]

    def remember(self, key: bytes, user_id: uuid.UUID) -> None:
        if len(self._found) >= _MAX_REMEMBERED:
            now = time.monotonic()
            self._found = {k: v for k, v in self._found.items() if v[1] >= now}
            if len(self._found) >= _MAX_REMEMBERED:
                self._found.clear()
        self._found[key] = (user_id, time.monotonic() + self.seconds)

    def lock(self) -> asyncio.Lock:
        """One password check at a time: logins are rare, and a flood of guesses must not flood the CPU."""
        if self._lock is None:
            self._lock = asyncio.Lock()
        return self._lock


def password_checks(request: Request) -> PasswordChecks:
    state = request.app.state
    if getattr(state, "taxii_password_checks", None) is None:
        state.taxii_password_checks = PasswordChecks()
    return state.taxii_password_checks


def _basic(value: str) -> tuple[str, str]:
    try:
        username, colon, password = base64.b64decode(value, validate=True).decode("utf-8").partition(":")
    except (binascii.Error, UnicodeDecodeError):
        colon = username = password = ""
    if not colon or not username:
        raise Unauthenticated(N_("The Basic credentials are not username:password in base64."))
    return username, password


def _check(runtime: Runtime, username: str, password: str) -> PasswordCheck:
    """Argon2 in a read transaction, before the write gate (access/service.py)."""
    settings = runtime.settings
    with runtime.database.reading() as session:
        return check_password(
            session,
            username=username,
            password=password,
            max_failures=settings.login_max_failures,
            window=timedelta(minutes=settings.login_window_minutes),
        )


def _log_in(runtime: Runtime, check: PasswordCheck, client: str | None) -> tuple[bool, uuid.UUID | None]:
    """The login service in its own committed transaction: a failure is recorded even though the request fails."""
    settings = runtime.settings
    with runtime.database.writing() as session:
        outcome = login(
            session,
            cell=runtime.cell,
            check=check,
            client=client,
            max_failures=settings.login_max_failures,
            window=timedelta(minutes=settings.login_window_minutes),
        )
        return outcome.throttled, None if outcome.user is None else outcome.user.id


async def _checked_password(request: Request, runtime: Runtime, username: str, password: str) -> uuid.UUID:
    checks = password_checks(request)
    key = checks.key(username, password)
    user_id = checks.get(key)
    if user_id is not None:
        return user_id
    async with checks.lock():
        user_id = checks.get(key)  # another request may just have checked the same credentials
        if user_id is not None:
            return user_id
        client = request.client.host if request.client else None
        check = await anyio.to_thread.run_sync(_check, runtime, username, password)
        # The login's record is a write: it queues at the write gate like any write transaction.
        async with runtime.write_gate():
            throttled, user_id = await anyio.to_thread.run_sync(_log_in, runtime, check, client)
    if throttled:
        raise Throttled(N_("Too many failed logins; wait and try again."))
    if user_id is None:
        raise Unauthenticated(N_("Wrong username or password."))
    checks.remember(key, user_id)
    return user_id


async def taxii_credentials(request: Request, runtime: Runtime = Depends(get_runtime)) -> Credentials:
    """Resolved before the request's own session opens (a POST's holds the write gate; a login needs it)."""
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    scheme, value = scheme.lower(), value.strip()
    if scheme in ("bearer", "token") and value:  # taxii2-client's TokenAuth says "Token"
        return Credentials(token=value)
    if scheme == "basic":
        username, password = _basic(value)
        return Credentials(user_id=await _checked_password(request, runtime, username, password))
    raise Unauthenticated(N_("Send a bearer token or HTTP Basic credentials."))


def taxii_subject(session: Session, runtime: Runtime, credentials: Credentials) -> Subject:
    """The account behind the credentials, loaded in the request's session: disabled or revoked is refused."""
    if credentials.token is not None:
        user = user_for_token(session, credentials.token)
    else:
        user = session.get(User, credentials.user_id)
    if user is None or user.disabled_at is not None:
        raise Unauthenticated(N_("The credentials are not valid."))
    return subject_for(user, runtime.cell)


CredentialsDep = Depends(taxii_credentials)
