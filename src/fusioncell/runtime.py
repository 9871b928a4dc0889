"""What a running cell holds: settings, the database, the cell definition in force, the ledger key.

FastAPI dependencies read it from `request.app.state.runtime`; the CLI builds one directly.
"""

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import anyio
from fastapi import Depends, Request
from sqlalchemy.orm import Session

from fusioncell.cell.definition import CellDefinition
from fusioncell.cell.service import current_cell
from fusioncell.config import Settings
from fusioncell.db.session import Database
from fusioncell.ledger import rotation
from fusioncell.ledger.keys import load_key_in_force
from fusioncell.ledger.note import Signer

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass
class Runtime:
    settings: Settings
    database: Database
    cell: CellDefinition
    signer: Signer
    _write_gate: asyncio.Semaphore | None = field(default=None, repr=False)

    def write_gate(self) -> asyncio.Semaphore:
        """How many write transactions may be open at once: one on SQLite (it has one write lock),
        a few on PostgreSQL (appends still serialise on the ledger's size row)."""
        if self._write_gate is None:
            self._write_gate = asyncio.Semaphore(1 if self.database.is_sqlite else 8)
        return self._write_gate

    def vkey_in_force(self, session: Session) -> str:
        """From the record, not this process's memory: a worker may not have noticed a rotation yet."""
        return rotation.vkey_in_force(session) or self.signer.verifier_key()

    def signer_in_force(self, session: Session) -> Signer:
        """The key to sign with now: after a rotation (made by `fusioncell key rotate`, perhaps while this
        process runs) the new key, loaded once; LedgerKeyError if it is not on disk."""
        vkey = rotation.vkey_in_force(session)
        if vkey is not None and vkey != self.signer.verifier_key():
            self.signer = load_key_in_force(self.settings.resolved_key_path(), vkey)
        return self.signer

    @classmethod
    def open(cls, settings: Settings, database: Database | None = None) -> "Runtime":
        database = database or Database(settings.resolved_database_url())
        with database.reading() as session:
            cell = current_cell(session)
            signer = load_key_in_force(settings.resolved_key_path(), rotation.vkey_in_force(session))
        return cls(settings=settings, database=database, cell=cell, signer=signer)


def get_runtime(request: Request) -> Runtime:
    return request.app.state.runtime


async def get_session(request: Request, runtime: Runtime = Depends(get_runtime)) -> AsyncIterator[Session]:
    """The request's transaction: committed when the endpoint returns, before the response goes out,
    so an acknowledged write is a durable one; rolled back on any error.

    Writers queue at the runtime's write gate (an asyncio semaphore, so waiting holds no worker
    thread) before they open their transaction. Without it, writers holding the database's write
    lock could wait for a worker thread to commit in while every worker thread waits for that lock."""
    write = request.method not in READ_METHODS
    gate = runtime.write_gate() if write else None
    if gate is not None:
        await gate.acquire()
    session = runtime.database.session(write=write)
    try:
        try:
            yield session
        except BaseException:
            await anyio.to_thread.run_sync(_roll_back_and_close, session)
            raise
        if not session.in_transaction():
            session.close()  # the endpoint committed in its own thread (the hot paths do)
        elif not write and runtime.database.is_sqlite:
            session.close()  # ending a local read transaction is a quick call, not worth a thread
        else:
            await anyio.to_thread.run_sync(_commit_and_close, session)
    finally:
        if gate is not None:
            gate.release()


# One trip to a worker thread each, not two: under load every trip waits for the event loop.


def _commit_and_close(session: Session) -> None:
    try:
        session.commit()
    finally:
        session.close()


def _roll_back_and_close(session: Session) -> None:
    try:
        session.rollback()
    finally:
        session.close()


SessionDep = Depends(get_session, scope="function")
