"""Drafting, revising, commenting on, signing and publishing joint statements. Never commits.

The mediator drafts and revises; each required party approves one exact version with its Ed25519 key; a
new version voids every earlier approval; the mediator publishes once every required party has signed the
latest version, and from then on nothing about the statement changes. Every refusal happens before
anything is written, so a bad request changes nothing. Party keys are in diplomacy/keys.py, the reads in
diplomacy/queries.py (both re-exported here, the contract pages and the API code against).
"""

import uuid

from sqlalchemy.orm import Session

from fusioncell.access.models import User
from fusioncell.access.policies import speaks_on_desk
from fusioncell.access.reauth import confirm_password
from fusioncell.access.subjects import Role, Subject
from fusioncell.cell.definition import CellDefinition
from fusioncell.config import Settings
from fusioncell.db.base import Marking, Status, new_id
from fusioncell.db.types import utcnow
from fusioncell.diplomacy import signing
from fusioncell.diplomacy.diff import paragraphs
from fusioncell.diplomacy.keys import active_key, register_party_key, stored_key_of  # noqa: F401 (re-exported)
from fusioncell.diplomacy.models import (
    Statement,
    StatementComment,
    StatementSignature,
    StatementStage,
    StatementVersion,
)
from fusioncell.diplomacy.queries import (  # noqa: F401 (the service's reads, re-exported for callers)
    comments_of,
    invalid,
    list_statements,
    missing_signatures,
    readable_statement,
    signature_by,
    signatures_of,
    version_of,
    versions_of,
)
from fusioncell.errors import Conflict, Forbidden, Phrase
from fusioncell.i18n import N_
from fusioncell.ledger.service import record_change

DESK = "diplomacy"
LANGUAGES = frozenset({"en", "ar", "he"})


def can_draft(subject: Subject) -> bool:
    """Draft, revise and publish: the mediator's liaison officers, supervisors and diplomacy officers."""
    return subject.is_mediator and (
        Role.LIAISON in subject.roles or Role.SUPERVISOR in subject.roles or f"officer:{DESK}" in subject.roles
    )


def _check_texts(texts: dict[str, str]) -> None:
    if not texts:
        raise invalid({"texts": N_("give the text in at least one language (en, ar, he)")})
    unknown = sorted(set(texts) - LANGUAGES)
    if unknown:
        raise invalid(
            {"texts": Phrase(N_("unknown language {unknown} (languages: ar, en, he)"), unknown=", ".join(unknown))}
        )
    empty = sorted(lang for lang, text in texts.items() if not text.strip())
    if empty:
        raise invalid({"texts": Phrase(N_("the {empty} text is empty"), empty=", ".join(empty))})


def _readers(statement: Statement) -> frozenset[str]:
    return frozenset({statement.origin_party, *statement.releasable_to})


def _envelope_for(statement: Statement, party: str) -> dict:
    """A row under a statement is read by exactly the statement's readers."""
    return {
        "origin_party": party,
        "status": Status.RELEASED,
        "releasable_to": _readers(statement) - {party},
        "marking": statement.marking,
    }


def _new_version(
    statement: Statement, *, number: int, texts: dict[str, str], note: str, author: str
) -> StatementVersion:
    sha = signing.digest(texts, statement_id=statement.id, version=number).hex()
    return StatementVersion(
        statement_id=statement.id,
        number=number,
        texts=dict(texts),
        note=note,
        canonical_sha256=sha,
        created_by=author,
        **_envelope_for(statement, statement.origin_party),
    )


def draft_statement(
    session: Session,
    *,
    cell: CellDefinition,
    subject: Subject,
    title: str,
    required_parties: frozenset[str],
    texts: dict[str, str],
    releasable_to: frozenset[str] | None = None,
) -> Statement:
    """Version 1, readable at once by the required parties and the mediator (and whom else it names)."""
    if not can_draft(subject):
        raise Forbidden(
            N_("joint statements are drafted by the mediator's liaison officers, supervisors and diplomacy officers")
        )
    problems = {}
    if not title.strip():
        problems["title"] = N_("the title is empty")
    if not required_parties:
        problems["required_parties"] = N_("name at least one party whose signature the statement needs")
    for field, parties in (("required_parties", required_parties), ("releasable_to", releasable_to or frozenset())):
        unknown = sorted(parties - cell.party_codes)
        if unknown:
            problems[field] = Phrase(
                N_("unknown party {unknown} (parties: {party_codes})"),
                unknown=", ".join(unknown),
                party_codes=", ".join(sorted(cell.party_codes)),
            )
    if problems:
        raise invalid(problems)
    _check_texts(texts)
    statement = Statement(
        id=new_id(),
        title=title.strip(),
        required_parties=frozenset(required_parties),
        stage=StatementStage.DRAFTING,
        latest_version=1,
        origin_party=subject.party,
        created_by=subject.username,
        status=Status.RELEASED,
        releasable_to=(frozenset(required_parties) | (releasable_to or frozenset())) - {subject.party},
        marking=Marking.AMBER,
    )
    session.add(statement)
    record_change(session, record=statement, action="statement-drafted", actor=subject.username, party=subject.party)
    version = _new_version(statement, number=1, texts=texts, note="", author=subject.username)
    session.add(version)
    record_change(
        session, record=version, action="statement-version-added", actor=subject.username, party=subject.party
    )
    return statement


def _mediators_own(subject: Subject, statement: Statement) -> None:
    if not can_draft(subject) or statement.origin_party != subject.party:
        raise Forbidden(
            N_("only the mediator's liaison officers, supervisors and diplomacy officers change a statement")
        )


def _still_drafting(statement: Statement) -> None:
    if statement.stage == StatementStage.PUBLISHED:
        raise Conflict(
            N_("the statement was published (version {published_version}); it cannot change"),
            published_version=statement.published_version,
        )


def revise_statement(
    session: Session,
    *,
    cell: CellDefinition,
    subject: Subject,
    statement_id: uuid.UUID,
    texts: dict[str, str],
    note: str = "",
) -> StatementVersion:
    """A new numbered version; every approval of an earlier version is void from here."""
    statement = readable_statement(session, subject=subject, statement_id=statement_id)
    _mediators_own(subject, statement)
    _still_drafting(statement)
    _check_texts(texts)
    number = statement.latest_version + 1
    for signature in signatures_of(session, statement):
        if not signature.void:
            signature.void = True
            signature.version += 1
            record_change(
                session,
                record=signature,
                action="statement-signature-voided",
                actor=subject.username,
                party=subject.party,
            )
    version = _new_version(statement, number=number, texts=texts, note=note, author=subject.username)
    session.add(version)
    record_change(
        session, record=version, action="statement-version-added", actor=subject.username, party=subject.party
    )
    statement.latest_version = number
    statement.version += 1
    record_change(session, record=statement, action="statement-revised", actor=subject.username, party=subject.party)
    return version


def comment_on(
    session: Session, *, subject: Subject, statement_id: uuid.UUID, version: int, paragraph: int, text: str
) -> StatementComment:
    statement = readable_statement(session, subject=subject, statement_id=statement_id)
    if not speaks_on_desk(subject, DESK):
        raise Forbidden(N_("comments are made by liaison officers and diplomacy officers"))
    _still_drafting(statement)
    commented = version_of(session, statement, version)
    count = max(len(paragraphs(t)) for t in commented.texts.values())
    if not 1 <= paragraph <= count:
        raise invalid(
            {"paragraph": Phrase(N_("version {version} has paragraphs 1 to {count}"), version=version, count=count)}
        )
    if not text.strip():
        raise invalid({"text": N_("the comment is empty")})
    comment = StatementComment(
        statement_id=statement.id,
        version_number=version,
        paragraph=paragraph,
        text=text.strip(),
        created_by=subject.username,
        **_envelope_for(statement, subject.party),
    )
    session.add(comment)
    record_change(session, record=comment, action="statement-commented", actor=subject.username, party=subject.party)
    return comment


def _signable(
    session: Session, subject: Subject, statement_id: uuid.UUID, version: int
) -> tuple[Statement, StatementVersion]:
    """The checks every approval passes before any key is looked at."""
    statement = readable_statement(session, subject=subject, statement_id=statement_id)
    if subject.party not in statement.required_parties:
        raise Forbidden(N_("{party} is not a party whose signature this statement requires"), party=subject.party)
    if not speaks_on_desk(subject, DESK):
        raise Forbidden(N_("a party's approval is given by its liaison officers and diplomacy officers"))
    _still_drafting(statement)
    signed = version_of(session, statement, version)
    if version != statement.latest_version:
        raise Conflict(
            N_("version {version} is not the latest; sign version {latest_version}"),
            version=version,
            latest_version=statement.latest_version,
        )
    if signature_by(session, statement, version, subject.party) is not None:
        raise Conflict(N_("{party} has signed version {version} already"), party=subject.party, version=version)
    return statement, signed


def _record_signature(
    session: Session, subject: Subject, statement: Statement, version: int, key_id: str, signature: bytes
) -> StatementSignature:
    row = StatementSignature(
        statement_id=statement.id,
        version_number=version,
        party=subject.party,
        key_id=key_id,
        signature=signing.b64(signature),
        signed_by=subject.username,
        void=False,
        created_by=subject.username,
        **_envelope_for(statement, subject.party),
    )
    session.add(row)
    record_change(session, record=row, action="statement-signed", actor=subject.username, party=subject.party)
    return row


def sign_statement(
    session: Session,
    *,
    cell: CellDefinition,
    subject: Subject,
    statement_id: uuid.UUID,
    version: int,
    signature: bytes,
    key_id: str,
) -> StatementSignature:
    """Record a signature made outside the cell (a key file): it must verify with the party's key."""
    statement, signed = _signable(session, subject, statement_id, version)
    key = active_key(session, party=subject.party, key_id=key_id)
    if key is None:
        raise invalid(
            {
                "key_id": Phrase(
                    N_("{key_id!r} is not a registered, unrevoked key of {party}"), key_id=key_id, party=subject.party
                )
            }
        )
    if not signing.verify(signing.unb64(key.public_key), signature, bytes.fromhex(signed.canonical_sha256)):
        raise invalid(
            {
                "signature": Phrase(
                    N_("the signature does not verify with key {key_id} over version {version}"),
                    key_id=key_id,
                    version=version,
                )
            }
        )
    return _record_signature(session, subject, statement, version, key.key_id, signature)


def sign_with_stored_key(
    session: Session,
    *,
    cell: CellDefinition,
    subject: Subject,
    statement_id: uuid.UUID,
    version: int,
    password: str,
    settings: Settings | None = None,
) -> StatementSignature:
    """Sign with the key the party stored in the cell, once the user has given their password again."""
    statement, signed = _signable(session, subject, statement_id, version)
    user = session.get(User, subject.user_id)
    confirm_password(session, user=user, password=password, act="signed", settings=settings)
    key, private_key = stored_key_of(session, party=subject.party, settings=settings)
    signature = signing.sign(private_key, bytes.fromhex(signed.canonical_sha256))
    return _record_signature(session, subject, statement, version, key.key_id, signature)


def publish_statement(
    session: Session, *, cell: CellDefinition, subject: Subject, statement_id: uuid.UUID
) -> Statement:
    statement = readable_statement(session, subject=subject, statement_id=statement_id)
    _mediators_own(subject, statement)
    _still_drafting(statement)
    missing = missing_signatures(session, statement)
    if missing:
        raise Conflict(
            N_("version {latest_version} still needs the signature of {missing}"),
            latest_version=statement.latest_version,
            missing=", ".join(sorted(missing)),
            details={"version": statement.latest_version, "missing": sorted(missing)},
        )
    statement.stage = StatementStage.PUBLISHED
    statement.published_at = utcnow()
    statement.published_version = statement.latest_version
    statement.version += 1
    record_change(session, record=statement, action="statement-published", actor=subject.username, party=subject.party)
    return statement
