"""The front-matter format: keys read, Markdown rendered, dates in the formats sites write, bad input refused
with a reason."""

from datetime import UTC, datetime

import pytest

from fusioncell.osint.frontmatter import parse_article, parse_date
from fusioncell.osint.ingest import Candidate, Rejection


@pytest.mark.parametrize(
    "value, expected",
    [
        ("2026-01-05", datetime(2026, 1, 5, tzinfo=UTC)),
        ("2026-01-05T10:00:00+02:00", datetime(2026, 1, 5, 8, tzinfo=UTC)),
        ("2026-01-05T08:00:00Z", datetime(2026, 1, 5, 8, tzinfo=UTC)),
        ("Mon, 05 Jan 2026 10:00:00 +0200", datetime(2026, 1, 5, 8, tzinfo=UTC)),
        ("05/01/2026", datetime(2026, 1, 5, tzinfo=UTC)),
        ("January 5, 2026", datetime(2026, 1, 5, tzinfo=UTC)),
        ("5 January 2026", datetime(2026, 1, 5, tzinfo=UTC)),
        ("2026-01-05 10:30", datetime(2026, 1, 5, 10, 30, tzinfo=UTC)),
        (datetime(2026, 1, 5, 10), datetime(2026, 1, 5, 10, tzinfo=UTC)),
        (None, None),
    ],
)
def test_dates_in_odd_formats(value, expected):
    assert parse_date(value) == (expected, None)


def test_an_unreadable_date_is_a_reason():
    assert parse_date("yesterday-ish") == (None, "unreadable date 'yesterday-ish'")


def test_keys_and_a_markdown_body():
    text = (
        "---\ntitle: A title\ndate: 2026-01-05\nsummary: In short\nslug: a-title\nimage: https://x.example/i.jpg\n"
        "link: https://x.example/a\nsource: The Outlet\ncategories: [News]\ntags: a, b\n---\n# Head\n\n*em* body\n"
    )
    article = parse_article(text, where="a.md", is_html=False)
    assert isinstance(article, Candidate)
    assert (article.title, article.summary, article.guid, article.source_name) == (
        "A title",
        "In short",
        "a-title",
        "The Outlet",
    )
    assert article.tags == ["News", "a", "b"] and article.link == "https://x.example/a"
    assert article.body_html == "<h1>Head</h1>\n<p><em>em</em> body</p>\n"


@pytest.mark.parametrize(
    "text, reason",
    [
        ("no fence\n", "no front matter (a '---' block first)"),
        ("---\n- a list\n---\nbody", "front matter is not a mapping of keys to values"),
        ("---\ntitle: [unclosed\n---\nbody", "front matter is not YAML at line 3"),  # where the parser gave up
        ("---\ndate: 2026-01-05\n---\nbody", "no title in the front matter"),
        ("---\ntitle: t\ndraft: true\n---\nbody", "marked draft: not published"),
    ],
)
def test_bad_front_matter(text, reason):
    assert parse_article(text, where="x.md", is_html=False) == Rejection("x.md", reason)
