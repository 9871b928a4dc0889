"""intel: reports (the envelope), their STIX objects, and the keys reports correlate by

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-26 20:45:06

Objects are paged by `seq` within a collection (TAXII's `next`); keys are searched by (kind, key).
"""

import sqlalchemy as sa
from alembic import op

import fusioncell.db.types

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "intel_reports",
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("stix_id", sa.String(length=80), nullable=True),
        sa.Column("collection", sa.String(length=64), nullable=True),
        sa.Column("source_reliability", sa.String(length=1), nullable=False),
        sa.Column("credibility", sa.String(length=1), nullable=False),
        sa.Column("source_description", sa.Text(), nullable=False),
        sa.Column("derived_from_id", sa.Uuid(), nullable=True),
        sa.Column("answers_id", sa.Uuid(), nullable=True),
        sa.Column("release_requested_by", sa.String(length=64), nullable=True),
        sa.Column("release_requested_at", fusioncell.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("second_approved_by", sa.String(length=64), nullable=True),
        sa.Column("submitted_at", fusioncell.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("approved_by", sa.String(length=64), nullable=True),
        sa.Column("released_at", fusioncell.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("returned_reason", sa.Text(), nullable=True),
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
        sa.ForeignKeyConstraint(
            ["answers_id"], ["intel_reports.id"], name=op.f("fk_intel_reports_answers_id_intel_reports")
        ),
        sa.ForeignKeyConstraint(
            ["derived_from_id"], ["intel_reports.id"], name=op.f("fk_intel_reports_derived_from_id_intel_reports")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_intel_reports")),
    )
    with op.batch_alter_table("intel_reports", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_intel_reports_answers_id"), ["answers_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_intel_reports_collection"), ["collection"], unique=False)
        batch_op.create_index(batch_op.f("ix_intel_reports_derived_from_id"), ["derived_from_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_intel_reports_origin_party"), ["origin_party"], unique=False)
        batch_op.create_index("ix_intel_reports_status_id", ["status", "id"], unique=False)

    op.create_table(
        "intel_keys",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("report_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("key", sa.String(length=512), nullable=False),
        sa.Column("lat", sa.Double(), nullable=True),
        sa.Column("lon", sa.Double(), nullable=True),
        sa.Column("at", fusioncell.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["report_id"], ["intel_reports.id"], name=op.f("fk_intel_keys_report_id_intel_reports")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_intel_keys")),
    )
    with op.batch_alter_table("intel_keys", schema=None) as batch_op:
        batch_op.create_index("ix_intel_keys_kind_key", ["kind", "key"], unique=False)
        batch_op.create_index("ix_intel_keys_place", ["kind", "lat", "lon", "at", "report_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_intel_keys_report_id"), ["report_id"], unique=False)

    op.create_table(
        "intel_objects",
        sa.Column("seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("report_id", sa.Uuid(), nullable=False),
        sa.Column("stix_id", sa.String(length=300), nullable=False),
        sa.Column("stix_type", sa.String(length=250), nullable=False),
        sa.Column("spec_version", sa.String(length=8), nullable=False),
        sa.Column("version", sa.String(length=40), nullable=False),
        sa.Column("is_latest", sa.Boolean(), nullable=False),
        sa.Column("collection", sa.String(length=64), nullable=True),
        sa.Column("added_at", fusioncell.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("body_sha256", sa.String(length=64), nullable=False),
        sa.Column("origin_party", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("releasable_to", fusioncell.db.types.PartySet(), nullable=False),
        sa.ForeignKeyConstraint(
            ["report_id"], ["intel_reports.id"], name=op.f("fk_intel_objects_report_id_intel_reports")
        ),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_intel_objects")),
        sa.UniqueConstraint("origin_party", "stix_id", "version", name="uq_intel_objects_version"),
    )
    with op.batch_alter_table("intel_objects", schema=None) as batch_op:
        batch_op.create_index("ix_intel_objects_collection_seq", ["collection", "seq"], unique=False)
        batch_op.create_index(batch_op.f("ix_intel_objects_origin_party"), ["origin_party"], unique=False)
        batch_op.create_index(batch_op.f("ix_intel_objects_report_id"), ["report_id"], unique=False)
        batch_op.create_index("ix_intel_objects_stix_id", ["stix_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("intel_objects", schema=None) as batch_op:
        batch_op.drop_index("ix_intel_objects_stix_id")
        batch_op.drop_index(batch_op.f("ix_intel_objects_report_id"))
        batch_op.drop_index(batch_op.f("ix_intel_objects_origin_party"))
        batch_op.drop_index("ix_intel_objects_collection_seq")

    op.drop_table("intel_objects")
    with op.batch_alter_table("intel_keys", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_intel_keys_report_id"))
        batch_op.drop_index("ix_intel_keys_place")
        batch_op.drop_index("ix_intel_keys_kind_key")

    op.drop_table("intel_keys")
    with op.batch_alter_table("intel_reports", schema=None) as batch_op:
        batch_op.drop_index("ix_intel_reports_status_id")
        batch_op.drop_index(batch_op.f("ix_intel_reports_origin_party"))
        batch_op.drop_index(batch_op.f("ix_intel_reports_derived_from_id"))
        batch_op.drop_index(batch_op.f("ix_intel_reports_collection"))
        batch_op.drop_index(batch_op.f("ix_intel_reports_answers_id"))

    op.drop_table("intel_reports")
