"""Waking the live stream: who is told, and when, that a commit appended to the ledger.

  - In this process, right after the commit (`after_commit`): every running tail wakes at once.
  - In other processes on PostgreSQL, by `NOTIFY fusioncell_ledger` sent inside the committing
    transaction (so delivered on commit, never on rollback) to each tail's LISTEN connection.
The flag that a session appended is set by ledger.service.append_entries.
"""

import os
import threading
import uuid
from typing import Protocol

from sqlalchemy import event
from sqlalchemy.orm import Session

CHANNEL = "fusioncell_ledger"  # the PostgreSQL NOTIFY channel
APPENDED = "ledger_appended"  # session.info flag set by ledger.service.append_entries


class Wakeable(Protocol):
    def wake_threadsafe(self) -> None: ...


_tails: set[Wakeable] = set()
_tails_lock = threading.Lock()


def watch(tail: Wakeable) -> None:
    """Wake this tail after every commit in this process that appended to the ledger."""
    with _tails_lock:
        _tails.add(tail)


def unwatch(tail: Wakeable) -> None:
    with _tails_lock:
        _tails.discard(tail)


@event.listens_for(Session, "before_commit")
def _notify_other_processes(session: Session) -> None:
    """On PostgreSQL, NOTIFY inside the committing transaction: delivered on commit, never on rollback.
    The payload names this process, whose own tails are woken by `after_commit` already."""
    if session.info.get(APPENDED) and session.get_bind().dialect.name == "postgresql":
        session.connection().exec_driver_sql(f"NOTIFY {CHANNEL}, '{process_token()}'")


_RANDOM = uuid.uuid4().hex[:12]


def process_token() -> str:
    return f"{os.getpid()}.{_RANDOM}"  # the pid tells forked processes apart


@event.listens_for(Session, "after_commit")
def _wake_this_process(session: Session) -> None:
    if session.info.pop(APPENDED, False):
        with _tails_lock:
            tails = list(_tails)
        for tail in tails:
            tail.wake_threadsafe()


@event.listens_for(Session, "after_rollback")
def _forget_appended(session: Session) -> None:
    session.info.pop(APPENDED, None)
