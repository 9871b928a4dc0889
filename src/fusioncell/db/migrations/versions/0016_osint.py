"""osint: sources of open-source reporting, their articles and suggested links to the cell's records

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-27 01:00:00
"""

import sqlalchemy as sa
from alembic import op

import fusioncell.db.types

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "osint_sources",
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("location", sa.String(length=2000), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=True),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("desks", sa.JSON(), nullable=False),
        sa.Column("article_releasable_to", sa.JSON(), nullable=True),
        sa.Column("poll_minutes", sa.Integer(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("etag", sa.String(length=500), nullable=True),
        sa.Column("last_modified", sa.String(length=100), nullable=True),
        sa.Column("next_poll_at", fusioncell.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_polled_at", fusioncell.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("consecutive_failures", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", fusioncell.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("marking", sa.String(length=24), nullable=False),
        sa.Column("ledger_index", sa.BigInteger(), nullable=True),
        sa.Column("origin_party", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("releasable_to", fusioncell.db.types.PartySet(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_osint_sources")),
        sa.UniqueConstraint("origin_party", "code", name="uq_osint_sources_party_code"),
    )
    with op.batch_alter_table("osint_sources", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_osint_sources_origin_party"), ["origin_party"], unique=False)

    op.create_table(
        "osint_articles",
        sa.Column("source_id", sa.Uuid(), nullable=True),
        sa.Column("source_name", sa.String(length=200), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("link", sa.String(length=2000), nullable=True),
        sa.Column("link_text", sa.String(length=2000), nullable=True),
        sa.Column("link_key", sa.String(length=64), nullable=True),
        sa.Column("guid", sa.String(length=2000), nullable=True),
        sa.Column("guid_key", sa.String(length=64), nullable=True),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("published_at", fusioncell.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("language", sa.String(length=8), nullable=True),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=False),
        sa.Column("body_text", sa.Text(), nullable=False),
        sa.Column("image", sa.String(length=2000), nullable=True),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("places", sa.JSON(), nullable=False),
        sa.Column("parties", sa.JSON(), nullable=False),
        sa.Column("people", sa.JSON(), nullable=False),
        sa.Column("desks", sa.JSON(), nullable=False),
        sa.Column("ingested_at", fusioncell.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("illustrative", sa.Boolean(), nullable=False),
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
            ["source_id"], ["osint_sources.id"], name=op.f("fk_osint_articles_source_id_osint_sources")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_osint_articles")),
    )
    with op.batch_alter_table("osint_articles", schema=None) as batch_op:
        batch_op.create_index("ix_osint_articles_guid", ["origin_party", "guid_key"], unique=False)
        batch_op.create_index("ix_osint_articles_hash", ["origin_party", "content_hash"], unique=False)
        batch_op.create_index("ix_osint_articles_link", ["origin_party", "link_key"], unique=False)
        batch_op.create_index(batch_op.f("ix_osint_articles_origin_party"), ["origin_party"], unique=False)
        batch_op.create_index("ix_osint_articles_published", ["published_at", "id"], unique=False)
        batch_op.create_index(batch_op.f("ix_osint_articles_source_id"), ["source_id"], unique=False)

    op.create_table(
        "osint_article_links",
        sa.Column("article_id", sa.Uuid(), nullable=False),
        sa.Column("target_kind", sa.String(length=32), nullable=False),
        sa.Column("target_id", sa.Uuid(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("decided_by", sa.String(length=64), nullable=True),
        sa.Column("decided_at", fusioncell.db.types.UTCDateTime(timezone=True), nullable=True),
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
            ["article_id"], ["osint_articles.id"], name=op.f("fk_osint_article_links_article_id_osint_articles")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_osint_article_links")),
        sa.UniqueConstraint("article_id", "target_kind", "target_id", name="uq_osint_article_links_target"),
    )
    with op.batch_alter_table("osint_article_links", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_osint_article_links_article_id"), ["article_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_osint_article_links_origin_party"), ["origin_party"], unique=False)
        batch_op.create_index("ix_osint_article_links_target", ["target_kind", "target_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("osint_article_links", schema=None) as batch_op:
        batch_op.drop_index("ix_osint_article_links_target")
        batch_op.drop_index(batch_op.f("ix_osint_article_links_origin_party"))
        batch_op.drop_index(batch_op.f("ix_osint_article_links_article_id"))

    op.drop_table("osint_article_links")
    with op.batch_alter_table("osint_articles", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_osint_articles_source_id"))
        batch_op.drop_index("ix_osint_articles_published")
        batch_op.drop_index(batch_op.f("ix_osint_articles_origin_party"))
        batch_op.drop_index("ix_osint_articles_link")
        batch_op.drop_index("ix_osint_articles_hash")
        batch_op.drop_index("ix_osint_articles_guid")

    op.drop_table("osint_articles")
    with op.batch_alter_table("osint_sources", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_osint_sources_origin_party"))

    op.drop_table("osint_sources")
