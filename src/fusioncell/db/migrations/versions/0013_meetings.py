"""meetings: the diplomatic desk's meetings and their minutes

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-26 21:50:00

The minutes are kept on the meeting's row (diplomacy/meetings/models.py): each draft, approval and the
agreement is a new version of it in the record.
"""

import sqlalchemy as sa
from alembic import op

import fusioncell.db.types

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "meetings",
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("place_code", sa.String(length=64), nullable=True),
        sa.Column("venue_text", sa.Text(), nullable=True),
        sa.Column("starts_at", fusioncell.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ends_at", fusioncell.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("participants", sa.JSON(), nullable=False),
        sa.Column("agenda", sa.JSON(), nullable=False),
        sa.Column("attachment_ids", sa.JSON(), nullable=False),
        sa.Column("approving_parties", fusioncell.db.types.PartySet(), nullable=False),
        sa.Column("minutes_state", sa.String(length=16), nullable=False),
        sa.Column("minutes_draft", sa.Integer(), nullable=False),
        sa.Column("minutes_text", sa.Text(), nullable=True),
        sa.Column("minutes_drafted_by", sa.String(length=64), nullable=True),
        sa.Column("minutes_drafted_at", fusioncell.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("minutes_approvals", sa.JSON(), nullable=False),
        sa.Column("minutes_agreed_at", fusioncell.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", fusioncell.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("marking", sa.String(length=24), nullable=False),
        sa.Column("ledger_index", sa.BigInteger(), nullable=True),
        sa.Column("origin_party", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("releasable_to", fusioncell.db.types.PartySet(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meetings")),
    )
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.create_index("ix_meetings_starts_at", ["starts_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_meetings_origin_party"), ["origin_party"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_meetings_origin_party"))
        batch_op.drop_index("ix_meetings_starts_at")
    op.drop_table("meetings")
