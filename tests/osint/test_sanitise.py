"""Nothing dangerous reaches a page: the allow-list, links with rel, only http/https/mailto, malformed links as
text; and the plain text searched is the text shown."""

import pytest

from fusioncell.osint.links import check_link, normalise
from fusioncell.osint.sanitise import plain_text, sanitise_html, text_of

DANGEROUS = [
    "<script>alert(1)</script><p>ok</p>",
    '<p onclick="alert(1)">ok</p>',
    '<a href="javascript:alert(1)">ok</a>',
    '<a href="JaVaScRiPt:alert(1)">ok</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD4=">ok</a>',
    '<img src="x" onerror="alert(1)"><p>ok</p>',
    '<iframe src="https://evil.example"></iframe><p>ok</p>',
    '<svg onload="alert(1)"><p>ok</p></svg>',
    '<style>body{display:none}</style><p style="position:fixed">ok</p>',
    '<form action="https://evil.example"><input name="p"></form><p>ok</p>',
    '<a href="vbscript:msgbox(1)">ok</a>',
    '<object data="x.swf"></object><p>ok</p>',
]


@pytest.mark.parametrize("raw", DANGEROUS)
def test_no_script_handlers_or_bad_urls_survive(raw):
    safe = sanitise_html(raw)
    lowered = safe.lower()
    for word in ("<script", "onclick", "onerror", "onload", "javascript:", "data:", "vbscript:", "<iframe", "<style",
                 "style=", "<form", "<input", "<object", "<svg"):  # fmt: skip
        assert word not in lowered, (raw, safe)
    assert "ok" in plain_text(safe)
    assert "alert" not in plain_text(safe) and "display:none" not in plain_text(safe)


def test_links_keep_their_address_and_get_rel():
    safe = sanitise_html(
        '<a href="https://example.org/a" target="_blank" rel="opener">a</a> <a href="mailto:x@y.org">m</a>'
    )
    assert safe == (
        '<a href="https://example.org/a" rel="noopener noreferrer">a</a> '
        '<a href="mailto:x@y.org" rel="noopener noreferrer">m</a>'
    )


def test_a_doubled_scheme_in_a_body_is_words_not_a_link():
    assert sanitise_html('<a href="https://https://example.org">x</a>') == '<a rel="noopener noreferrer">x</a>'


@pytest.mark.parametrize(
    "raw",
    ["https://https://example.org/a", "http://http//example.org", "javascript:alert(1)", "data:text/html,x",
     "https:/example.org", "example.org/a", "https://exa mple.org", "ftp://example.org/file"],
)  # fmt: skip
def test_malformed_links_are_kept_as_text(raw):
    checked = check_link(raw)
    assert checked.link is None and checked.key is None and checked.text == raw


def test_the_dedup_key_ignores_case_fragments_tracking_and_slashes():
    assert normalise("HTTPS://Example.ORG:443/a/?utm_source=rss&b=2&a=1#top") == "https://example.org/a?a=1&b=2"
    assert check_link("https://example.org/a/").key == check_link("https://EXAMPLE.org/a?fbclid=1").key
    assert check_link("https://example.org/a").key != check_link("https://example.org/b").key


def test_plain_text_keeps_paragraphs_and_entities():
    assert plain_text(sanitise_html("<p>One &amp; two</p><p>three<br>four</p>")) == "One & two\nthree\nfour"
    assert text_of("A &lt;b&gt; title <em>with</em> markup") == "A <b> title with markup"
