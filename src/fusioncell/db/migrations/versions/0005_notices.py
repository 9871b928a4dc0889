"""deconfliction notices and their acknowledgements

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26 15:37:43.447555
"""

import sqlalchemy as sa
from alembic import op

import fusioncell.db.types

revision = "0005"
# Written beside 0004_incidents (both from 0003); chained after it so the tree has one head.
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "notices",
        sa.Column("activity", sa.String(length=32), nullable=False),
        sa.Column("area", sa.JSON(), nullable=False),
        sa.Column("circle_lat", sa.Float(), nullable=True),
        sa.Column("circle_lon", sa.Float(), nullable=True),
        sa.Column("circle_radius_km", sa.Float(), nullable=True),
        sa.Column("west", sa.Float(), nullable=False),
        sa.Column("south", sa.Float(), nullable=False),
        sa.Column("east", sa.Float(), nullable=False),
        sa.Column("north", sa.Float(), nullable=False),
        sa.Column("starts_at", fusioncell.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ends_at", fusioncell.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("altitude_min_m", sa.Integer(), nullable=True),
        sa.Column("altitude_max_m", sa.Integer(), nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("findings", sa.JSON(), nullable=False),
        sa.Column("ack_parties", fusioncell.db.types.PartySet(), nullable=False),
        sa.Column("released_at", fusioncell.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("retracted_at", fusioncell.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("retraction_reason", sa.Text(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", fusioncell.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("marking", sa.String(length=24), nullable=False),
        sa.Column("ledger_index", sa.BigInteger(), nullable=True),
        sa.Column("origin_party", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("releasable_to", fusioncell.db.types.PartySet(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notices")),
    )
    with op.batch_alter_table("notices", schema=None) as batch_op:
        batch_op.create_index("ix_notices_ends_at", ["ends_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_notices_origin_party"), ["origin_party"], unique=False)
        batch_op.create_index("ix_notices_window", ["starts_at", "ends_at"], unique=False)

    op.create_table(
        "notice_acknowledgements",
        sa.Column("notice_id", sa.Uuid(), nullable=False),
        sa.Column("party", sa.String(length=16), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", fusioncell.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("marking", sa.String(length=24), nullable=False),
        sa.Column("ledger_index", sa.BigInteger(), nullable=True),
        sa.Column("origin_party", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("releasable_to", fusioncell.db.types.PartySet(), nullable=False),
        sa.ForeignKeyConstraint(
            ["notice_id"], ["notices.id"], name=op.f("fk_notice_acknowledgements_notice_id_notices")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notice_acknowledgements")),
        sa.UniqueConstraint("notice_id", "party", name="uq_notice_acknowledgements_once"),
    )
    with op.batch_alter_table("notice_acknowledgements", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_notice_acknowledgements_notice_id"), ["notice_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_notice_acknowledgements_origin_party"), ["origin_party"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("notice_acknowledgements", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notice_acknowledgements_origin_party"))
        batch_op.drop_index(batch_op.f("ix_notice_acknowledgements_notice_id"))

    op.drop_table("notice_acknowledgements")
    with op.batch_alter_table("notices", schema=None) as batch_op:
        batch_op.drop_index("ix_notices_window")
        batch_op.drop_index(batch_op.f("ix_notices_origin_party"))
        batch_op.drop_index("ix_notices_ends_at")

    op.drop_table("notices")
