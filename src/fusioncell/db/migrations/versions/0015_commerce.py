"""commerce: the joint economic zone's projects and the organisations behind them

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-27 00:40:00
"""

import sqlalchemy as sa
from alembic import op

import fusioncell.db.types

revision = "0015"
down_revision = "0014"
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
        "organisations",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("website", sa.String(length=500), nullable=True),
        sa.Column("notes", sa.Text(), nullable=False),
        *_envelope(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organisations")),
    )
    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_organisations_origin_party"), ["origin_party"], unique=False)

    op.create_table(
        "projects",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("sector", sa.String(length=32), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("site", sa.JSON(), nullable=False),
        sa.Column("site_min_lat", sa.Float(), nullable=False),
        sa.Column("site_max_lat", sa.Float(), nullable=False),
        sa.Column("site_min_lon", sa.Float(), nullable=False),
        sa.Column("site_max_lon", sa.Float(), nullable=False),
        sa.Column("site_outside_zone", sa.Boolean(), nullable=False),
        sa.Column("stage", sa.String(length=16), nullable=False),
        sa.Column("stage_dates", sa.JSON(), nullable=False),
        sa.Column("history", sa.JSON(), nullable=False),
        sa.Column("sponsors", sa.JSON(), nullable=False),
        sa.Column("capital_cost_usd", sa.Float(), nullable=True),
        sa.Column("gdp_usd_per_year", sa.Float(), nullable=True),
        sa.Column("power_mw", sa.Float(), nullable=True),
        sa.Column("jobs", sa.BigInteger(), nullable=True),
        sa.Column("pharma_import_substitution_percent", sa.Float(), nullable=True),
        sa.Column("illustrative", sa.Boolean(), nullable=False),
        sa.Column("retracted_at", fusioncell.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("retraction_reason", sa.Text(), nullable=True),
        *_envelope(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_projects")),
    )
    with op.batch_alter_table("projects", schema=None) as batch_op:
        batch_op.create_index("ix_projects_stage", ["stage", "id"], unique=False)
        batch_op.create_index(
            "ix_projects_site_box", ["site_min_lat", "site_max_lat", "site_min_lon", "site_max_lon"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_projects_sector"), ["sector"], unique=False)
        batch_op.create_index(batch_op.f("ix_projects_origin_party"), ["origin_party"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("projects", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_projects_origin_party"))
        batch_op.drop_index(batch_op.f("ix_projects_sector"))
        batch_op.drop_index("ix_projects_site_box")
        batch_op.drop_index("ix_projects_stage")
    op.drop_table("projects")
    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_organisations_origin_party"))
    op.drop_table("organisations")
