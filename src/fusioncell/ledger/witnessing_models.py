"""What the witnesses said: their cosignatures of the cell's checkpoints, and where each one stands.

Neither table is in the record: a cosignature verifies on its own (it is the witness's signature), and a
witness's status is operational state the cell may lose without harm (it relearns sizes from 409s).
"""

from datetime import datetime

from sqlalchemy import BigInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from fusioncell.db.base import Base
from fusioncell.db.types import UTCDateTime, utcnow


class Cosignature(Base):
    """One witness's cosignature line on the checkpoint of one size, appended to that note when served."""

    __tablename__ = "ledger_cosignatures"

    size: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    witness: Mapped[str] = mapped_column(String(64), primary_key=True)
    timestamp: Mapped[int] = mapped_column(BigInteger)  # seconds since the epoch, as the witness signed it
    line: Mapped[str] = mapped_column(Text)  # the signature line, newline included
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class WitnessStatus(Base):
    """The size a witness last cosigned (the old size of the next push) and how the last push went."""

    __tablename__ = "ledger_witness_status"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    cosigned_size: Mapped[int] = mapped_column(BigInteger, default=0)
    cosigned_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    attempted_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    attempted_size: Mapped[int | None] = mapped_column(BigInteger, default=None)
    refusal: Mapped[str | None] = mapped_column(Text, default=None)  # the last refusal or error; None after success
    refused_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
