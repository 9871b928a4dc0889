"""The witnesses' status and offline receipts (docs/record.md).

Receipts are public to members as leaves are: the proof and checkpoint tell nothing of a record. Only
a caller who may read the entry gets its salt and body in the receipt; a record's receipt answers 404
to a caller who may not read the record, exactly as the record itself does.
"""

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from fusioncell.access.dependencies import Caller, CallerDep
from fusioncell.access.rule import can_read
from fusioncell.db.base import recorded_models
from fusioncell.errors import NotFound
from fusioncell.i18n import N_
from fusioncell.ledger import service
from fusioncell.ledger.models import LedgerEntry
from fusioncell.ledger.receipts import MEDIA_TYPE, build_receipt
from fusioncell.ledger.witnessing_models import WitnessStatus
from fusioncell.runtime import Runtime, SessionDep, get_runtime

router = APIRouter(tags=["ledger"])
Index = Annotated[int, Query(ge=0, le=2**62)]


class WitnessRead(BaseModel):
    name: str
    party: str
    url: str
    cosigned_size: int  # the size it last cosigned (0: never)
    cosigned_at: datetime | None
    behind_by: int  # entries of the newest checkpoint it has not cosigned
    attempted_at: datetime | None
    refusal: str | None  # the last refusal or error, until it cosigns again
    refused_at: datetime | None


class WitnessesRead(BaseModel):
    checkpoint_size: int | None
    quorum: int
    required_parties: list[str]
    witnesses: list[WitnessRead]


def witness_statuses(session: Session, runtime: Runtime) -> WitnessesRead:
    """Shared by the API and the ledger page's panel."""
    settings = runtime.cell.witnesses
    latest = service.latest_checkpoint(session)
    size = latest.size if latest is not None else None
    stored = {s.name: s for s in session.execute(select(WitnessStatus)).scalars()}
    rows = []
    for witness in settings.witnesses:
        status = stored.get(witness.name)
        cosigned = status.cosigned_size if status is not None else 0
        rows.append(
            WitnessRead(
                name=witness.name,
                party=witness.party,
                url=witness.url,
                cosigned_size=cosigned,
                cosigned_at=status.cosigned_at if status else None,
                behind_by=max(0, (size or 0) - cosigned),
                attempted_at=status.attempted_at if status else None,
                refusal=status.refusal if status else None,
                refused_at=status.refused_at if status else None,
            )
        )
    return WitnessesRead(
        checkpoint_size=size,
        quorum=settings.quorum,
        required_parties=list(settings.policy.required_parties),
        witnesses=rows,
    )


@router.get("/api/v1/ledger/witnesses", response_model=WitnessesRead)
def witnesses(caller: Caller = CallerDep, session: Session = SessionDep, runtime: Runtime = Depends(get_runtime)):
    """Each configured witness: what it cosigned last and when, how far behind it is, its last refusal."""
    return witness_statuses(session, runtime)


def _receipt(text: str, name: str) -> PlainTextResponse:
    headers = {"Content-Disposition": f'attachment; filename="{name}.tlog-proof"'}
    return PlainTextResponse(text, media_type=MEDIA_TYPE, headers=headers)


@router.get("/api/v1/ledger/receipt", response_class=PlainTextResponse)
def receipt(
    index: Index, caller: Caller = CallerDep, session: Session = SessionDep, runtime: Runtime = Depends(get_runtime)
):
    """A C2SP tlog-proof of entry `index`; with its salt and body if the caller may read the entry."""
    if index >= service.tree_size(session):
        raise NotFound(N_("No such entry."))
    try:
        entry = service.readable_entry(session, subject=caller.subject, index=index)
    except NotFound:
        entry = None
    return _receipt(build_receipt(session, runtime.cell.witnesses, index=index, entry=entry), f"entry-{index}")


@router.get("/api/v1/records/{kind}/{record_id}/receipt", response_class=PlainTextResponse)
def record_receipt(
    kind: str,
    record_id: str,
    caller: Caller = CallerDep,
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
):
    """The receipt of a record's latest version, with its entry's salt and body; 404 as for a missing
    record when the caller may not read it."""
    record = _readable_record(session, caller, kind, record_id)
    entry = session.get(LedgerEntry, record.ledger_index) if record.ledger_index is not None else None
    if entry is None:
        raise NotFound()
    receipt_text = build_receipt(session, runtime.cell.witnesses, index=entry.index, entry=entry)
    return _receipt(receipt_text, f"{kind}-{record_id}-v{record.version}")


def _readable_record(session: Session, caller: Caller, kind: str, record_id: str):
    model = next((m for m in recorded_models() if m.record_kind == kind), None)
    try:
        key = uuid.UUID(record_id)
    except ValueError:
        key = None
    record = session.get(model, key) if model is not None and key is not None else None
    # The entry's rule (origin, status, releasable_to of the record): the one /ledger/entries applies.
    if record is None or not can_read(caller.subject, *record.ledger_envelope()):
        raise NotFound()
    return record
