"""What a running cell holds: settings, the database, the cell definition in force, the ledger key.

FastAPI dependencies read it from `request.app.state.runtime`; the CLI builds one directly.
"""

from collections.abc import Iterator
from dataclasses import dataclass

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from fusioncell.cell.definition import CellDefinition
from fusioncell.cell.service import current_cell
from fusioncell.config import Settings
from fusioncell.db.session import Database
from fusioncell.ledger.keys import load_key
from fusioncell.ledger.note import Signer

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass
class Runtime:
    settings: Settings
    database: Database
    cell: CellDefinition
    signer: Signer

    @classmethod
    def open(cls, settings: Settings, database: Database | None = None) -> "Runtime":
        database = database or Database(settings.resolved_database_url())
        with database.reading() as session:
            cell = current_cell(session)
        return cls(settings=settings, database=database, cell=cell, signer=load_key(settings.resolved_key_path()))


def get_runtime(request: Request) -> Runtime:
    return request.app.state.runtime


def get_session(request: Request, runtime: Runtime = Depends(get_runtime)) -> Iterator[Session]:
    """The request's transaction: committed when the endpoint returns, before the response goes out,
    so an acknowledged write is a durable one; rolled back on any error."""
    with runtime.database.session(write=request.method not in READ_METHODS) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


SessionDep = Depends(get_session, scope="function")
