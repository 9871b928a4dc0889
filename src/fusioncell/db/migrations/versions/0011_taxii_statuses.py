"""taxii: status resources of TAXII POSTs

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-26 20:50:00

A status is read by its id and answered only to the party that posted (taxii/models.py).
"""

import sqlalchemy as sa
from alembic import op

import fusioncell.db.types

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "taxii_statuses",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("party", sa.String(length=16), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("collection_id", sa.String(length=64), nullable=False),
        sa.Column("report_id", sa.Uuid(), nullable=True),
        sa.Column("request_timestamp", fusioncell.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("total_count", sa.Integer(), nullable=False),
        sa.Column("success_count", sa.Integer(), nullable=False),
        sa.Column("failure_count", sa.Integer(), nullable=False),
        sa.Column("pending_count", sa.Integer(), nullable=False),
        sa.Column("successes", sa.JSON(), nullable=False),
        sa.Column("failures", sa.JSON(), nullable=False),
        sa.Column("pendings", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_taxii_statuses")),
    )


def downgrade() -> None:
    op.drop_table("taxii_statuses")
