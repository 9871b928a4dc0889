"""verification: force-posture declarations, inspections and the withdrawal tracker's positions

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26 17:55:00
"""

import sqlalchemy as sa
from alembic import op

import fusioncell.db.types

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def _envelope() -> list[sa.Column]:
    return [
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", fusioncell.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("marking", sa.String(length=24), nullable=False),
        sa.Column("ledger_index", sa.BigInteger(), nullable=True),
        sa.Column("origin_party", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("releasable_to", fusioncell.db.types.PartySet(), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "posture_declarations",
        sa.Column("zone", sa.String(length=64), nullable=False),
        sa.Column("as_of", fusioncell.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("troops", sa.Integer(), nullable=False),
        sa.Column("tanks", sa.Integer(), nullable=False),
        sa.Column("artillery", sa.Integer(), nullable=False),
        sa.Column("heavy_artillery", sa.Integer(), nullable=False),
        sa.Column("missiles", sa.Integer(), nullable=False),
        sa.Column("remarks", sa.Text(), nullable=True),
        sa.Column("findings", sa.JSON(), nullable=False),
        sa.Column("over_limit", sa.Boolean(), nullable=False),
        *_envelope(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_posture_declarations")),
    )
    with op.batch_alter_table("posture_declarations", schema=None) as batch_op:
        batch_op.create_index("ix_posture_declarations_zone", ["zone"], unique=False)
        batch_op.create_index(batch_op.f("ix_posture_declarations_origin_party"), ["origin_party"], unique=False)

    op.create_table(
        "inspections",
        sa.Column("zones", fusioncell.db.types.PartySet(), nullable=False),
        sa.Column("inspected_at", fusioncell.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("position_id", sa.Uuid(), nullable=True),
        sa.Column("declaration_id", sa.Uuid(), nullable=True),
        sa.Column("findings", sa.JSON(), nullable=False),
        sa.Column("reported_result", sa.String(length=16), nullable=False),
        sa.Column("result", sa.String(length=16), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        *_envelope(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspections")),
    )
    with op.batch_alter_table("inspections", schema=None) as batch_op:
        batch_op.create_index("ix_inspections_inspected_at", ["inspected_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_inspections_origin_party"), ["origin_party"], unique=False)

    op.create_table(
        "positions",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("holding_party", sa.String(length=16), nullable=False),
        sa.Column("location", sa.JSON(), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("zones", fusioncell.db.types.PartySet(), nullable=False),
        sa.Column("side", sa.String(length=64), nullable=True),
        sa.Column("stage", sa.String(length=16), nullable=False),
        sa.Column("due_at", fusioncell.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("scheduled_at", fusioncell.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("withdrawn_at", fusioncell.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("verified_at", fusioncell.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("milestones", sa.JSON(), nullable=False),
        *_envelope(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_positions")),
    )
    with op.batch_alter_table("positions", schema=None) as batch_op:
        batch_op.create_index("ix_positions_stage", ["stage"], unique=False)
        batch_op.create_index(batch_op.f("ix_positions_origin_party"), ["origin_party"], unique=False)


def downgrade() -> None:
    for table, indexes in (
        ("positions", ("ix_positions_stage", "ix_positions_origin_party")),
        ("inspections", ("ix_inspections_inspected_at", "ix_inspections_origin_party")),
        ("posture_declarations", ("ix_posture_declarations_zone", "ix_posture_declarations_origin_party")),
    ):
        with op.batch_alter_table(table, schema=None) as batch_op:
            for index in indexes:
                batch_op.drop_index(index)
        op.drop_table(table)
