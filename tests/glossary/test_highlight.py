"""The `glossed` filter: agreed terms marked in English, Arabic and Hebrew (with their prefixes), never inside a
word, a link, code or an attribute; everything escaped; one small query per page, however many texts."""

import re
from html import unescape
from types import SimpleNamespace

import pytest
from markupsafe import Markup
from sqlalchemy import event

from fusioncell.access.dependencies import Caller
from fusioncell.glossary import service
from fusioncell.glossary.highlight import AgreedTerm, Matcher, mark_terms
from fusioncell.glossary.service import Wording
from fusioncell.web.templating import templates


def term(key, english, arabic, hebrew, **variants) -> AgreedTerm:
    wording = {"en": english, "ar": arabic, "he": hebrew}
    return AgreedTerm(key, wording, {lang: [wording[lang], *variants.get(lang, [])] for lang in wording})


AOS = term("area-of-separation", "Area of Separation", "منطقة الفصل", "אזור ההפרדה")
SEPARATION = term("separation", "separation", "الفصل", "הפרדה")
UNDOF = term("undof", "UNDOF", "أندوف", 'אונדו"ף', en=["United Nations Disengagement Observer Force"])
LINE = term("alpha-line", "Alpha line", "خط ألفا", "קו אלפא", en=["Line Alpha"])
MATCHER = Matcher([AOS, SEPARATION, UNDOF, LINE])


def marked(text) -> list[tuple[str, str]]:
    """(key, occurrence) of every span the filter made."""
    html = str(mark_terms(text, MATCHER))
    pattern = r'<span class="glossary-term" data-term="([^"]+)" tabindex="0" title="[^"]*">([^<]*)</span>'
    return [(key, unescape(occurrence)) for key, occurrence in re.findall(pattern, html)]


def test_english_terms_any_case_and_spacing_longest_first():
    assert marked("Drone over the area of  Separation, heading east.") == [
        ("area-of-separation", "area of  Separation")
    ]
    assert marked("separation; Separation.") == [("separation", "separation"), ("separation", "Separation")]
    assert marked("the United Nations Disengagement Observer Force (UNDOF)") == [
        ("undof", "United Nations Disengagement Observer Force"),
        ("undof", "UNDOF"),
    ]


def test_never_inside_a_word():
    assert marked("separations inseparation UNDOFS xUNDOF Alpha lines") == []
    assert marked("منطقةالفصل فصل") == []
    assert marked("האזורי הפרדות") == []


@pytest.mark.parametrize(
    "text, occurrence",
    [
        ("منطقة الفصل", "منطقة الفصل"),
        ("طائرة فوق منطقة الفصل.", "منطقة الفصل"),
        ("وبمنطقة الفصل", "وبمنطقة الفصل"),
        ("لمنطقة الفصل", "لمنطقة الفصل"),
        ("فمنطقة الفصل", "فمنطقة الفصل"),
        ("منطقه الفصل", "منطقه الفصل"),  # a final ه for ة
        ("مِنْطَقَةُ الفَصْلِ", "مِنْطَقَةُ الفَصْلِ"),  # vowel marks
        ("بخط الفا", "بخط الفا"),  # alef without its hamza
    ],
)
def test_arabic_with_its_prefixes_and_spellings(text, occurrence):
    assert [o for _, o in marked(text)] == [occurrence]


@pytest.mark.parametrize("text", ["الفصل", "والفصل", "بالفصل", "للفصل", "وللفصل", "فبالفصل", "كالفصل"])
def test_an_arabic_term_with_its_article_keeps_it_under_every_prefix(text):
    assert marked(text) == [("separation", text)]


@pytest.mark.parametrize(
    "text, key",
    [
        ("אזור ההפרדה", "area-of-separation"),
        ("באזור ההפרדה", "area-of-separation"),
        ("ובאזור ההפרדה", "area-of-separation"),
        ("מאזור ההפרדה", "area-of-separation"),
        ("שבאזור ההפרדה", "area-of-separation"),
        ("לאונדו״ף", "undof"),  # gershayim or a plain double quote alike
        ('כשאונדו"ף', "undof"),
        ("הפרדה", "separation"),
        ("וההפרדה", "separation"),
        ("בקו אלפא", "alpha-line"),
    ],
)
def test_hebrew_with_its_prefixes(text, key):
    assert marked(text) == [(key, text)]


def test_the_title_gives_the_agreed_wording_in_all_three_languages():
    html = str(mark_terms("Area of Separation", MATCHER))
    assert 'title="Area of Separation — منطقة الفصل — אזור ההפרדה"' in html
    assert 'data-term="area-of-separation"' in html and 'tabindex="0"' in html


def test_plain_text_is_escaped_hostile_or_not():
    html = str(mark_terms('<script>alert("UNDOF")</script> & Area of Separation', MATCHER))
    assert "<script>" not in html and "&lt;script&gt;" in html and "&amp;" in html
    assert "alert(&quot;" in html and ">UNDOF</span>" in html
    assert str(mark_terms("<b>no terms</b>", None)) == "&lt;b&gt;no terms&lt;/b&gt;"


def test_quotes_and_brackets_in_a_term_are_escaped_in_the_attribute_and_the_text():
    hostile = Matcher([term('x"><script>', 'say "yes"', "<ب>", "ג'", en=['"quoted" term'])])
    html = str(mark_terms('We say "yes" and "quoted" term', hostile))
    assert 'data-term="x&quot;&gt;&lt;script&gt;"' in html and "<script>" not in html
    assert 'title="say &quot;yes&quot; — &lt;ب&gt; — ג&#x27;"' in html
    assert ">say &quot;yes&quot;</span>" in html and ">&quot;quoted&quot; term</span>" in html


def test_html_only_text_nodes_change_and_never_inside_links_code_or_attributes():
    body = Markup(
        '<p>Over the <a href="https://x.example/Area of Separation" title="UNDOF">Area of Separation</a>, '
        "<code>UNDOF</code>, <strong>UNDOF</strong> &amp; &lt;UNDOF&gt;<br>separation</p><pre>UNDOF</pre>"
    )
    html = str(mark_terms(body, MATCHER))
    assert html == (
        '<p>Over the <a href="https://x.example/Area of Separation" title="UNDOF">Area of Separation</a>, '
        '<code>UNDOF</code>, <strong><span class="glossary-term" data-term="undof" tabindex="0" '
        'title="UNDOF — أندوف — אונדו&quot;ף">UNDOF</span></strong> &amp; &lt;<span class="glossary-term" '
        'data-term="undof" tabindex="0" title="UNDOF — أندوف — אונדו&quot;ף">UNDOF</span>&gt;<br>'
        '<span class="glossary-term" data-term="separation" tabindex="0" title="separation — الفصل — הפרדה">'
        "separation</span></p><pre>UNDOF</pre>"
    )


def test_marking_twice_marks_once_and_markup_without_terms_is_unchanged():
    once = mark_terms("Area of Separation", MATCHER)
    assert mark_terms(once, MATCHER) == once
    body = Markup("<p>nothing &amp; nobody</p>")
    assert mark_terms(body, MATCHER) == body and mark_terms(body, None) == body
    assert mark_terms(None, MATCHER) == ""


AOS_WORDING = Wording(
    wording={"en": "Area of Separation", "ar": "منطقة الفصل", "he": "אזור ההפרדה"}, variants={}, note=""
)


def render_page(runtime, member, texts: list) -> str:
    """What a page does: `| glossed` over each text, with the context render() gives every page."""
    request = SimpleNamespace(app=SimpleNamespace(state=SimpleNamespace(runtime=runtime)), state=SimpleNamespace())
    template = templates.env.from_string("{% for t in texts %}<div>{{ t | glossed }}</div>{% endfor %}")
    return template.render(request=request, caller=Caller(subject=member, user=None), texts=texts)


def test_a_page_of_fifty_texts_asks_one_small_query_and_sees_new_agreements(db, cell, subject, runtime, connection):
    usa, isr, syr = subject("usa.liaison"), subject("isr.liaison"), subject("syr.liaison")
    term_row = service.propose_term(db, cell=cell, subject=usa, key="area-of-separation", content=AOS_WORDING)
    db.flush()
    texts = [Markup("<p>Drone over the Area of Separation</p>"), "באזור ההפרדה", "في منطقة الفصل"] * 17
    assert "glossary-term" not in render_page(runtime, isr, texts), "a proposed term is not marked"

    for party in (isr, syr):
        service.approve_term(db, cell=cell, subject=party, term_id=term_row.id, version=1)
    db.flush()
    queries = []

    def count(conn, cursor, statement, *args):
        queries.append(statement)

    event.listen(connection, "before_cursor_execute", count)
    try:
        first = render_page(runtime, isr, texts)
        queries.clear()
        again = render_page(runtime, isr, texts)
    finally:
        event.remove(connection, "before_cursor_execute", count)
    assert first.count('class="glossary-term"') == 51 and again == first
    selects = [q for q in queries if q.lstrip().upper().startswith("SELECT")]
    assert len(selects) == 1, selects


def test_the_filter_without_a_member_escapes_and_marks_nothing():
    template = templates.env.from_string("{{ t | glossed }}")
    assert template.render(t="<i>Area of Separation</i>") == "&lt;i&gt;Area of Separation&lt;/i&gt;"
