"""What the API, pages and exports read of joint statements. Each statement is found through the
releasability rule (access/rule.py); what hangs under it (versions, signatures, comments) shares its readers."""

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from fusioncell import validation_messages
from fusioncell.access.rule import readable
from fusioncell.access.subjects import Subject
from fusioncell.diplomacy.models import Statement, StatementComment, StatementSignature, StatementVersion
from fusioncell.errors import Invalid, NotFound, Phrase
from fusioncell.i18n import N_


def invalid(problems: dict[str, str]) -> Invalid:
    """The one 422 shape: each problem at its field as the request body names it."""
    return validation_messages.invalid(problems, prefix="body.")


def readable_statement(session: Session, *, subject: Subject, statement_id: uuid.UUID) -> Statement:
    statement = session.execute(
        select(Statement).where(Statement.id == statement_id, readable(subject, Statement))
    ).scalar_one_or_none()
    if statement is None:
        raise NotFound()
    return statement


def list_statements(
    session: Session, *, subject: Subject, before: uuid.UUID | None = None, limit: int = 50
) -> list[Statement]:
    """Newest first; ids are UUIDv7, so they serve as the cursor."""
    query = select(Statement).where(readable(subject, Statement))
    if before is not None:
        query = query.where(Statement.id < before)
    return list(session.execute(query.order_by(Statement.id.desc()).limit(limit)).scalars())


def version_of(session: Session, statement: Statement, number: int) -> StatementVersion:
    version = session.execute(
        select(StatementVersion).where(StatementVersion.statement_id == statement.id, StatementVersion.number == number)
    ).scalar_one_or_none()
    if version is None:
        raise invalid(
            {
                "version": Phrase(
                    N_("the statement has versions 1 to {latest_version}"), latest_version=statement.latest_version
                )
            }
        )
    return version


def signature_by(session: Session, statement: Statement, version: int, party: str) -> StatementSignature | None:
    return session.execute(
        select(StatementSignature).where(
            StatementSignature.statement_id == statement.id,
            StatementSignature.version_number == version,
            StatementSignature.party == party,
        )
    ).scalar_one_or_none()


def missing_signatures(session: Session, statement: Statement) -> frozenset[str]:
    signed = {
        s.party
        for s in signatures_of(session, statement)
        if s.version_number == statement.latest_version and not s.void
    }
    return frozenset(statement.required_parties) - signed


def versions_of(session: Session, statement: Statement) -> list[StatementVersion]:
    query = select(StatementVersion).where(StatementVersion.statement_id == statement.id)
    return list(session.execute(query.order_by(StatementVersion.number)).scalars())


def signatures_of(session: Session, statement: Statement) -> list[StatementSignature]:
    query = select(StatementSignature).where(StatementSignature.statement_id == statement.id)
    return list(session.execute(query.order_by(StatementSignature.version_number, StatementSignature.party)).scalars())


def comments_of(session: Session, statement: Statement) -> list[StatementComment]:
    query = select(StatementComment).where(StatementComment.statement_id == statement.id)
    return list(
        session.execute(
            query.order_by(StatementComment.version_number, StatementComment.paragraph, StatementComment.id)
        ).scalars()
    )
