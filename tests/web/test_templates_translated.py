"""No word a reader sees in a template escapes translation.

Each template is read with Jinja's own lexer: the raw text between its tags (and inside `{% trans %}` blocks,
which are translated) is parsed as HTML, and every text node and every attribute a person reads (title,
placeholder, aria-label, alt, label, and the data-* messages the scripts show) must either carry no Latin letter
or be one of the few words that are the same in every language (codes, units, the product's name). String
literals printed by expressions (`{{ "Yes" if ... }}`) are held to the same rule unless they are the argument of
`_()`/`gettext`/`ngettext`.
"""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from jinja2 import Environment

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "src" / "fusioncell" / "web" / "templates"
# A gap left where an expression or tag stood: text on either side of it is judged apart (spaced, so a gap
# inside a tag reads as one more attribute).
MARK = "\x00"
GAP = f" {MARK} "
LETTER = re.compile(r"[A-Za-z]")
READ_ATTRIBUTES = {"title", "placeholder", "aria-label", "alt", "label", "aria-description"}
# Words that are the same on every page: the product, codes and units, marks of the record's formats.
SAME_IN_EVERY_LANGUAGE = {
    "fusioncell",
    "UTC",
    "TLP",
    "TLP:RED",
    "TLP:AMBER",
    "TLP:AMBER+STRICT",
    "TLP:GREEN",
    "TLP:CLEAR",
    "STIX",
    "TAXII",
    "REL TO",
    "CoT",
    "API",
    "CSV",
    "JSON",
    "GeoJSON",
    "OpenAPI",
    "PDF",
    "km",
    "MW",
    "USD",
    "ID",
    "UUID",
    "SHA-256",
    "Ed25519",
    "RSS",
    "Atom",
    "URL",
    "SMTP",
    "https://",
}
CODE = {"code", "kbd", "samp"}
# A CSS class in a block (`login-page`) or a path (`/taxii2/`) is not a word.
NOT_A_WORD = re.compile(r"[a-z0-9]+(-[a-z0-9]+)+|/\S*")
TRANSLATING_CALLS = {"_", "gettext", "ngettext", "pgettext"}
ENVIRONMENT = Environment(extensions=["jinja2.ext.i18n"])


def _readable(text: str) -> list[str]:
    """The pieces of a text a person reads that carry words."""
    found = []
    for piece in text.split(MARK):
        piece = " ".join(piece.split())
        if NOT_A_WORD.fullmatch(piece):
            continue
        if LETTER.search(piece) and piece.strip(" .,:;·()[]|/-–—") not in SAME_IN_EVERY_LANGUAGE:
            found.append(piece)
    return found


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.untranslated: list[str] = []
        self._hidden = 0  # inside <script> or <style>
        self._code = 0  # inside <code>, <kbd> or <samp>: commands and formats are the same in every language

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._hidden += 1
        if tag in CODE:
            self._code += 1
        for name, value in attrs:
            shown_by_script = name.startswith("data-") and value and " " in value.replace(MARK, "").strip()
            read = name in READ_ATTRIBUTES or shown_by_script
            if read and value:
                self.untranslated += [f'{name}="{piece}"' for piece in _readable(value)]
        if tag == "input":
            kind = dict(attrs).get("type")
            if kind in ("submit", "button", "reset") and dict(attrs).get("value"):
                self.untranslated += [f'value="{piece}"' for piece in _readable(dict(attrs)["value"])]

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._hidden:
            self._hidden -= 1
        if tag in CODE and self._code:
            self._code -= 1

    def handle_data(self, data):
        if not self._hidden and not self._code:
            self.untranslated += _readable(data)


def _printed_literals(tokens: list[tuple[str, str]]) -> list[str]:
    """String literals in `{{ }}` that are printed rather than handed to a translating call."""
    found, depth_in_call, stack = [], 0, []
    previous = None
    for kind, value in tokens:
        if kind == "whitespace":
            continue
        if (kind, value) == ("operator", "("):
            translating = previous is not None and previous[0] == "name" and previous[1] in TRANSLATING_CALLS
            stack.append(translating)
            depth_in_call += translating
        elif (kind, value) == ("operator", ")") and stack:
            depth_in_call -= stack.pop()
        elif kind == "string" and not depth_in_call and previous != ("operator", "["):
            words = value[1:-1].strip()
            if LETTER.search(words) and (" " in words or words[:1].isupper()) and not words.startswith("%"):
                if words not in SAME_IN_EVERY_LANGUAGE:
                    found.append(value)
        previous = (kind, value)
    return found


def untranslated_words(source: str) -> list[str]:
    text, expression, printed = [], None, []
    in_trans = False
    block: list[tuple[str, str]] = []
    for _, kind, value in ENVIRONMENT.lex(source):
        if kind == "data":
            text.append(GAP if in_trans else value)
        elif kind in ("variable_begin", "block_begin"):
            expression, block = kind, []
            text.append(GAP)
        elif kind in ("variable_end", "block_end"):
            names = [v for k, v in block if k == "name"]
            if expression == "block_begin" and names[:1] == ["trans"]:
                in_trans = True
            elif expression == "block_begin" and names[:1] == ["endtrans"]:
                in_trans = False
            elif expression == "variable_begin" and not in_trans:
                printed += _printed_literals(block)
            expression = None
        elif expression is not None and kind != "whitespace":
            block.append((kind, value))
    reader = _Reader()
    reader.feed("".join(text))
    reader.close()
    return reader.untranslated + printed


def all_templates() -> list[str]:
    return sorted(path.name for path in TEMPLATES.glob("*.html"))


@pytest.mark.parametrize("template", all_templates())
def test_every_word_of_the_template_is_marked_for_translation(template):
    words = untranslated_words((TEMPLATES / template).read_text(encoding="utf-8"))
    assert words == [], f"{template}: wrap these in _() — {words}"


def test_the_check_finds_an_unmarked_word_and_passes_a_marked_one():
    assert untranslated_words("<p>Incident queue</p>") == ["Incident queue"]
    assert untranslated_words('<input placeholder="Search reports">') == ['placeholder="Search reports"']
    assert untranslated_words('<button data-copy-done="Copied to the clipboard.">x</button>') == [
        'data-copy-done="Copied to the clipboard."',
        "x",
    ]
    assert untranslated_words("{{ 'Yes' if done else 'No' }}") == ["'Yes'", "'No'"]
    marked = "<p>{{ _('Incident queue') }}</p>{% trans %}Due soon{% endtrans %}<i title=\"{{ _('Map') }}\">UTC</i>"
    assert untranslated_words(marked) == []
    assert untranslated_words('<script>const words = "not read";</script><p>{{ name }} · 12</p>') == []
