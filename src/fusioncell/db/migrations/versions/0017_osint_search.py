"""osint search: full-text search over articles (SQLite FTS5, PostgreSQL full-text)

SQLite: an FTS5 table fed by `fusioncell.osint.search.index_article`, whose rowids are time-ordered (the
article's published, else ingested, millisecond, then a slot) so "newest first" walks the index backwards and
stops at a page instead of sorting every match; `osint_articles_fts_rows` ties each rowid to its article.
PostgreSQL: a stored generated tsvector column with a GIN index, so there is nothing to feed. The
'simple' configuration and `remove_diacritics 2`: Arabic and Hebrew have no stemmer. Both: an index on the
reading list's order (published, else ingested, then id).

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-27 01:00:00
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

# PostgreSQL keeps the document as a stored generated column (fusioncell.osint.search.PG_DOCUMENT reads it):
# ranking and phrase checks then read it instead of rebuilding every matching row's vector.
PG_DOCUMENT = (
    "to_tsvector('simple', coalesce(title, '') || ' ' || coalesce(summary, '') || ' ' || coalesce(body_text, ''))"
)
SLOT_BITS = 20  # as fusioncell.osint.search.SLOT_BITS


def upgrade() -> None:
    op.execute("CREATE INDEX ix_osint_articles_dated ON osint_articles (coalesce(published_at, ingested_at), id)")
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute(
            f"ALTER TABLE osint_articles ADD COLUMN search_document tsvector GENERATED ALWAYS AS ({PG_DOCUMENT}) STORED"
        )
        op.execute("CREATE INDEX ix_osint_articles_fts ON osint_articles USING GIN (search_document)")
        return
    op.execute(
        "CREATE VIRTUAL TABLE osint_articles_fts USING fts5("
        "title, summary, body_text, tokenize='unicode61 remove_diacritics 2')"
    )
    op.execute("CREATE TABLE osint_articles_fts_rows (rowid INTEGER PRIMARY KEY, article_id CHAR(32) NOT NULL UNIQUE)")
    _backfill(bind)


def _backfill(bind) -> None:
    """Articles stored before this revision (the application indexes every later one)."""
    rows = bind.execute(
        sa.text(
            "SELECT id, title, summary, body_text, coalesce(published_at, ingested_at) FROM osint_articles "
            "ORDER BY coalesce(published_at, ingested_at), id"
        )
    ).all()
    taken: set[int] = set()
    for article_id, title, summary, body_text, dated in rows:
        moment = datetime.fromisoformat(str(dated)).replace(tzinfo=UTC)
        rowid = int(moment.timestamp() * 1000) << SLOT_BITS
        while rowid in taken:
            rowid += 1
        taken.add(rowid)
        values = {"rowid": rowid, "article_id": article_id, "title": title, "summary": summary, "body": body_text}
        bind.execute(
            sa.text("INSERT INTO osint_articles_fts_rows (rowid, article_id) VALUES (:rowid, :article_id)"), values
        )
        bind.execute(
            sa.text(
                "INSERT INTO osint_articles_fts (rowid, title, summary, body_text) "
                "VALUES (:rowid, :title, :summary, :body)"
            ),
            values,
        )


def downgrade() -> None:
    op.execute("DROP INDEX IF EXISTS ix_osint_articles_dated")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_osint_articles_fts")
        op.execute("ALTER TABLE osint_articles DROP COLUMN IF EXISTS search_document")
        return
    op.execute("DROP TABLE IF EXISTS osint_articles_fts_rows")
    op.execute("DROP TABLE IF EXISTS osint_articles_fts")
