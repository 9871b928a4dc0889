"""TAXII status resources: what became of each POST of objects, kept for the posting party to read.

A status is a receipt, not a shared record: it carries no envelope and no ledger entry of its own (the
objects it reports on entered the record with their report). Only the party that posted reads it; any
other party gets the 404 of a status that never existed.
"""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from fusioncell.db.base import Base, new_id
from fusioncell.db.types import UTCDateTime, utcnow


class TaxiiStatus(Base):
    __tablename__ = "taxii_statuses"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    party: Mapped[str] = mapped_column(String(16))  # who may read it
    created_by: Mapped[str] = mapped_column(String(64))
    collection_id: Mapped[str] = mapped_column(String(64))
    report_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, default=None)  # where the objects went
    request_timestamp: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    status: Mapped[str] = mapped_column(String(16), default="complete")
    total_count: Mapped[int] = mapped_column(Integer, default=0)
    success_count: Mapped[int] = mapped_column(Integer, default=0)
    failure_count: Mapped[int] = mapped_column(Integer, default=0)
    pending_count: Mapped[int] = mapped_column(Integer, default=0)
    # Lists of TAXII status details: {"id", "version"[, "message"]}.
    successes: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    failures: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    pendings: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
