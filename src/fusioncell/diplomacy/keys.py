"""Parties' statement-signing keys: registered by the party's admin, public to every member (they verify
signatures), the private half optionally stored in the cell, sealed, for signing from the browser."""

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from fusioncell.access.rule import readable
from fusioncell.access.subjects import Role, Subject
from fusioncell.cell.definition import CellDefinition
from fusioncell.config import Settings
from fusioncell.db.base import Marking, Status
from fusioncell.diplomacy import signing
from fusioncell.diplomacy.models import PartyKey
from fusioncell.diplomacy.queries import invalid
from fusioncell.errors import Conflict, Forbidden, NotFound
from fusioncell.i18n import N_
from fusioncell.ledger.service import record_change


def store_party_key(
    session: Session,
    *,
    cell: CellDefinition,
    party: str,
    actor: str,
    public_key: bytes,
    private_key: bytes | None = None,
    settings: Settings | None = None,
) -> PartyKey:
    """Record a key for `party` (no role check: register_party_key's job, or the demo seed's)."""
    if len(public_key) != 32:
        raise invalid({"public_key": N_("an Ed25519 public key is 32 bytes (base64 of the raw key)")})
    if private_key is not None and (len(private_key) != 32 or signing.public_key_of(private_key) != public_key):
        raise invalid({"private_key": N_("the private key is not the one of this public key")})
    key_id = signing.key_id_of(public_key)
    if session.execute(select(PartyKey.id).where(PartyKey.key_id == key_id)).first() is not None:
        raise Conflict(N_("key {key_id} is registered already"), key_id=key_id)
    sealed = None
    if private_key is not None:
        sealed = signing.seal(signing.key_encryption_key(settings), private_key, party=party, key_id=key_id)
    key = PartyKey(
        party=party,
        public_key=signing.b64(public_key),
        key_id=key_id,
        sealed_private_key=sealed,
        origin_party=party,
        created_by=actor,
        status=Status.RELEASED,
        releasable_to=cell.party_codes - {party},
        marking=Marking.CLEAR,
    )
    session.add(key)
    record_change(session, record=key, action="party-key-registered", actor=actor, party=party)
    return key


def register_party_key(
    session: Session,
    *,
    cell: CellDefinition,
    subject: Subject,
    public_key: bytes,
    private_key: bytes | None = None,
    settings: Settings | None = None,
) -> PartyKey:
    """A party's admin registers its own party's key (with the private half to sign from the browser)."""
    if Role.ADMIN not in subject.roles:
        raise Forbidden(N_("a party's signing keys are registered by its admins"))
    return store_party_key(
        session,
        cell=cell,
        party=subject.party,
        actor=subject.username,
        public_key=public_key,
        private_key=private_key,
        settings=settings,
    )


def active_key(session: Session, *, party: str, key_id: str) -> PartyKey | None:
    return session.execute(
        select(PartyKey).where(PartyKey.party == party, PartyKey.key_id == key_id, PartyKey.revoked_at.is_(None))
    ).scalar_one_or_none()


def stored_key_of(session: Session, *, party: str, settings: Settings | None = None) -> tuple[PartyKey, bytes]:
    """The party's newest unrevoked key kept in the cell, unsealed."""
    key = session.execute(
        select(PartyKey)
        .where(PartyKey.party == party, PartyKey.revoked_at.is_(None), PartyKey.sealed_private_key.is_not(None))
        .order_by(PartyKey.id.desc())
        .limit(1)
    ).scalar_one_or_none()
    if key is None:
        raise Conflict(
            N_("{party} keeps no signing key in the cell; sign with the key file (fusioncell statement sign)"),
            party=party,
        )
    kek = signing.key_encryption_key(settings)
    return key, signing.unseal(kek, key.sealed_private_key, party=party, key_id=key.key_id)


def list_party_keys(session: Session, *, subject: Subject, party: str | None = None) -> list[PartyKey]:
    query = select(PartyKey).where(readable(subject, PartyKey))
    if party is not None:
        query = query.where(PartyKey.party == party)
    return list(session.execute(query.order_by(PartyKey.party, PartyKey.id)).scalars())


def readable_party_key(session: Session, *, subject: Subject, key_id: uuid.UUID) -> PartyKey:
    key = session.execute(
        select(PartyKey).where(PartyKey.id == key_id, readable(subject, PartyKey))
    ).scalar_one_or_none()
    if key is None:
        raise NotFound()
    return key
