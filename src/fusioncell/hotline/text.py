"""Message text: a small Markdown subset rendered to sanitised HTML, and the language of a text."""

import unicodedata

import nh3
from markdown_it import MarkdownIt

# CommonMark's "zero" preset with only what a liaison officer needs: emphasis, lists, links, code.
_markdown = MarkdownIt("zero").enable(["emphasis", "list", "link", "backticks", "newline", "paragraph"])
_markdown.options["breaks"] = True  # a line break typed is a line break shown
ALLOWED_TAGS = {"p", "em", "strong", "ul", "ol", "li", "a", "code", "br"}
ALLOWED_ATTRIBUTES = {"a": {"href"}}
URL_SCHEMES = {"http", "https", "mailto"}


def render_body(text: str) -> str:
    """Markdown subset to HTML, then through nh3 (Ammonia): no script, no handlers, no javascript: links."""
    return nh3.clean(
        _markdown.render(text),
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
    )


def detect_language(text: str) -> str:
    """en, ar or he by the script most of the letters are written in (Latin and others count as en)."""
    counts = {"ar": 0, "he": 0, "en": 0}
    for char in text:
        if not char.isalpha():
            continue
        name = unicodedata.name(char, "")
        if name.startswith("ARABIC"):
            counts["ar"] += 1
        elif name.startswith("HEBREW"):
            counts["he"] += 1
        else:
            counts["en"] += 1
    best = max(counts, key=lambda code: counts[code])
    return best if counts[best] else "en"
