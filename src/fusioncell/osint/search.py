"""Full-text search over articles: SQLite FTS5, PostgreSQL full-text; always under the releasability rule.

User text is never passed to the engine as query syntax. It is read as websearch-style terms (words, "quoted
phrases", OR, -excluded) and rebuilt: on SQLite each term becomes a quoted FTS5 string, on PostgreSQL the text
goes to `websearch_to_tsquery`, which accepts anything. A hostile query matches nothing rather than erroring.
"""

import re
import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import (
    Boolean,
    Column,
    Float,
    Integer,
    MetaData,
    Table,
    Text,
    Uuid,
    delete,
    func,
    insert,
    literal_column,
    select,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import ColumnElement, FunctionElement, Select

from fusioncell.access.rule import readable
from fusioncell.access.subjects import Subject
from fusioncell.osint.models import Article

# Not in Base.metadata: these are the migration's (0017), and exist on SQLite only. An FTS row's rowid is the
# article's time (published, else ingested) in ms, shifted, plus a slot: newest first is rowid order.
FTS = Table(
    "osint_articles_fts",
    MetaData(),
    Column("rowid", Integer),
    Column("title", Text),
    Column("summary", Text),
    Column("body_text", Text),
    Column("rank", Float),
)
ROWS = Table(
    "osint_articles_fts_rows", MetaData(), Column("rowid", Integer, primary_key=True), Column("article_id", Uuid)
)
SLOT_BITS = 20  # a million articles may share one millisecond
# PostgreSQL: migration 0017's stored generated column (to_tsvector('simple', title, summary, body_text)).
PG_DOCUMENT = literal_column("osint_articles.search_document")
MAX_TERMS = 32  # a longer query is cut: it would only slow the engine down

_TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')


@dataclass(frozen=True)
class ArticleFilters:
    source_id: uuid.UUID | None = None
    place: str | None = None
    party: str | None = None
    desk: str | None = None
    since: datetime | None = None  # inclusive, on the published (else ingested) time
    until: datetime | None = None  # exclusive


def time_key(moment: datetime) -> int:
    """The first FTS rowid of a millisecond; a date past the 64-bit range (year 9999) keeps to its edge."""
    edge = 1 << (62 - SLOT_BITS)
    return max(-edge, min(edge - 1, int(moment.timestamp() * 1000))) << SLOT_BITS


def _free_rowids(session: Session, moments: list[datetime]) -> list[int]:
    """A free rowid for each moment: the next slot of its millisecond, after those taken (in the table or
    earlier in this batch). One query reads the last slot taken of every millisecond the batch touches."""
    bases = [time_key(moment) for moment in moments]
    slot = ROWS.c.rowid.op(">>")(SLOT_BITS)
    taken = dict(
        session.execute(
            select(slot, func.max(ROWS.c.rowid)).where(slot.in_({b >> SLOT_BITS for b in bases})).group_by(slot)
        ).all()
    )
    free = {}
    rowids = []
    for base in bases:
        last = free.get(base, taken.get(base >> SLOT_BITS))
        rowid = base if last is None else last + 1
        free[base] = rowid
        rowids.append(rowid)
    return rowids


def index_article(session: Session, article: Article) -> None:
    """Bring the search index up to date with an article just inserted or updated (before the commit)."""
    index_articles(session, [article])


def index_articles(session: Session, articles: list[Article]) -> None:
    """The same for a batch, in a handful of statements whatever its size (ingest's hot path)."""
    if not articles or session.get_bind().dialect.name != "sqlite":
        return  # PostgreSQL indexes the columns themselves
    if any(a.id is None or a.ingested_at is None for a in articles):
        session.flush()
    ids = [a.id for a in articles]
    old = list(session.execute(select(ROWS.c.rowid).where(ROWS.c.article_id.in_(ids))).scalars())
    if old:
        session.execute(delete(FTS).where(FTS.c.rowid.in_(old)))
        session.execute(delete(ROWS).where(ROWS.c.rowid.in_(old)))
    rowids = _free_rowids(session, [a.published_at or a.ingested_at for a in articles])
    session.execute(insert(ROWS), [{"rowid": r, "article_id": a.id} for r, a in zip(rowids, articles, strict=True)])
    session.execute(
        insert(FTS),
        [
            {"rowid": r, "title": a.title or "", "summary": a.summary or "", "body_text": a.body_text or ""}
            for r, a in zip(rowids, articles, strict=True)
        ],
    )


class json_has(FunctionElement):
    """SQL truth of "value is an element of the JSON list column" (places, parties, desks), per dialect."""

    type = Boolean()
    inherit_cache = True
    name = "json_has"


@compiles(json_has, "postgresql")
def _json_has_pg(element, compiler, **kw):
    column, value = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"(CAST({column} AS JSONB) @> jsonb_build_array(CAST({value} AS TEXT)))"


@compiles(json_has, "sqlite")
def _json_has_sqlite(element, compiler, **kw):
    column, value = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"EXISTS (SELECT 1 FROM json_each({column}) WHERE json_each.value = {value})"


def dated_at() -> ColumnElement[datetime]:
    """When an article is of: its published time, else when it was read in."""
    return func.coalesce(Article.published_at, Article.ingested_at)


def fts5_query(text: str) -> str | None:
    """The websearch-style user text as an FTS5 expression of quoted strings only; None when no word is left."""
    groups: list[tuple[list[str], list[str]]] = [([], [])]
    for count, match in enumerate(_TOKEN.finditer(text)):
        if count >= MAX_TERMS:
            break
        negated, phrase, word = match.group(1), match.group(2), match.group(3)
        if word is not None and word == "OR":
            groups.append(([], []))
            continue
        if word is not None:
            negated, phrase = ("-", word[1:]) if word.startswith("-") else ("", word)
        if not any(ch.isalnum() for ch in phrase):
            continue  # punctuation alone: the tokenizer would make an empty phrase of it
        quoted = '"' + phrase.replace('"', '""') + '"'
        groups[-1][1 if negated else 0].append(quoted)
    parts = [
        "(" + " ".join(wanted) + "".join(f" NOT {q}" for q in unwanted) + ")" for wanted, unwanted in groups if wanted
    ]
    return " OR ".join(parts) or None


def apply_filters(query: Select, filters: ArticleFilters) -> Select:
    if filters.source_id is not None:
        query = query.where(Article.source_id == filters.source_id)
    if filters.place:
        query = query.where(json_has(Article.places, filters.place))
    if filters.party:
        query = query.where(json_has(Article.parties, filters.party))
    if filters.desk:
        query = query.where(json_has(Article.desks, filters.desk))
    if filters.since is not None:
        query = query.where(dated_at() >= filters.since)
    if filters.until is not None:
        query = query.where(dated_at() < filters.until)
    return query


def _fts_matching(query: Select, expression: str, filters: ArticleFilters, best_first: bool) -> Select:
    """SQLite: articles through their time-ordered FTS rows, so newest first stops at the page's end."""
    query = (
        query.join(ROWS, ROWS.c.article_id == Article.id)
        .join(FTS, FTS.c.rowid == ROWS.c.rowid)
        .where(literal_column("osint_articles_fts").op("MATCH")(expression))
    )
    if filters.since is not None:
        query = query.where(FTS.c.rowid >= time_key(filters.since))
    if filters.until is not None:
        query = query.where(FTS.c.rowid < time_key(filters.until))
    return query.order_by(FTS.c.rank, Article.id.desc()) if best_first else query.order_by(FTS.c.rowid.desc())


def _matching(session: Session, query: Select, text: str, filters: ArticleFilters, best_first: bool) -> Select | None:
    """The query narrowed to articles matching the text and ordered; None: nothing can match."""
    if session.get_bind().dialect.name == "sqlite":
        expression = fts5_query(text)
        return None if expression is None else _fts_matching(query, expression, filters, best_first)
    if not any(ch.isalnum() for ch in text):
        return None
    tsquery = func.websearch_to_tsquery("simple", text)
    query = query.where(PG_DOCUMENT.op("@@")(tsquery))
    if best_first:
        return query.order_by(func.ts_rank(PG_DOCUMENT, tsquery).desc(), Article.id.desc())
    return query.order_by(dated_at().desc(), Article.id.desc())


def search_articles(
    session: Session,
    *,
    subject: Subject,
    text: str | None = None,
    filters: ArticleFilters | None = None,
    best_first: bool = False,
    limit: int = 50,
    offset: int = 0,
) -> list[Article]:
    """The articles the subject may read that match the text (every article when no text) and the filters;
    newest first, or best match first when `best_first` and there is text."""
    filters = filters or ArticleFilters()
    query = apply_filters(select(Article).where(readable(subject, Article)), filters)
    text = (text or "").strip()
    if text:
        query = _matching(session, query, text, filters, best_first)
        if query is None:
            return []
    else:
        query = query.order_by(dated_at().desc(), Article.id.desc())
    return list(session.execute(query.limit(limit).offset(offset)).scalars())
