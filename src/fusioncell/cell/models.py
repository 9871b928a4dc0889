"""The cell definition in force, kept in the database and in the record."""

from typing import Any

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from fusioncell.db.base import Base, Envelope


class CellRecord(Base, Envelope):
    __tablename__ = "cells"
    record_kind = "cell"

    code: Mapped[str] = mapped_column(String(64))
    definition: Mapped[str] = mapped_column(Text)  # the validated definition as JSON
    source: Mapped[str] = mapped_column(Text)  # the YAML as the operator wrote it

    def ledger_content(self) -> dict[str, Any]:
        return self.envelope_content() | {
            "code": self.code,
            "definition": self.definition,
            "source": self.source,
        }
