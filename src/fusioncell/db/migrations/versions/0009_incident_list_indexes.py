"""incidents: list indexes on (type, id), (stage, id), (origin_party, id)

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-26 18:50:00

A filtered incident list page (newest first, 50 rows) read every matching row through the single-column
index and sorted them; with the id in the index it walks newest first and stops (bench/incidents.py).
"""

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

COLUMNS = ("type", "stage", "origin_party")


def upgrade() -> None:
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        for column in COLUMNS:
            batch_op.drop_index(f"ix_incidents_{column}")
            batch_op.create_index(f"ix_incidents_{column}", [column, "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        for column in COLUMNS:
            batch_op.drop_index(f"ix_incidents_{column}")
            batch_op.create_index(f"ix_incidents_{column}", [column], unique=False)
