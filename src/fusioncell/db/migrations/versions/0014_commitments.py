"""commitments: the diplomatic desk's register, its progress notes and contests

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-26 22:00:00
"""

import sqlalchemy as sa
from alembic import op

import fusioncell.db.types

revision = "0014"
down_revision = "0013"
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
        "commitments",
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("responsible_party", sa.String(length=16), nullable=False),
        sa.Column("source_kind", sa.String(length=16), nullable=False),
        sa.Column("source_id", sa.String(length=64), nullable=True),
        sa.Column("made_at", fusioncell.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("due_at", fusioncell.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("state_changed_at", fusioncell.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("history", sa.JSON(), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        *_envelope(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commitments")),
    )
    with op.batch_alter_table("commitments", schema=None) as batch_op:
        batch_op.create_index("ix_commitments_due", ["state", "due_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_commitments_responsible_party"), ["responsible_party"], unique=False)
        batch_op.create_index(batch_op.f("ix_commitments_origin_party"), ["origin_party"], unique=False)

    op.create_table(
        "commitment_notes",
        sa.Column("commitment_id", sa.Uuid(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("claimed_state", sa.String(length=16), nullable=True),
        *_envelope(),
        sa.ForeignKeyConstraint(
            ["commitment_id"], ["commitments.id"], name=op.f("fk_commitment_notes_commitment_id_commitments")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commitment_notes")),
    )
    with op.batch_alter_table("commitment_notes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_commitment_notes_commitment_id"), ["commitment_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_commitment_notes_origin_party"), ["origin_party"], unique=False)

    op.create_table(
        "commitment_contests",
        sa.Column("commitment_id", sa.Uuid(), nullable=False),
        sa.Column("claimed_state", sa.String(length=16), nullable=False),
        sa.Column("prior_state", sa.String(length=16), nullable=False),
        sa.Column("reasons", sa.Text(), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=True),
        sa.Column("ruled_by", sa.String(length=64), nullable=True),
        sa.Column("ruled_at", fusioncell.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("ruling", sa.Text(), nullable=True),
        sa.Column("ruled_state", sa.String(length=16), nullable=True),
        *_envelope(),
        sa.ForeignKeyConstraint(
            ["commitment_id"], ["commitments.id"], name=op.f("fk_commitment_contests_commitment_id_commitments")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commitment_contests")),
    )
    with op.batch_alter_table("commitment_contests", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_commitment_contests_commitment_id"), ["commitment_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_commitment_contests_origin_party"), ["origin_party"], unique=False)


def downgrade() -> None:
    for table in ("commitment_contests", "commitment_notes"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f"ix_{table}_origin_party"))
            batch_op.drop_index(batch_op.f(f"ix_{table}_commitment_id"))
        op.drop_table(table)
    with op.batch_alter_table("commitments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_commitments_origin_party"))
        batch_op.drop_index(batch_op.f("ix_commitments_responsible_party"))
        batch_op.drop_index("ix_commitments_due")
    op.drop_table("commitments")
