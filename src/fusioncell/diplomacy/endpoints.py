"""/api/v1/statements and /api/v1/party-keys: joint statements, their versions, comments, signatures and
publication, and the keys the parties sign with.

Every route addressing a statement looks it up through the releasability rule first: a statement the
caller may not read answers the very 404 of one that does not exist, whatever the action.
"""

import uuid

from fastapi import APIRouter, Depends, Query
from sqlalchemy.orm import Session

from fusioncell.access.dependencies import Caller, CallerDep
from fusioncell.access.reauth import REFUSALS_ON_RECORD
from fusioncell.db.base import Envelope
from fusioncell.diplomacy import keys, publication, service, signing
from fusioncell.diplomacy.diff import paragraph_diff
from fusioncell.diplomacy.models import (
    PartyKey,
    Statement,
    StatementComment,
    StatementSignature,
    StatementVersion,
)
from fusioncell.diplomacy.schemas import (
    CommentCreate,
    CommentRead,
    DiffRead,
    DiffRow,
    PartyKeyCreate,
    PartyKeyPage,
    PartyKeyRead,
    SignatureCreate,
    SignatureRead,
    StatementCreate,
    StatementPage,
    StatementRead,
    StatementSummary,
    StoredKeySignature,
    VersionCreate,
    VersionRead,
)
from fusioncell.events.representations import Representation, register
from fusioncell.runtime import Runtime, SessionDep, get_runtime

router = APIRouter(prefix="/api/v1", tags=["diplomacy"])


def envelope_view(record: Envelope) -> dict:
    return {
        "id": record.id,
        "origin_party": record.origin_party,
        "created_by": record.created_by,
        "created_at": record.created_at,
        "version": record.version,
        "status": record.status,
        "releasable_to": sorted(record.releasable_to),
        "marking": str(record.marking),
        "ledger_index": record.ledger_index,
    }


def summary_view(statement: Statement) -> dict:
    return envelope_view(statement) | {
        "title": statement.title,
        "required_parties": sorted(statement.required_parties),
        "stage": str(statement.stage),
        "latest_version": statement.latest_version,
        "published_at": statement.published_at,
        "published_version": statement.published_version,
    }


def version_view(version: StatementVersion) -> dict:
    canonical = signing.canonical_text(version.texts, statement_id=version.statement_id, version=version.number)
    return envelope_view(version) | {
        "statement_id": version.statement_id,
        "number": version.number,
        "texts": dict(version.texts),
        "note": version.note,
        "canonical_sha256": version.canonical_sha256,
        "canonical": signing.b64(canonical),
    }


def signature_view(row: StatementSignature) -> dict:
    fields = ("statement_id", "version_number", "party", "key_id", "signature", "signed_by", "void")
    return envelope_view(row) | {name: getattr(row, name) for name in fields}


def comment_view(row: StatementComment) -> dict:
    fields = ("statement_id", "version_number", "paragraph", "text")
    return envelope_view(row) | {name: getattr(row, name) for name in fields}


def party_key_view(key: PartyKey) -> dict:
    fields = ("party", "public_key", "key_id", "revoked_at")
    return envelope_view(key) | {name: getattr(key, name) for name in fields} | {"stored": key.stored}


def statement_read(session: Session, statement: Statement) -> StatementRead:
    return StatementRead.model_validate(
        summary_view(statement)
        | {
            "versions": [version_view(v) for v in service.versions_of(session, statement)],
            "signatures": [signature_view(s) for s in service.signatures_of(session, statement)],
            "comments": [comment_view(c) for c in service.comments_of(session, statement)],
            "missing_signatures": sorted(service.missing_signatures(session, statement)),
        }
    )


@router.get("/statements", response_model=StatementPage)
def list_statements(
    cursor: uuid.UUID | None = None,
    limit: int = Query(default=50, ge=1, le=200),
    caller: Caller = CallerDep,
    session: Session = SessionDep,
):
    found = service.list_statements(session, subject=caller.subject, before=cursor, limit=limit)
    return StatementPage(
        items=[StatementSummary.model_validate(summary_view(s)) for s in found],
        next_cursor=found[-1].id if len(found) == limit else None,
    )


@router.post("/statements", response_model=StatementRead, status_code=201)
def draft_statement(
    body: StatementCreate,
    caller: Caller = CallerDep,
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
):
    """Draft a joint statement (the mediator): version 1, read by the required parties and the mediator."""
    statement = service.draft_statement(
        session,
        cell=runtime.cell,
        subject=caller.subject,
        title=body.title,
        required_parties=frozenset(body.required_parties),
        texts=body.texts,
        releasable_to=None if body.releasable_to is None else frozenset(body.releasable_to),
    )
    return statement_read(session, statement)


@router.get("/statements/{statement_id}", response_model=StatementRead)
def get_statement(statement_id: uuid.UUID, caller: Caller = CallerDep, session: Session = SessionDep):
    """The statement with every version, every signature (void ones flagged) and every comment."""
    return statement_read(
        session, service.readable_statement(session, subject=caller.subject, statement_id=statement_id)
    )


@router.post("/statements/{statement_id}/versions", response_model=VersionRead, status_code=201)
def revise_statement(
    statement_id: uuid.UUID,
    body: VersionCreate,
    caller: Caller = CallerDep,
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
):
    """A new version (the mediator); every earlier approval is void from here."""
    version = service.revise_statement(
        session, cell=runtime.cell, subject=caller.subject, statement_id=statement_id, texts=body.texts, note=body.note
    )
    return VersionRead.model_validate(version_view(version))


@router.get("/statements/{statement_id}/diff", response_model=DiffRead)
def diff_versions(
    statement_id: uuid.UUID,
    from_version: int = Query(alias="from", ge=1),
    to_version: int = Query(alias="to", ge=1),
    caller: Caller = CallerDep,
    session: Session = SessionDep,
):
    """Paragraph by paragraph, per language, from one version to another."""
    statement = service.readable_statement(session, subject=caller.subject, statement_id=statement_id)
    old = service.version_of(session, statement, from_version)
    new = service.version_of(session, statement, to_version)
    languages = sorted(set(old.texts) | set(new.texts))
    return DiffRead(
        from_version=from_version,
        to_version=to_version,
        languages={
            lang: [
                DiffRow(op=op, old=a, new=b)
                for op, a, b in paragraph_diff(old.texts.get(lang, ""), new.texts.get(lang, ""))
            ]
            for lang in languages
        },
    )


@router.post("/statements/{statement_id}/comments", response_model=CommentRead, status_code=201)
def comment(statement_id: uuid.UUID, body: CommentCreate, caller: Caller = CallerDep, session: Session = SessionDep):
    row = service.comment_on(
        session,
        subject=caller.subject,
        statement_id=statement_id,
        version=body.version,
        paragraph=body.paragraph,
        text=body.text,
    )
    return CommentRead.model_validate(comment_view(row))


@router.post("/statements/{statement_id}/signatures", response_model=SignatureRead, status_code=201)
def sign(
    statement_id: uuid.UUID,
    body: SignatureCreate,
    caller: Caller = CallerDep,
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
):
    """Your party's approval of the latest version: an Ed25519 signature over its canonical SHA-256, made
    with a key your party registered (`fusioncell statement sign` makes and sends it)."""
    row = service.sign_statement(
        session,
        cell=runtime.cell,
        subject=caller.subject,
        statement_id=statement_id,
        version=body.version,
        signature=signing.unb64(body.signature),
        key_id=body.key_id,
    )
    return SignatureRead.model_validate(signature_view(row))


@router.post("/statements/{statement_id}/signatures/stored", response_model=SignatureRead, status_code=201)
def sign_with_stored_key(
    statement_id: uuid.UUID,
    body: StoredKeySignature,
    caller: Caller = CallerDep,
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
):
    """Your party's approval with the key it keeps in the cell; your password again, to be sure it is you.
    A wrong password counts toward the account's lockout like a failed login."""
    try:
        row = service.sign_with_stored_key(
            session,
            cell=runtime.cell,
            subject=caller.subject,
            statement_id=statement_id,
            version=body.version,
            password=body.password,
            settings=runtime.settings,
        )
    except REFUSALS_ON_RECORD:
        session.commit()  # the refusal's own event (nothing else was written yet) stays on record
        raise
    return SignatureRead.model_validate(signature_view(row))


@router.post("/statements/{statement_id}/publish", response_model=StatementRead)
def publish(
    statement_id: uuid.UUID,
    caller: Caller = CallerDep,
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
):
    """Publish (the mediator) once every required party signed the latest version; immutable from then."""
    statement = service.publish_statement(session, cell=runtime.cell, subject=caller.subject, statement_id=statement_id)
    return statement_read(session, statement)


@router.get("/statements/{statement_id}/bundle")
def bundle(
    statement_id: uuid.UUID,
    caller: Caller = CallerDep,
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
) -> dict:
    """The published statement as a bundle `fusioncell statement verify` checks offline."""
    statement = service.readable_statement(session, subject=caller.subject, statement_id=statement_id)
    return publication.export_bundle(
        session, cell=runtime.cell, signer_verifier_key=runtime.vkey_in_force(session), statement=statement
    )


@router.get("/party-keys", response_model=PartyKeyPage)
def list_party_keys(
    party: str | None = Query(default=None, max_length=16),
    caller: Caller = CallerDep,
    session: Session = SessionDep,
):
    """Every party's public signing keys (they verify signatures); `party` narrows to one."""
    return PartyKeyPage(
        items=[
            PartyKeyRead.model_validate(party_key_view(k))
            for k in keys.list_party_keys(session, subject=caller.subject, party=party)
        ]
    )


@router.post("/party-keys", response_model=PartyKeyRead, status_code=201)
def register_party_key(
    body: PartyKeyCreate,
    caller: Caller = CallerDep,
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
):
    """Register a signing key of your own party (its admins); with the private half, to sign from the browser."""
    key = keys.register_party_key(
        session,
        cell=runtime.cell,
        subject=caller.subject,
        public_key=signing.unb64(body.public_key),
        private_key=None if body.private_key is None else signing.unb64(body.private_key),
        settings=runtime.settings,
    )
    return PartyKeyRead.model_validate(party_key_view(key))


@router.get("/party-keys/{key_id}", response_model=PartyKeyRead)
def get_party_key(key_id: uuid.UUID, caller: Caller = CallerDep, session: Session = SessionDep):
    return PartyKeyRead.model_validate(
        party_key_view(keys.readable_party_key(session, subject=caller.subject, key_id=key_id))
    )


def _json(model, view):
    """A stream/webhook view: the read model, as JSON."""
    return lambda record: model.model_validate(view(record)).model_dump(mode="json")


register("statement", Representation(model=Statement, view=_json(StatementSummary, summary_view)))
register("statement-version", Representation(model=StatementVersion, view=_json(VersionRead, version_view)))
register("statement-signature", Representation(model=StatementSignature, view=_json(SignatureRead, signature_view)))
register("statement-comment", Representation(model=StatementComment, view=_json(CommentRead, comment_view)))
register("party-key", Representation(model=PartyKey, view=_json(PartyKeyRead, party_key_view)))
