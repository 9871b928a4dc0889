"""fusions: duplicate incident reports proposed as one event, decided by the mediator

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-26 18:20:00
"""

import sqlalchemy as sa
from alembic import op

import fusioncell.db.types

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "fusions",
        sa.Column("stage", sa.String(length=16), nullable=False),
        sa.Column("extends_id", sa.Uuid(), nullable=True),
        sa.Column("occurred_at", fusioncell.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("occurred_until", fusioncell.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("type", sa.String(length=64), nullable=False),
        sa.Column("severity", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("decided_by", sa.String(length=64), nullable=True),
        sa.Column("decided_at", fusioncell.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", fusioncell.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("marking", sa.String(length=24), nullable=False),
        sa.Column("ledger_index", sa.BigInteger(), nullable=True),
        sa.Column("origin_party", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("releasable_to", fusioncell.db.types.PartySet(), nullable=False),
        sa.ForeignKeyConstraint(["extends_id"], ["fusions.id"], name=op.f("fk_fusions_extends_id_fusions")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fusions")),
    )
    with op.batch_alter_table("fusions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_fusions_stage"), ["stage"], unique=False)
        batch_op.create_index(batch_op.f("ix_fusions_origin_party"), ["origin_party"], unique=False)

    op.create_table(
        "fusion_members",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("fusion_id", sa.Uuid(), nullable=False),
        sa.Column("incident_id", sa.Uuid(), nullable=False),
        sa.Column("origin_party", sa.String(length=16), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("minutes_apart", sa.Float(), nullable=True),
        sa.Column("km_apart", sa.Float(), nullable=True),
        sa.Column("added_at", fusioncell.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["fusion_id"], ["fusions.id"], name=op.f("fk_fusion_members_fusion_id_fusions")),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incidents.id"], name=op.f("fk_fusion_members_incident_id_incidents")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fusion_members")),
        sa.UniqueConstraint("fusion_id", "incident_id", name="uq_fusion_members_once"),
    )
    with op.batch_alter_table("fusion_members", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_fusion_members_fusion_id"), ["fusion_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_fusion_members_incident_id"), ["incident_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("fusion_members", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_fusion_members_incident_id"))
        batch_op.drop_index(batch_op.f("ix_fusion_members_fusion_id"))
    op.drop_table("fusion_members")
    with op.batch_alter_table("fusions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_fusions_origin_party"))
        batch_op.drop_index(batch_op.f("ix_fusions_stage"))
    op.drop_table("fusions")
