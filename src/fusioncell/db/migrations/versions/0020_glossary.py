"""glossary: the cell's agreed trilingual terms, their versions and the principals' approvals

Revision ID: 0020
Revises: 0019
Create Date: 2026-11-27 04:20:00
"""

import sqlalchemy as sa
from alembic import op

import fusioncell.db.types

revision = "0020"
down_revision = "0019"
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
        "glossary_terms",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("required_parties", fusioncell.db.types.PartySet(), nullable=False),
        sa.Column("latest_version", sa.Integer(), nullable=False),
        sa.Column("agreed_version", sa.Integer(), nullable=True),
        sa.Column("agreed_at", fusioncell.db.types.UTCDateTime(timezone=True), nullable=True),
        *_envelope(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_glossary_terms")),
        sa.UniqueConstraint("key", name="uq_glossary_terms_key"),
    )
    with op.batch_alter_table("glossary_terms", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_glossary_terms_origin_party"), ["origin_party"], unique=False)

    op.create_table(
        "glossary_versions",
        sa.Column("term_id", sa.Uuid(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("wording", sa.JSON(), nullable=False),
        sa.Column("variants", sa.JSON(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("agreed_at", fusioncell.db.types.UTCDateTime(timezone=True), nullable=True),
        *_envelope(),
        sa.ForeignKeyConstraint(
            ["term_id"], ["glossary_terms.id"], name=op.f("fk_glossary_versions_term_id_glossary_terms")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_glossary_versions")),
        sa.UniqueConstraint("term_id", "number", name="uq_glossary_versions_number"),
    )
    with op.batch_alter_table("glossary_versions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_glossary_versions_origin_party"), ["origin_party"], unique=False)
        batch_op.create_index(batch_op.f("ix_glossary_versions_term_id"), ["term_id"], unique=False)

    op.create_table(
        "glossary_approvals",
        sa.Column("term_id", sa.Uuid(), nullable=False),
        sa.Column("version_number", sa.Integer(), nullable=False),
        sa.Column("party", sa.String(length=16), nullable=False),
        sa.Column("approved_by", sa.String(length=64), nullable=False),
        *_envelope(),
        sa.ForeignKeyConstraint(
            ["term_id"], ["glossary_terms.id"], name=op.f("fk_glossary_approvals_term_id_glossary_terms")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_glossary_approvals")),
        sa.UniqueConstraint("term_id", "version_number", "party", name="uq_glossary_approvals_once"),
    )
    with op.batch_alter_table("glossary_approvals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_glossary_approvals_origin_party"), ["origin_party"], unique=False)
        batch_op.create_index(batch_op.f("ix_glossary_approvals_term_id"), ["term_id"], unique=False)


def downgrade() -> None:
    for table in ("glossary_approvals", "glossary_versions", "glossary_terms"):
        op.drop_table(table)  # their indexes go with them
