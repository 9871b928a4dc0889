"""signing keys: each rotation of the cell's ledger key, itself an entry of the record

Revision ID: 0022
Revises: 0021
Create Date: 2026-11-27 07:40:00
"""

import sqlalchemy as sa
from alembic import op

import fusioncell.db.types

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ledger_signing_keys",
        sa.Column("previous_vkey", sa.String(length=256), nullable=False),
        sa.Column("vkey", sa.String(length=256), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", fusioncell.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("marking", sa.String(length=24), nullable=False),
        sa.Column("ledger_index", sa.BigInteger(), nullable=True),
        sa.Column("origin_party", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("releasable_to", fusioncell.db.types.PartySet(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_signing_keys")),
        sa.UniqueConstraint("vkey", name=op.f("uq_ledger_signing_keys_vkey")),
    )


def downgrade() -> None:
    op.drop_table("ledger_signing_keys")
