"""Search over articles on both backends: words in English, Arabic and Hebrew, hostile queries that must not
error, the filters, and the releasability rule (a search never finds what the caller may not read)."""

from datetime import timedelta

import pytest

from fusioncell.access.service import subject_for, user_by_name
from fusioncell.db.base import Status
from fusioncell.db.types import utcnow
from fusioncell.osint.search import ArticleFilters, fts5_query, index_article, search_articles
from tests.osint.reading_support import make_article

HOSTILE = [
    '"',
    "*",
    "NEAR(",
    "OR",
    "AND",
    "NOT",
    "(",
    ")",
    "^",
    ":",
    "title:",
    '"unterminated',
    "a OR",
    "-",
    "--x",
    "NEAR(a b, 3)",
    "'; DROP TABLE osint_articles; --",
    "{title}: x",
    "x*",
    "\\",
    "\x00",
]


@pytest.fixture
def subject(db, population, cell):
    def of(party: str):
        return subject_for(user_by_name(db, population.member(party).username), cell)

    return of


def titles(found) -> list[str]:
    return [a.title for a in found]


def test_words_in_english_arabic_and_hebrew_are_found(db, subject):
    make_article(db, title="Crossing reopens at Quneitra", body_text="Trucks passed the crossing.")
    make_article(db, title="إعادة فتح معبر القنيطرة", body_text="عبرت الشاحنات المعبر صباح اليوم")
    make_article(db, title="המעבר בקוניטרה נפתח מחדש", body_text="משאיות עברו את המעבר הבוקר")
    usa = subject("USA")
    assert titles(search_articles(db, subject=usa, text="quneitra")) == ["Crossing reopens at Quneitra"]
    assert titles(search_articles(db, subject=usa, text="القنيطرة")) == ["إعادة فتح معبر القنيطرة"]
    assert titles(search_articles(db, subject=usa, text="الشاحنات")) == ["إعادة فتح معبر القنيطرة"]
    assert titles(search_articles(db, subject=usa, text="בקוניטרה")) == ["המעבר בקוניטרה נפתח מחדש"]
    assert titles(search_articles(db, subject=usa, text="משאיות הבוקר")) == ["המעבר בקוניטרה נפתח מחדש"]


def test_phrases_or_and_exclusion(db, subject):
    make_article(db, title="Quneitra crossing", body_text="the crossing at Quneitra")
    make_article(db, title="Golan patrol", body_text="a patrol near the crossing")
    usa = subject("USA")
    assert titles(search_articles(db, subject=usa, text='"crossing at quneitra"')) == ["Quneitra crossing"]
    assert set(titles(search_articles(db, subject=usa, text="quneitra OR patrol"))) == {
        "Quneitra crossing",
        "Golan patrol",
    }
    assert titles(search_articles(db, subject=usa, text="crossing -quneitra")) == ["Golan patrol"]


@pytest.mark.parametrize("query", HOSTILE)
def test_hostile_queries_never_error(db, subject, query):
    make_article(db, title="NEAR the crossing OR not", body_text="AND title NOT")
    found = search_articles(db, subject=subject("USA"), text=query)
    assert isinstance(found, list)


def test_user_text_becomes_quoted_strings_only():
    assert fts5_query('a"b NEAR( c*') == '("a""b" "NEAR(" "c*")'
    assert fts5_query("* ( ) :") is None
    assert fts5_query("x OR -y") == '("x")'
    assert fts5_query("-y") is None


def test_an_article_released_only_to_usa_is_never_found_by_syria(db, subject):
    make_article(db, title="Private Quneitra reading", origin="USA", releasable_to=frozenset())
    make_article(db, title="Quneitra for Israel", origin="USA", releasable_to=frozenset({"ISR"}))
    make_article(db, title="Quneitra draft", origin="ISR", status=Status.DRAFT)
    assert titles(search_articles(db, subject=subject("SYR"), text="quneitra")) == []
    assert titles(search_articles(db, subject=subject("SYR"))) == []
    assert set(titles(search_articles(db, subject=subject("ISR"), text="quneitra"))) == {
        "Quneitra for Israel",
        "Quneitra draft",
    }
    assert set(titles(search_articles(db, subject=subject("USA"), text="quneitra"))) == {
        "Private Quneitra reading",
        "Quneitra for Israel",
    }


def test_filters_by_place_party_desk_and_date(db, subject):
    now = utcnow()
    make_article(db, title="A", places=["quneitra"], parties=["SYR"], desks=["deescalation"], published_at=now)
    make_article(
        db, title="B", places=["golan"], parties=["ISR"], desks=["diplomacy"], published_at=now - timedelta(days=3)
    )
    usa = subject("USA")

    def found(**filters) -> list[str]:
        return titles(search_articles(db, subject=usa, filters=ArticleFilters(**filters)))

    assert found(place="quneitra") == ["A"]
    assert found(party="ISR") == ["B"]
    assert found(desk="diplomacy") == ["B"]
    assert found(since=now - timedelta(days=1)) == ["A"]
    assert found(until=now - timedelta(days=1)) == ["B"]
    assert found() == ["A", "B"]  # newest first
    assert found(place="nowhere") == []


def test_a_reindexed_article_is_found_by_its_new_words_only(db, subject):
    article = make_article(db, title="Old title", body_text="ceasefire")
    article.title, article.body_text = "New title", "armistice"
    db.flush()
    index_article(db, article)
    usa = subject("USA")
    assert titles(search_articles(db, subject=usa, text="armistice")) == ["New title"]
    assert titles(search_articles(db, subject=usa, text="ceasefire")) == []


def test_best_match_first_and_paging(db, subject):
    make_article(
        db, title="Quneitra", body_text="quneitra quneitra quneitra", published_at=utcnow() - timedelta(days=2)
    )
    make_article(db, title="Other", body_text="once quneitra and many other words here", published_at=utcnow())
    usa = subject("USA")
    assert titles(search_articles(db, subject=usa, text="quneitra")) == ["Other", "Quneitra"]
    assert titles(search_articles(db, subject=usa, text="quneitra", best_first=True)) == ["Quneitra", "Other"]
    assert titles(search_articles(db, subject=usa, text="quneitra", limit=1, offset=1)) == ["Quneitra"]


def test_articles_of_one_moment_are_all_indexed_and_a_date_range_narrows_a_search(db, subject):
    moment = utcnow()
    same = [make_article(db, title=f"Same {i}", body_text="simultaneous", published_at=moment) for i in range(5)]
    make_article(db, title="Older", body_text="simultaneous", published_at=moment - timedelta(days=2))
    index_article(db, same[0])  # a re-index keeps one row per article
    usa = subject("USA")
    found = titles(search_articles(db, subject=usa, text="simultaneous"))
    assert sorted(found[:5]) == [f"Same {i}" for i in range(5)] and found[5:] == ["Older"]
    recent = ArticleFilters(since=moment - timedelta(days=1))
    assert len(search_articles(db, subject=usa, text="simultaneous", filters=recent)) == 5
    older = ArticleFilters(until=moment - timedelta(days=1))
    assert titles(search_articles(db, subject=usa, text="simultaneous", filters=older)) == ["Older"]


def test_the_demo_articles_are_illustrative_and_found_in_three_languages(db, subject, cell):
    from fusioncell.demo import ILLUSTRATIVE
    from fusioncell.osint.demo import seed_demo_articles

    seed_demo_articles(db, cell=cell, usa=subject("USA"), isr=subject("ISR"), syr=subject("SYR"))
    usa = subject("USA")
    found = search_articles(db, subject=usa, limit=200)
    assert found and all(a.illustrative and a.title.startswith(ILLUSTRATIVE) for a in found)
    assert {a.language for a in found} >= {"en", "ar", "he"}
    for word in ("Quneitra", "القنيطرة", "בקוניטרה"):
        assert search_articles(db, subject=usa, text=word), word
    assert all(a.places for a in search_articles(db, subject=usa, filters=ArticleFilters(place="quneitra")))
    assert len(search_articles(db, subject=subject("SYR"), limit=200)) == len(found) - 1  # one is USA's alone


def test_dates_at_the_ends_of_the_calendar_are_indexed(db, subject):
    from datetime import UTC, datetime

    make_article(db, title="Far future", body_text="outlier", published_at=datetime(9999, 12, 31, tzinfo=UTC))
    make_article(db, title="Long ago", body_text="outlier", published_at=datetime(1, 1, 2, tzinfo=UTC))
    assert titles(search_articles(db, subject=subject("USA"), text="outlier")) == ["Far future", "Long ago"]
