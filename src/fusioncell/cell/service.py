"""Installing a cell definition and reading the one in force."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from fusioncell.cell.definition import CellDefinition
from fusioncell.cell.models import CellRecord
from fusioncell.db.base import Marking, Status
from fusioncell.errors import Conflict, NotFound
from fusioncell.i18n import N_
from fusioncell.ledger.service import record_change

SYSTEM_ACTOR = "system"


def install_cell(session: Session, *, definition: CellDefinition, source: str, actor: str = SYSTEM_ACTOR) -> CellRecord:
    """Store the definition a new cell starts from; every party reads it."""
    if session.execute(select(CellRecord.id).limit(1)).first() is not None:
        raise Conflict(N_("This database already holds a cell; start a new one in an empty database."))
    mediator = definition.mediator.code
    record = CellRecord(
        code=definition.code,
        definition=definition.model_dump_json(),
        source=source,
        origin_party=mediator,
        created_by=actor,
        status=Status.RELEASED,
        releasable_to=definition.party_codes,
        marking=Marking.CLEAR,
    )
    session.add(record)
    record_change(session, record=record, action="cell-installed", actor=actor, party=mediator)
    return record


def current_cell(session: Session) -> CellDefinition:
    record = session.execute(select(CellRecord).order_by(CellRecord.created_at.desc()).limit(1)).scalar_one_or_none()
    if record is None:
        raise NotFound(N_("No cell is installed in this database; run `fusioncell init`."))
    return CellDefinition.model_validate_json(record.definition)
