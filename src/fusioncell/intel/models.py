"""The intelligence desk's records: a report's envelope, the STIX objects it carries, and the keys the
desk correlates reports by.

An `IntelReport` is what the releasability rule and the record see: one envelope (author party, audience,
TLP, status) around the STIX objects its author released together — a composed report, an uploaded bundle,
a TAXII POST, a tearline, or an answer (a sighting or an opinion) to another report. Its objects are rows
of `IntelObject`, each carrying a copy of the envelope's readers so TAXII and exports filter objects in SQL
by the one rule; the report's ledger content digests every object (body and copied envelope), so `ledger
audit` sees an object changed, added or removed behind the application's back.
"""

import hashlib
import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint, select
from sqlalchemy.orm import Mapped, mapped_column, object_session

from fusioncell.db.base import Base, Envelope, Releasable, iso
from fusioncell.db.types import UTCDateTime


class ReportKind(StrEnum):
    REPORT = "report"  # composed in the cell, or an uploaded bundle
    TEARLINE = "tearline"  # a sanitised version of another report for a wider audience
    TEARLINE_LINK = "tearline-link"  # the derived-from relationship, held under the original's audience
    SIGHTING = "sighting"  # "we saw this too"
    OPINION = "opinion"  # agree / disagree
    UPLOAD = "upload"  # a TAXII POST


class IntelReport(Base, Envelope):
    __tablename__ = "intel_reports"
    __table_args__ = (Index("ix_intel_reports_status_id", "status", "id"),)
    record_kind = "intel-report"

    kind: Mapped[ReportKind] = mapped_column(String(16), default=ReportKind.REPORT)
    title: Mapped[str] = mapped_column(String(300))
    summary: Mapped[str] = mapped_column(Text, default="")
    stix_id: Mapped[str | None] = mapped_column(String(80), default=None)  # its STIX report object, if any
    collection: Mapped[str | None] = mapped_column(String(64), default=None, index=True)  # TAXII audience
    # The Admiralty code: reliability of the source (A-F), credibility of the information (1-6).
    source_reliability: Mapped[str] = mapped_column(String(1), default="F")
    credibility: Mapped[str] = mapped_column(String(1), default="6")
    source_description: Mapped[str] = mapped_column(Text, default="")
    derived_from_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("intel_reports.id"), default=None, index=True)
    answers_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("intel_reports.id"), default=None, index=True)
    # Four eyes on TLP:RED: one officer asks to release, a second of the same party approves.
    release_requested_by: Mapped[str | None] = mapped_column(String(64), default=None)
    release_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    second_approved_by: Mapped[str | None] = mapped_column(String(64), default=None)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)  # to the mediator
    approved_by: Mapped[str | None] = mapped_column(String(64), default=None)
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    returned_reason: Mapped[str | None] = mapped_column(Text, default=None)
    retracted_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    retraction_reason: Mapped[str | None] = mapped_column(Text, default=None)

    @property
    def admiralty_code(self) -> str:
        return f"{self.source_reliability}{self.credibility}"

    def readers(self, mediator: str) -> frozenset[str]:
        return frozenset({self.origin_party, mediator} | set(self.releasable_to))

    def ledger_content(self) -> dict[str, Any]:
        return self.envelope_content() | {
            "kind": str(self.kind),
            "title": self.title,
            "summary": self.summary,
            "stix_id": self.stix_id,
            "collection": self.collection,
            "admiralty": self.admiralty_code,
            "source_description": self.source_description,
            "derived_from_id": None if self.derived_from_id is None else str(self.derived_from_id),
            "answers_id": None if self.answers_id is None else str(self.answers_id),
            "release_requested_by": self.release_requested_by,
            "release_requested_at": iso(self.release_requested_at),
            "second_approved_by": self.second_approved_by,
            "submitted_at": iso(self.submitted_at),
            "approved_by": self.approved_by,
            "released_at": iso(self.released_at),
            "returned_reason": self.returned_reason,
            "retracted_at": iso(self.retracted_at),
            "retraction_reason": self.retraction_reason,
            "objects": self._objects_digest(),
        }

    def _objects_digest(self) -> str:
        """One digest over every object row of the report, in seq order, with the envelope each carries."""
        session = object_session(self)
        digest = hashlib.sha256()
        if session is None:
            return digest.hexdigest()
        rows = session.execute(
            select(
                IntelObject.stix_id,
                IntelObject.version,
                IntelObject.body_sha256,
                IntelObject.origin_party,
                IntelObject.status,
                IntelObject.releasable_to,
                IntelObject.collection,
            )
            .where(IntelObject.report_id == self.id)
            .order_by(IntelObject.seq)
        )
        for stix_id, version, body_sha256, origin, status, releasable_to, collection in rows:
            line = "\t".join([stix_id, version, body_sha256, origin, str(status), ",".join(sorted(releasable_to))])
            digest.update(f"{line}\t{collection or ''}\n".encode())
        return digest.hexdigest()


class IntelObject(Base, Releasable):
    """One STIX object (one version of it) as stored and served: `body` is its JSON text, exactly."""

    __tablename__ = "intel_objects"
    __table_args__ = (
        UniqueConstraint("origin_party", "stix_id", "version", name="uq_intel_objects_version"),
        Index("ix_intel_objects_collection_seq", "collection", "seq"),
        Index("ix_intel_objects_stix_id", "stix_id"),
    )

    # Strictly increasing: the order TAXII pages in and its `next` cursor.
    seq: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True)
    report_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("intel_reports.id"), index=True)
    stix_id: Mapped[str] = mapped_column(String(300))
    stix_type: Mapped[str] = mapped_column(String(250))
    spec_version: Mapped[str] = mapped_column(String(8), default="2.1")
    version: Mapped[str] = mapped_column(String(40))  # modified, else created, else date added
    is_latest: Mapped[bool] = mapped_column(Boolean, default=True)  # the newest version of its author's
    collection: Mapped[str | None] = mapped_column(String(64), default=None)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime())  # TAXII date_added
    body: Mapped[str] = mapped_column(Text)
    body_sha256: Mapped[str] = mapped_column(String(64))


class KeyKind(StrEnum):
    VALUE = "value"  # an observable value: an address, a domain, a hash, a URL
    ACTOR = "actor"  # a threat actor's name or alias
    PLACE = "place"  # a location with a time


class IntelKey(Base):
    """What a report can be correlated by. Derived from its objects when stored; never read on its own,
    only joined to reports the reader may read. The place index covers everything the box prefilter reads
    (bench/intel_correlation.py: a place lookup on SQLite went from about 52 ms to 18 ms at 100k reports)."""

    __tablename__ = "intel_keys"
    __table_args__ = (
        Index("ix_intel_keys_kind_key", "kind", "key"),
        Index("ix_intel_keys_place", "kind", "lat", "lon", "at", "report_id"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True)
    report_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("intel_reports.id"), index=True)
    kind: Mapped[KeyKind] = mapped_column(String(8))
    key: Mapped[str] = mapped_column(String(512))  # normalised value or name; for a place, a label
    lat: Mapped[float | None] = mapped_column(default=None)
    lon: Mapped[float | None] = mapped_column(default=None)
    at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
