"""witnesses: the cosignatures each party's witness gave the cell's checkpoints

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-27 01:00:00
"""

import sqlalchemy as sa
from alembic import op

import fusioncell.db.types

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ledger_cosignatures",
        sa.Column("size", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("witness", sa.String(length=64), nullable=False),
        sa.Column("timestamp", sa.BigInteger(), nullable=False),
        sa.Column("line", sa.Text(), nullable=False),
        sa.Column("received_at", fusioncell.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("size", "witness", name=op.f("pk_ledger_cosignatures")),
    )
    op.create_table(
        "ledger_witness_status",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("cosigned_size", sa.BigInteger(), nullable=False),
        sa.Column("cosigned_at", fusioncell.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("attempted_at", fusioncell.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("attempted_size", sa.BigInteger(), nullable=True),
        sa.Column("refusal", sa.Text(), nullable=True),
        sa.Column("refused_at", fusioncell.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_ledger_witness_status")),
    )


def downgrade() -> None:
    op.drop_table("ledger_witness_status")
    op.drop_table("ledger_cosignatures")
