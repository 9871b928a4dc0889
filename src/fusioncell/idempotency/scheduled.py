"""The idempotency keys' timer: keys older than seven days (service.KEEP) are forgotten."""

from datetime import datetime
from typing import TYPE_CHECKING

from fusioncell.db.types import utcnow
from fusioncell.idempotency.service import KEEP, purge_older_than

if TYPE_CHECKING:
    from fusioncell.runtime import Runtime

PURGE_EVERY_SECONDS = 3600


def purge_expired_keys(runtime: "Runtime", now: datetime | None = None) -> int:
    """One short write transaction; returns how many keys were purged."""
    with runtime.database.writing() as session:
        return purge_older_than(session, before=(now or utcnow()) - KEEP)
