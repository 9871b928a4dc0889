"""incidents: reports, their escalations, complaints

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 15:34:43.303175
"""

import sqlalchemy as sa
from alembic import op

import fusioncell.db.types

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "incidents",
        sa.Column("occurred_at", fusioncell.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("occurred_until", fusioncell.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("time_precision", sa.String(length=8), nullable=False),
        sa.Column("location", sa.JSON(), nullable=False),
        sa.Column("geo_precision", sa.String(length=8), nullable=False),
        sa.Column("type", sa.String(length=64), nullable=False),
        sa.Column("actor_party", sa.String(length=16), nullable=True),
        sa.Column("reported_severity", sa.Integer(), nullable=False),
        sa.Column("killed", sa.Integer(), nullable=False),
        sa.Column("injured", sa.Integer(), nullable=False),
        sa.Column("civilians_killed", sa.Integer(), nullable=False),
        sa.Column("civilians_injured", sa.Integer(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("sources", sa.JSON(), nullable=False),
        sa.Column("attachments", sa.JSON(), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("zones", fusioncell.db.types.PartySet(), nullable=False),
        sa.Column("side", sa.String(length=64), nullable=True),
        sa.Column("protected_sites", sa.JSON(), nullable=False),
        sa.Column("violations", sa.JSON(), nullable=False),
        sa.Column("severity", sa.Integer(), nullable=False),
        sa.Column("stage", sa.String(length=24), nullable=False),
        sa.Column("released_at", fusioncell.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("ack_parties", fusioncell.db.types.PartySet(), nullable=False),
        sa.Column("acknowledged_parties", fusioncell.db.types.PartySet(), nullable=False),
        sa.Column("ack_due_at", fusioncell.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("acknowledged_at", fusioncell.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("investigation_opened_at", fusioncell.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("finding", sa.String(length=16), nullable=True),
        sa.Column("finding_reasons", sa.Text(), nullable=True),
        sa.Column("finding_at", fusioncell.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("closed_at", fusioncell.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("handled_by", sa.String(length=64), nullable=True),
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
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incidents")),
    )
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.create_index("ix_incidents_ack_due", ["ack_due_at"], unique=False)
        batch_op.create_index("ix_incidents_lat_lon", ["lat", "lon"], unique=False)
        batch_op.create_index("ix_incidents_occurred_at", ["occurred_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_incidents_origin_party"), ["origin_party"], unique=False)
        batch_op.create_index("ix_incidents_stage", ["stage"], unique=False)
        batch_op.create_index("ix_incidents_type", ["type"], unique=False)

    op.create_table(
        "complaints",
        sa.Column("incident_id", sa.Uuid(), nullable=False),
        sa.Column("accused_party", sa.String(length=16), nullable=False),
        sa.Column("grounds", sa.Text(), nullable=False),
        sa.Column("stage", sa.String(length=16), nullable=False),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("answered_by", sa.String(length=64), nullable=True),
        sa.Column("answered_at", fusioncell.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("ruling", sa.String(length=16), nullable=True),
        sa.Column("ruling_reasons", sa.Text(), nullable=True),
        sa.Column("ruled_by", sa.String(length=64), nullable=True),
        sa.Column("ruled_at", fusioncell.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", fusioncell.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("marking", sa.String(length=24), nullable=False),
        sa.Column("ledger_index", sa.BigInteger(), nullable=True),
        sa.Column("origin_party", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("releasable_to", fusioncell.db.types.PartySet(), nullable=False),
        sa.ForeignKeyConstraint(["incident_id"], ["incidents.id"], name=op.f("fk_complaints_incident_id_incidents")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_complaints")),
    )
    with op.batch_alter_table("complaints", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_complaints_incident_id"), ["incident_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_complaints_origin_party"), ["origin_party"], unique=False)

    op.create_table(
        "incident_escalations",
        sa.Column("incident_id", sa.Uuid(), nullable=False),
        sa.Column("party", sa.String(length=16), nullable=False),
        sa.Column("severity", sa.Integer(), nullable=False),
        sa.Column("due_at", fusioncell.db.types.UTCDateTime(timezone=True), nullable=False),
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
            ["incident_id"], ["incidents.id"], name=op.f("fk_incident_escalations_incident_id_incidents")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident_escalations")),
        sa.UniqueConstraint("incident_id", "party", name="uq_incident_escalations_once"),
    )
    with op.batch_alter_table("incident_escalations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_incident_escalations_incident_id"), ["incident_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_incident_escalations_origin_party"), ["origin_party"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("incident_escalations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_incident_escalations_origin_party"))
        batch_op.drop_index(batch_op.f("ix_incident_escalations_incident_id"))

    op.drop_table("incident_escalations")
    with op.batch_alter_table("complaints", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_complaints_origin_party"))
        batch_op.drop_index(batch_op.f("ix_complaints_incident_id"))

    op.drop_table("complaints")
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.drop_index("ix_incidents_type")
        batch_op.drop_index("ix_incidents_stage")
        batch_op.drop_index(batch_op.f("ix_incidents_origin_party"))
        batch_op.drop_index("ix_incidents_occurred_at")
        batch_op.drop_index("ix_incidents_lat_lon")
        batch_op.drop_index("ix_incidents_ack_due")

    op.drop_table("incidents")
