"""The password asked again before a grave act (signing with the party's stored key).

A wrong password here is a failed login in all but name: it is written to the account's events and counts
toward the same lockout, so the re-asked password cannot be used to guess at leisure. The refusal must
therefore outlive the refused request: the boundary (endpoint or page form) commits the session when it
catches one of `REFUSALS_ON_RECORD`, which is safe because the check runs before the act writes anything.
"""

from datetime import timedelta

from sqlalchemy.orm import Session

from fusioncell.access.models import User
from fusioncell.access.passwords import verify_password
from fusioncell.access.service import recent_login_failures, record_account_event
from fusioncell.config import Settings
from fusioncell.db.types import utcnow
from fusioncell.errors import Forbidden, Throttled
from fusioncell.i18n import N_


class PasswordRefused(Forbidden):
    """The password given again was not the account's."""


class PasswordThrottled(Throttled):
    """Too many wrong passwords (at login or asked again) inside the window: not even checked."""


REFUSALS_ON_RECORD = (PasswordRefused, PasswordThrottled)


def confirm_password(
    session: Session, *, user: User | None, password: str, act: str, settings: Settings | None = None
) -> None:
    """Raise unless `password` is the (enabled) user's; a refusal is recorded for the boundary to commit."""
    if user is None:
        raise PasswordRefused(N_("the password is not right; nothing was {act}"), act=act)
    settings = settings or Settings()
    window = timedelta(minutes=settings.login_window_minutes)
    detail = f"password asked again before {act}"
    if recent_login_failures(session, username=user.username, since=utcnow() - window) >= settings.login_max_failures:
        record_account_event(
            session, action="login-throttled", username=user.username, party=user.party, actor=user.username,
            user_id=user.id, detail=detail,
        )  # fmt: skip
        raise PasswordThrottled(N_("too many wrong passwords; wait and try again; nothing was {act}"), act=act)
    if user.disabled_at is not None or not verify_password(user.password_hash, password):
        record_account_event(
            session, action="login-failed", username=user.username, party=user.party, actor=user.username,
            user_id=user.id, detail=detail,
        )  # fmt: skip
        raise PasswordRefused(N_("the password is not right; nothing was {act}"), act=act)
