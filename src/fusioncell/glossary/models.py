"""The cell's agreed trilingual glossary: terms, their numbered versions, and the principals' approvals.

A term is never edited in place. The mediator proposes version 1 and revises by adding versions; each
version is agreed once every required principal party has approved that exact version. The term keeps
pointing at its agreed version (`agreed_version`) while a newer one waits for approval, so the wording
the cell agreed stays the wording highlighted. Every row carries the envelope (released by the mediator to
every party of the cell: the glossary is shared vocabulary) and enters the record.
"""

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from fusioncell.db.base import Base, Envelope, iso
from fusioncell.db.types import PartySet, UTCDateTime

LANGUAGES = ("en", "ar", "he")  # the cell's working languages, in the order the glossary shows them


class TermState(StrEnum):
    PROPOSED = "proposed"  # no version agreed yet: the first one waits for the principals' approval
    AGREED = "agreed"  # the latest version is the agreed one
    REVISED = "revised"  # an agreed version stands while a newer version waits for approval


class VersionState(StrEnum):
    AGREED = "agreed"  # the term's agreed version: the one highlighted
    AWAITING = "awaiting"  # the latest version, not (yet) approved by every required party
    SUPERSEDED = "superseded"  # agreed once, replaced by a later agreed version
    REPLACED = "replaced"  # never agreed: a newer version was proposed before it was


class GlossaryTerm(Base, Envelope):
    __tablename__ = "glossary_terms"
    __table_args__ = (UniqueConstraint("key", name="uq_glossary_terms_key"),)
    record_kind = "glossary-term"

    key: Mapped[str] = mapped_column(String(64))
    required_parties: Mapped[frozenset[str]] = mapped_column(PartySet(), default=frozenset)
    latest_version: Mapped[int] = mapped_column(Integer, default=1)
    agreed_version: Mapped[int | None] = mapped_column(Integer, default=None)
    agreed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)

    @property
    def state(self) -> TermState:
        if self.agreed_version is None:
            return TermState.PROPOSED
        return TermState.AGREED if self.agreed_version == self.latest_version else TermState.REVISED

    def ledger_content(self) -> dict[str, Any]:
        return self.envelope_content() | {
            "key": self.key,
            "required_parties": sorted(self.required_parties),
            "latest_version": self.latest_version,
            "agreed_version": self.agreed_version,
            "agreed_at": iso(self.agreed_at),
        }


class GlossaryVersion(Base, Envelope):
    """One numbered wording of a term in the three languages, with the variants the highlighter matches."""

    __tablename__ = "glossary_versions"
    __table_args__ = (UniqueConstraint("term_id", "number", name="uq_glossary_versions_number"),)
    record_kind = "glossary-version"

    term_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("glossary_terms.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    wording: Mapped[dict] = mapped_column(JSON)  # {en, ar, he: the agreed wording}
    variants: Mapped[dict] = mapped_column(JSON)  # {en, ar, he: [other forms to match]}
    note: Mapped[str] = mapped_column(Text, default="")
    agreed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)

    def forms(self, language: str) -> list[str]:
        """The wording and its variants in one language: every form the highlighter looks for."""
        return [self.wording[language], *self.variants.get(language, [])]

    def ledger_content(self) -> dict[str, Any]:
        return self.envelope_content() | {
            "term_id": str(self.term_id),
            "number": self.number,
            "wording": {lang: self.wording[lang] for lang in sorted(self.wording)},
            "variants": {lang: list(self.variants[lang]) for lang in sorted(self.variants)},
            "note": self.note,
            "agreed_at": iso(self.agreed_at),
        }


class GlossaryApproval(Base, Envelope):
    """A principal party's approval of one exact version of a term."""

    __tablename__ = "glossary_approvals"
    __table_args__ = (UniqueConstraint("term_id", "version_number", "party", name="uq_glossary_approvals_once"),)
    record_kind = "glossary-approval"

    term_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("glossary_terms.id"), index=True)
    version_number: Mapped[int] = mapped_column(Integer)
    party: Mapped[str] = mapped_column(String(16))
    approved_by: Mapped[str] = mapped_column(String(64))

    def ledger_content(self) -> dict[str, Any]:
        return self.envelope_content() | {
            "term_id": str(self.term_id),
            "version_number": self.version_number,
            "party": self.party,
            "approved_by": self.approved_by,
        }
