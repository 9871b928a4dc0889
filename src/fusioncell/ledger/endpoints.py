"""The record's endpoints (DESIGN.md): checkpoint, leaves, proofs, readable entries, verifier key."""

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import PlainTextResponse
from sqlalchemy.orm import Session

from fusioncell.access.dependencies import Caller, CallerDep
from fusioncell.errors import NotFound
from fusioncell.i18n import N_
from fusioncell.ledger import rotation, service
from fusioncell.ledger.models import LedgerEntry
from fusioncell.ledger.schemas import (
    CheckpointSummary,
    EntryPage,
    EntryRead,
    KeyHistory,
    KeyRotationRead,
    LeavesRead,
    LedgerStatus,
    ProofRead,
)
from fusioncell.ledger.witnessing import with_cosignatures
from fusioncell.runtime import Runtime, SessionDep, get_runtime

router = APIRouter(prefix="/api/v1/ledger", tags=["ledger"])
NOTE = "text/plain; charset=utf-8"
# Indices and sizes: non-negative and within a 64-bit signed column.
Index = Annotated[int, Query(ge=0, le=2**62)]


@router.get("/key", response_class=PlainTextResponse)
def verifier_key(session: Session = SessionDep, runtime: Runtime = Depends(get_runtime)):
    """The cell's C2SP verifier key in force: all a client needs to check checkpoints. After a rotation,
    a client that trusts an earlier key follows /keys to this one."""
    return PlainTextResponse(runtime.vkey_in_force(session) + "\n", media_type=NOTE)


@router.get("/keys", response_model=KeyHistory)
def key_history(caller: Caller = CallerDep, session: Session = SessionDep, runtime: Runtime = Depends(get_runtime)):
    """Every rotation of the signing key, oldest first, each with its handover checkpoint signed by the key
    handing over and the key taking over; `fusioncell ledger verify` and the monitor follow them."""
    rotations = []
    for change in rotation.readable_key_changes(session, subject=caller.subject):
        handover = rotation.handover_checkpoint(session, change)
        rotations.append(
            KeyRotationRead(
                index=change.ledger_index,
                previous_vkey=change.previous_vkey,
                vkey=change.vkey,
                reason=change.reason,
                rotated_at=change.created_at,
                content=change.ledger_content(),
                handover=with_cosignatures(session, handover) if handover is not None else "",
            )
        )
    return KeyHistory(vkey=runtime.vkey_in_force(session), rotations=rotations)


@router.get("/checkpoint", response_class=PlainTextResponse)
def checkpoint(caller: Caller = CallerDep, session: Session = SessionDep):
    """The latest signed checkpoint, a C2SP signed note, with the witnesses' cosignatures collected so far
    (verifiers that know only the log's key ignore those lines)."""
    latest = service.latest_checkpoint(session)
    if latest is None:
        raise NotFound(N_("No checkpoint has been signed yet."))
    return PlainTextResponse(with_cosignatures(session, latest), media_type=NOTE)


@router.get("/status", response_model=LedgerStatus)
def status(caller: Caller = CallerDep, session: Session = SessionDep, runtime: Runtime = Depends(get_runtime)):
    size = service.tree_size(session)
    latest = service.latest_checkpoint(session)
    summary = None
    if latest is not None:
        summary = CheckpointSummary(size=latest.size, root=service.b64(latest.root), created_at=latest.created_at)
    return LedgerStatus(
        size=size,
        root=service.b64(service.root_at(session, size)),
        checkpoint=summary,
        verifier_key=runtime.vkey_in_force(session),
    )


@router.get("/leaves", response_model=LeavesRead)
def leaves(start: Index, end: Index, caller: Caller = CallerDep, session: Session = SessionDep):
    """Leaves [start, end), at most 1,000 a call. Every member may read every leaf: they are blinded."""
    return LeavesRead(start=start, leaves=[service.b64(leaf) for leaf in service.leaves(session, start=start, end=end)])


@router.get("/proof/inclusion", response_model=ProofRead)
def inclusion(index: Index, size: Index, caller: Caller = CallerDep, session: Session = SessionDep):
    return ProofRead(hashes=[service.b64(h) for h in service.inclusion_proof(session, index=index, size=size)])


@router.get("/proof/consistency", response_model=ProofRead)
def consistency(first: Index, second: Index, caller: Caller = CallerDep, session: Session = SessionDep):
    return ProofRead(hashes=[service.b64(h) for h in service.consistency_proof(session, first=first, second=second)])


def entry_read(entry: LedgerEntry) -> EntryRead:
    return EntryRead(
        index=entry.index,
        leaf=service.b64(entry.leaf),
        salt=service.b64(entry.salt),
        body=entry.body,
        kind=entry.kind,
        record_id=entry.record_id,
        record_version=entry.record_version,
        action=entry.action,
        created_at=entry.created_at,
    )


@router.get("/entries", response_model=EntryPage)
def entries(
    cursor: int | None = Query(default=None, ge=0, le=2**62),
    limit: int = Query(default=50, ge=1, le=500),
    caller: Caller = CallerDep,
    session: Session = SessionDep,
):
    """The entries whose body the caller may read, newest first; `cursor` is the next_cursor of a page."""
    found = service.readable_entries(session, subject=caller.subject, before=cursor, limit=limit)
    next_cursor = found[-1].index if len(found) == limit else None
    return EntryPage(items=[entry_read(e) for e in found], next_cursor=next_cursor)


@router.get("/entries/{index}", response_model=EntryRead)
def entry(
    index: Annotated[int, Path(ge=0, le=2**62)],  # beyond a 64-bit integer the database cannot even compare it
    caller: Caller = CallerDep,
    session: Session = SessionDep,
):
    """One entry's body and salt, if the caller may read the record it speaks of; 404 otherwise."""
    return entry_read(service.readable_entry(session, subject=caller.subject, index=index))
