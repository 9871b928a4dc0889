"""Rotating the cell's signing key with continuity in the record.

A rotation is itself a record (`SigningKeyChange`, released to every party): the old verifier key,
the new one, and the operator's reason. In the same transaction the tree that holds that entry is
signed by **both** keys — the handover checkpoint. A verifier that trusts only the old key checks that
signature, proves the rotation entry into that tree, and from then on trusts the new key
(ledger/key_chain.py); nobody has to be told the new key out of band, and a key that appears without
a handover signed by its predecessor is refused.
"""

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from fusioncell.access.rule import readable
from fusioncell.access.subjects import Subject
from fusioncell.cell.definition import CellDefinition
from fusioncell.db.base import Marking, Status
from fusioncell.db.types import utcnow
from fusioncell.errors import Conflict, Invalid
from fusioncell.i18n import N_
from fusioncell.ledger.models import Checkpoint, SigningKeyChange
from fusioncell.ledger.note import Checkpoint as CheckpointText
from fusioncell.ledger.note import Signer, format_checkpoint, sign_note_by
from fusioncell.ledger.service import record_change, root_at

MAX_REASON = 1000


def key_changes(session: Session) -> list[SigningKeyChange]:
    """Every rotation, oldest first: for the cell's own checks (audit, the key in force), never for a reader."""
    return list(session.execute(select(SigningKeyChange).order_by(SigningKeyChange.ledger_index)).scalars())


def readable_key_changes(session: Session, *, subject: Subject) -> list[SigningKeyChange]:
    """The rotations `subject` may read, oldest first (released to every party: all of them, through the rule)."""
    query = select(SigningKeyChange).where(readable(subject, SigningKeyChange))
    return list(session.execute(query.order_by(SigningKeyChange.ledger_index)).scalars())


def vkey_in_force(session: Session) -> str | None:
    """The verifier key the record says signs now; None before the first rotation (the key made at init)."""
    query = select(SigningKeyChange.vkey).order_by(SigningKeyChange.ledger_index.desc()).limit(1)
    return session.execute(query).scalar_one_or_none()


def handover_checkpoint(session: Session, change: SigningKeyChange) -> Checkpoint | None:
    return session.get(Checkpoint, change.ledger_index + 1)


def rotate_key(
    session: Session, *, cell: CellDefinition, old: Signer, new: Signer, reason: str, actor: str
) -> tuple[SigningKeyChange, Checkpoint]:
    """Record the rotation and sign the handover checkpoint with both keys. Never commits."""
    reason = reason.strip()
    if not 1 <= len(reason) <= MAX_REASON:
        raise Invalid(N_("Say why the key is rotated, in at most {limit} characters."), limit=MAX_REASON)
    if new.name != old.name or new.name != cell.log_origin:
        raise Invalid(N_("The new key must carry the log's name {origin}."), origin=cell.log_origin)
    if new.verifier_key() == old.verifier_key():
        raise Invalid(N_("The new key is the key in force."))
    mediator = cell.mediator.code
    change = SigningKeyChange(
        previous_vkey=old.verifier_key(),
        vkey=new.verifier_key(),
        reason=reason,
        origin_party=mediator,
        created_by=actor,
        status=Status.RELEASED,
        releasable_to=cell.party_codes,
        marking=Marking.CLEAR,
    )
    session.add(change)
    index = record_change(session, record=change, action="signing-key-rotated", actor=actor, party=mediator)
    # Read only now that record_change holds the ledger's lock: two rotations at once must not both hand
    # over from the same key.
    earlier = select(SigningKeyChange.vkey).where(SigningKeyChange.id != change.id)
    in_force = session.execute(earlier.order_by(SigningKeyChange.ledger_index.desc()).limit(1)).scalar_one_or_none()
    if in_force not in (None, old.verifier_key()):
        raise Conflict(N_("The key in force is not the key this rotation starts from; it was rotated already."))
    size = index + 1
    root = root_at(session, size)
    note = sign_note_by(format_checkpoint(CheckpointText(origin=cell.log_origin, size=size, root=root)), [old, new])
    checkpoint = Checkpoint(size=size, root=root, note=note, created_at=utcnow())
    session.add(checkpoint)
    session.flush()
    return change, checkpoint


def vkeys_for_checkpoint(size: int, changes: Sequence[SigningKeyChange], current_vkey: str) -> list[str]:
    """The keys that must have signed a checkpoint of `size`: the key in force then, and at a handover
    both the key handing over and the key taking over."""
    for change in changes:
        handover = change.ledger_index + 1
        if size < handover:
            return [change.previous_vkey]
        if size == handover:
            return [change.previous_vkey, change.vkey]
    return [changes[-1].vkey] if changes else [current_vkey]
