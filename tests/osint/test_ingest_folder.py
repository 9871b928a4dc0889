"""A folder of front-matter articles (English, Arabic, Hebrew; Markdown and HTML bodies) ingested end to end,
bad files reported one by one, dedup by link and content, the audience, and who may ingest."""

import shutil

import pytest
from sqlalchemy import select

from fusioncell.errors import Forbidden, Invalid
from fusioncell.osint.frontmatter import article_files, read_articles
from fusioncell.osint.ingest import ingest
from fusioncell.osint.models import Article
from tests.osint.conftest import FIXTURES


def ingest_path(db, cell, subject, path, **options):
    items = read_articles(article_files(path))
    return ingest(db, subject=subject, cell=cell, source=None, candidates=items, **options)


def articles(db, party="ISR") -> dict[str, Article]:
    return {a.link or a.title: a for a in db.scalars(select(Article).where(Article.origin_party == party))}


def test_a_folder_in_three_languages(db, cell, isr):
    summary = ingest_path(db, cell, isr, FIXTURES / "articles")

    assert (summary.new, summary.rejected) == (4, [])
    stored = articles(db)
    arabic = stored["https://sana-like.example/ar/2026/01/05/quneitra"]
    assert arabic.language == "ar" and arabic.places == ["hader", "quneitra"]  # القنيطرة, and حضر after بلدة
    assert set(arabic.parties) == {"ISR", "SYR"} and arabic.source_name == "أخبار الجنوب"
    hebrew = stored["https://galil-news.example/he/2026/01/05/majdal-shams"]
    assert hebrew.language == "he" and hebrew.places == ["majdal-shams", "quneitra"] and hebrew.parties == ["ISR"]
    assert hebrew.published_at.isoformat() == "2026-01-05T09:00:00+00:00"
    markdown = stored["https://southern-syria.example/2026/01/05/quneitra-night"]
    assert "<strong>Quneitra</strong>" in markdown.body_html and "<script" not in markdown.body_html
    assert "document.cookie" not in markdown.body_text and 'href="javascript' not in markdown.body_html
    assert "[not this](javascript:alert(1))" in markdown.body_text  # Markdown refuses the link: it stays words
    assert markdown.tags == ["Security", "Quneitra", "shelling"]
    assert markdown.summary == "Residents of Quneitra describe shelling near the area of separation."
    assert markdown.image == "https://southern-syria.example/img/quneitra.jpg"
    paris = stored["https://diplomatic-post.example/2026/01/06/paris"]
    assert paris.published_at.isoformat() == "2026-01-06T00:00:00+00:00"  # "06/01/2026", day first
    assert '<a rel="noopener noreferrer">broken</a>' in paris.body_html  # a doubled scheme: text, not a link
    assert 'target="_blank"' not in paris.body_html and "onerror" not in paris.body_html


def test_bad_files_are_reported_and_the_rest_stored(db, cell, isr, tmp_path):
    shutil.copytree(FIXTURES / "articles", tmp_path / "mixed")
    for bad in (FIXTURES / "bad").glob("*.*"):
        if bad.suffix != ".xml":
            shutil.copy(bad, tmp_path / "mixed")
    (tmp_path / "mixed" / "huge.md").write_text("---\ntitle: Huge\n---\n" + "x" * (3 * 1024 * 1024))

    summary = ingest_path(db, cell, isr, tmp_path / "mixed")

    reasons = {r["where"].rsplit("/", 1)[-1]: r["reason"] for r in summary.rejected}
    assert summary.new == 4
    assert reasons == {
        "bad-yaml.md": "front matter is not YAML at line 3",
        "draft.md": "marked draft: not published",
        "huge.md": "larger than 2 MiB",
        "no-front-matter.md": "no front matter (a '---' block first)",
        "odd-date.md": "unreadable date 'the fifth of January, probably'",
        "windows-1256.md": "not UTF-8 (byte 12); save it as UTF-8",
        "wrong-encoding.html": "not UTF-8 (byte 15); save it as UTF-8",
    }


def test_dedup_by_link_and_by_content(db, cell, isr, tmp_path):
    source = FIXTURES / "articles" / "2026-01-05-quneitra.md"
    ingest_path(db, cell, isr, source)
    text = source.read_text(encoding="utf-8")
    (tmp_path / "moved.md").write_text(text.replace("quneitra-night", "elsewhere"), encoding="utf-8")
    (tmp_path / "spaced.md").write_text(text.replace("said shelling", "said   SHELLING"), encoding="utf-8")

    moved = ingest_path(db, cell, isr, tmp_path / "moved.md")  # the same words at another address
    spaced = ingest_path(db, cell, isr, tmp_path / "spaced.md")  # the same link, the words in another case

    assert (moved.new, moved.duplicate) == (0, 1)
    assert (spaced.new, spaced.updated) == (0, 1)  # the body's HTML changed: a new version
    [article] = articles(db).values()
    assert article.version == 2


def test_the_audience_is_as_asked_or_the_whole_cell(db, cell, isr, subject_of):
    ingest_path(db, cell, isr, FIXTURES / "articles", releasable_to=["isr", "SYR"])

    assert {a.releasable_to for a in articles(db).values()} == {frozenset({"ISR", "SYR"})}
    with pytest.raises(Invalid):
        ingest_path(db, cell, isr, FIXTURES / "articles", releasable_to=["XXX"])


def test_who_may_ingest(db, cell, subject_of):
    with pytest.raises(Forbidden):
        ingest_path(db, cell, subject_of("ISR", "admin"), FIXTURES / "articles")
    assert ingest_path(db, cell, subject_of("UNDOF", "observer"), FIXTURES / "articles").new == 4
    assert ingest_path(db, cell, subject_of("SYR", "officer:deescalation"), FIXTURES / "articles").new == 4
