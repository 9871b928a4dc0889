"""Marks the glossary's agreed terms in a text a page shows: the `glossed` Jinja filter.

`text | glossed` takes plain text (a str, escaped here) or Markup (HTML already sanitised, e.g. a message body
nh3 produced) and returns Markup in which every occurrence of an agreed term, in English, Arabic or Hebrew, is
wrapped in `<span class="glossary-term" data-term="KEY" tabindex="0" title="EN — AR — HE">`. HTML is walked
with html.parser: only text nodes change, never a tag, an attribute, or the text inside <a>, <code>, <pre>
(nor <script>, <style>, <textarea>, or a term already marked).

Matching: English case-insensitively; Arabic with its one-letter prefixes and the article (و ف ب ك ل, ال,
وال, بال, لل...), its alef forms, final ه for ة, ى for ي, and vowel marks or tatweel between letters; Hebrew
with its prefixes (ה ו ב ל מ ש כ, up to three, and ב/ל/כ swallowing a term's ה). A term never matches inside
a longer word; at any place the longest form wins.

The terms a page may show are those of the caller's party, read through the releasability rule
(glossary/service.py `agreed_versions`). They are compiled once and kept in this process, keyed by the
database, the party and a cheap fingerprint of the glossary (`glossary_stamp`); a page asks for that
fingerprint once, however many texts it marks (it remembers the answer on `request.state`). The filter finds
what it needs in the context every page already has: `request` (the runtime, so the database) and `caller`.
"""

import re
import threading
from dataclasses import dataclass
from html import escape as escape_html
from html.parser import HTMLParser

from jinja2 import pass_context
from markupsafe import Markup, escape

from fusioncell.access.subjects import Subject

SKIPPED = frozenset({"a", "code", "pre", "kbd", "samp", "script", "style", "textarea", "button", "select", "option"})
VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr"}
)
SEPARATOR = " — "

# Arabic: marks that may sit between letters (harakat, Quranic marks, superscript alef, tatweel).
_AR_MARKS = "[\u0610-\u061a\u064b-\u065f\u0670\u0640]*"
_AR_EQUIVALENT = {
    "ا": "[اأإآٱ]",
    "أ": "[اأإآٱ]",
    "إ": "[اأإآٱ]",
    "آ": "[اأإآٱ]",
    "ة": "[ةه]",
    "ى": "[ىي]",
    "ي": "[يى]",
}
# و/ف, then ب/ك/ل, then the article; or ل + ل (لـ before the article swallows its alef).
_AR_PREFIX = "(?:[وف]?(?:[بكل]?ال|لل|[بكل])|[وف])?"
# Up to three of Hebrew's one-letter prefixes.
_HE_PREFIX = "[והבלמשכ]{0,3}"
_HE_MARKS = "[\u0591-\u05c7]*"
_HE_EQUIVALENT = {'"': '["״]', "״": '["״]', "'": "['׳]", "׳": "['׳]"}
_SPACE = r"\s+"
# A letter or digit of any script: no term may touch one on either side.
_BOUND_BEFORE = r"(?<![^\W_])"
_BOUND_AFTER = r"(?![^\W_])"


def _letters(text: str, equivalent: dict[str, str], marks: str) -> str:
    """A form letter by letter: each letter or its equivalents, marks allowed after it, any run of spaces."""
    return _SPACE.join("".join(equivalent.get(char, re.escape(char)) + marks for char in word) for word in text.split())


def _arabic(form: str) -> str:
    form = " ".join(form.split())
    if form.startswith("ال") and len(form) > 3:
        # Written with its article: "الفصل", "والفصل", "بالفصل", "للفصل", "فللفصل".
        rest = _letters(form[2:], _AR_EQUIVALENT, _AR_MARKS)
        return f"(?:[وف]?(?:[بك]?[اأإآ]{_AR_MARKS}ل|ل{_AR_MARKS}ل){_AR_MARKS}){rest}"
    return _AR_PREFIX + _letters(form, _AR_EQUIVALENT, _AR_MARKS)


def _hebrew(form: str) -> str:
    form = " ".join(form.split())
    pattern = _HE_PREFIX + _letters(form, _HE_EQUIVALENT, _HE_MARKS)
    if form.startswith("ה") and len(form) > 2:
        # "הקו" read as "בקו", "לקו", "שבקו": the prefix takes the article's place.
        pattern = f"(?:{pattern}|[וש]{{0,2}}[בלכ]{_letters(form[1:], _HE_EQUIVALENT, _HE_MARKS)})"
    return pattern


def _english(form: str) -> str:
    return "(?i:" + _SPACE.join(re.escape(word) for word in form.split()) + ")"


_BUILDERS = {"en": _english, "ar": _arabic, "he": _hebrew}


@dataclass(frozen=True)
class AgreedTerm:
    key: str
    wording: dict[str, str]  # en, ar, he
    forms: dict[str, list[str]]  # per language: the wording and its variants

    @property
    def title(self) -> str:
        return SEPARATOR.join(self.wording[lang] for lang in ("en", "ar", "he"))


class Matcher:
    """The agreed terms compiled into one pattern (longest form first) and the markup of each match."""

    def __init__(self, terms: list[AgreedTerm]) -> None:
        self.terms = {t.key: t for t in terms}
        alternatives = []  # (length of the form, group name, pattern)
        self._group_key: dict[str, str] = {}
        for index, term in enumerate(terms):
            for language, forms in term.forms.items():
                for number, form in enumerate(forms):
                    if not form.strip():
                        continue
                    group = f"t{index}_{language}_{number}"
                    self._group_key[group] = term.key
                    alternatives.append((len(form), group, _BUILDERS[language](form)))
        alternatives.sort(key=lambda a: -a[0])
        self.pattern = (
            re.compile(
                _BOUND_BEFORE + "(?:" + "|".join(f"(?P<{g}>{p})" for _, g, p in alternatives) + ")" + _BOUND_AFTER
            )
            if alternatives
            else None
        )
        # Each term's opening tag, made once: the key and the title escaped for an attribute.
        self._opening = {
            t.key: (
                f'<span class="glossary-term" data-term="{escape_html(t.key, quote=True)}" tabindex="0" '
                f'title="{escape_html(t.title, quote=True)}">'
            )
            for t in terms
        }

    def mark(self, text: str) -> str:
        """Plain text in, HTML out: everything escaped, each occurrence wrapped."""
        if self.pattern is None or not text:
            return escape_html(text, quote=True)
        out, position = [], 0
        for match in self.pattern.finditer(text):
            key = self._group_key[match.lastgroup]
            out.append(escape_html(text[position : match.start()], quote=True))
            out.append(self._opening[key] + escape_html(match.group(0), quote=True) + "</span>")
            position = match.end()
        out.append(escape_html(text[position:], quote=True))
        return "".join(out)


class _Walker(HTMLParser):
    """Rewrites sanitised HTML: tags as they came, text nodes through the matcher unless inside a skipped tag."""

    def __init__(self, matcher: Matcher) -> None:
        super().__init__(convert_charrefs=True)
        self.matcher = matcher
        self.out: list[str] = []
        self.stack: list[tuple[str, bool]] = []  # open elements and whether text inside them is left alone

    @property
    def skipping(self) -> bool:
        return bool(self.stack) and self.stack[-1][1]

    def handle_starttag(self, tag, attrs):
        self.out.append(self.get_starttag_text() or "")
        if tag in VOID:
            return
        marked = tag == "span" and "glossary-term" in (dict(attrs).get("class") or "").split()
        self.stack.append((tag, self.skipping or tag in SKIPPED or marked))

    def handle_startendtag(self, tag, attrs):
        self.out.append(self.get_starttag_text() or "")

    def handle_endtag(self, tag):
        self.out.append(f"</{tag}>")
        for depth in range(len(self.stack) - 1, -1, -1):
            if self.stack[depth][0] == tag:
                del self.stack[depth:]
                break

    def handle_data(self, data):
        self.out.append(escape_html(data, quote=True) if self.skipping else self.matcher.mark(data))

    def handle_comment(self, data):
        self.out.append(f"<!--{data}-->")

    def handle_decl(self, decl):
        self.out.append(f"<!{decl}>")

    def handle_pi(self, data):
        self.out.append(f"<?{data}>")

    def unknown_decl(self, data):
        self.out.append(f"<![{data}]>")


def mark_terms(value, matcher: Matcher | None) -> Markup:
    """`value` with the matcher's terms wrapped: a str is plain text (escaped), Markup is HTML (walked)."""
    if value is None:
        return Markup("")
    if not isinstance(value, Markup):
        text = str(value)
        return Markup(matcher.mark(text)) if matcher is not None else escape(text)
    if matcher is None or matcher.pattern is None:
        return value
    walker = _Walker(matcher)
    walker.feed(str(value))
    walker.close()
    return Markup("".join(walker.out))


# The compiled terms, per database and party, with the fingerprint they were read at.
_cache: dict[tuple[str, str, bool], tuple[tuple, Matcher]] = {}
_cache_lock = threading.Lock()


def matcher_for(session, subject: Subject, database_key: str) -> Matcher:
    """The agreed terms `subject` may read, compiled; one small query when nothing changed."""
    from fusioncell.glossary.service import agreed_versions, glossary_stamp

    stamp = glossary_stamp(session)
    cache_key = (database_key, subject.party, subject.is_mediator)
    with _cache_lock:
        cached = _cache.get(cache_key)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    terms = [
        AgreedTerm(
            key=term.key,
            wording={lang: version.wording[lang] for lang in ("en", "ar", "he")},
            forms={lang: version.forms(lang) for lang in ("en", "ar", "he")},
        )
        for term, version in agreed_versions(session, subject=subject)
    ]
    matcher = Matcher(terms)
    with _cache_lock:
        _cache[cache_key] = (stamp, matcher)
    return matcher


def _page_matcher(context) -> Matcher | None:
    """The page's matcher: looked up once per request (kept on request.state), None outside a member's page."""
    request, caller = context.get("request"), context.get("caller")
    if request is None or caller is None:
        return None
    state = getattr(request, "state", None)
    found = getattr(state, "glossary_matcher", None) if state is not None else None
    if found is not None:
        return found
    runtime = getattr(getattr(request.app, "state", None), "runtime", None)
    if runtime is None:
        return None
    database = runtime.database
    with database.session(write=False) as session:
        found = matcher_for(session, caller.subject, f"{id(database.engine)}:{database.url}")
    if state is not None:
        state.glossary_matcher = found
    return found


@pass_context
def glossed(context, text):
    """Jinja filter: `{{ message.body_html | safe | glossed }}` or `{{ note | glossed }}`."""
    return mark_terms(text, _page_matcher(context))
