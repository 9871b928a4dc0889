"""incidents: an index on ledger_index, for feeds that ask what is newer than what they sent

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26 16:12:00
"""

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_incidents_ledger_index", "incidents", ["ledger_index"])


def downgrade() -> None:
    op.drop_index("ix_incidents_ledger_index", table_name="incidents")
