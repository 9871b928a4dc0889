"""Places, parties, people and desks an article mentions, from the cell's definition in its three languages.

One regex per language, compiled once per cell: English names on word boundaries, case-insensitive; Arabic
names after the clitics a word may carry (و ف ب ك ل, and لل for ل + ال), diacritics and alef forms
folded; Hebrew names after the prefixes ו ה ב ל מ ש כ. A match is looked up in a table to give the code."""

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from fusioncell.cell.definition import CellDefinition

_FOLDED = {"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "’": "'", "‘": "'", "׳": "'", "`": "'"}
# Marks dropped and letters folded in one pass (a regex finds the rare ones faster than str.translate walks all).
_TO_FOLD = re.compile("[\u064b-\u0652\u0670\u0640" + "".join(_FOLDED) + "]")
_AR_PREFIX = "(?:[وف]?[بكل]?)"
_HE_PREFIX = "(?:[והבלמשכ]{0,2})"
_WORD_END = r"(?![\w])"
_WORD_START = r"\b"  # every name starts with a letter or digit
_ARABIC = re.compile(r"[\u0600-\u06FF]")
_HEBREW = re.compile(r"[\u0590-\u05FF]")

# Common forms the definition's formal names miss (demonyms, short names); keyed by party code.
PARTY_ALIASES = {
    "USA": (
        "US",
        "U.S.",
        "American",
        "Americans",
        "Washington",
        "أمريكا",
        "الأمريكية",
        "الأميركي",
        "واشنطن",
        'ארה"ב',
        "אמריקאי",
        "וושינגטון",
    ),
    "ISR": ("Israeli", "Israelis", "IDF", "الإسرائيلي", "الإسرائيلية", "إسرائيلي", "ישראלי", "ישראלית", 'צה"ל'),
    "SYR": (
        "Syria",
        "Syrian",
        "Syrians",
        "سوريا",
        "سورية",
        "السوري",
        "السورية",
        "סוריה",
        "סורי",
        "הסורי",
        "הסורית",
    ),
    "FRA": ("French", "فرنسي", "الفرنسية", "צרפתי"),
    "JOR": ("Jordanian", "أردني", "الأردنية", "ירדני"),
    "UNDOF": ("UNDOF", "UN observers", "أندوف", 'אונדו"ף'),
}
# Words that put an article on a desk, beyond the desk's own names.
DESK_KEYWORDS = {
    "intelligence": (
        "intelligence",
        "surveillance",
        "reconnaissance",
        "استخبارات",
        "الاستخبارات",
        "مخابرات",
        "מודיעין",
    ),
    "deescalation": (
        "ceasefire",
        "shelling",
        "air strike",
        "airstrike",
        "incursion",
        "troops",
        "withdrawal",
        "de-escalation",
        "buffer zone",
        "قصف",
        "غارة",
        "توغل",
        "انسحاب",
        "وقف إطلاق النار",
        "المنطقة العازلة",
        "הפגזה",
        "תקיפה",
        "נסיגה",
        "הפסקת אש",
        "אזור החיץ",
    ),
    "diplomacy": (
        "talks",
        "negotiation",
        "negotiations",
        "summit",
        "minister",
        "envoy",
        "statement",
        "agreement",
        "محادثات",
        "مفاوضات",
        "وزير",
        "مبعوث",
        "بيان",
        "اتفاق",
        "שיחות",
        "משא ומתן",
        "שליח",
        "הסכם",
    ),
    "commerce": (
        "investment",
        "economic zone",
        "pipeline",
        "wind power",
        "data centre",
        "data center",
        "jobs",
        "ski resort",
        "استثمار",
        "المنطقة الاقتصادية",
        "خط أنابيب",
        "وظائف",
        "השקעה",
        "אזור כלכלי",
        "צינור",
    ),
}


def fold(text: str) -> str:
    """Arabic diacritics dropped, alef forms and apostrophes made one: for names and texts alike."""
    return _TO_FOLD.sub(lambda m: _FOLDED.get(m.group(0), ""), text)


def _script(name: str) -> str:
    """en (any case), caps (an acronym: case matters, or "US" would match "us"), ar or he."""
    if name.isupper() and name.isascii():
        return "caps"
    if _ARABIC.search(name):
        return "ar"
    if _HEBREW.search(name):
        return "he"
    return "en"


@dataclass
class _Matcher:
    """One regex per script over every name of every kind: a text is scanned once per script it contains.

    The table maps a folded name to the (kind, code) pairs it stands for; where names overlap at one place in
    a text, the longest wins (the alternation is longest first)."""

    names: dict[str, dict[str, set]] = field(default_factory=lambda: {"en": {}, "caps": {}, "ar": {}, "he": {}})
    patterns: dict[str, re.Pattern] = field(default_factory=dict)

    def add(self, name: str, kind: str, code: str) -> None:
        name = fold(name.strip())
        if not name:
            return
        script = _script(name)
        self.names[script].setdefault(name.lower() if script == "en" else name, set()).add((kind, code))
        if script == "ar" and name.startswith("ال"):  # with ل before it: لل + the rest (للقنيطرة)
            self.names["ar"].setdefault("ل" + name[2:], set()).add((kind, code))

    def compile(self) -> None:
        for script, table in self.names.items():
            if not table:
                continue
            alternatives = _trie_pattern(table)
            prefix = {"ar": _AR_PREFIX, "he": _HE_PREFIX}.get(script, "")
            flags = re.IGNORECASE if script == "en" else 0
            self.patterns[script] = re.compile(f"{_WORD_START}{prefix}({alternatives}){_WORD_END}", flags)

    def find(self, folded: str, scripts: frozenset[str]) -> set[tuple[str, str]]:
        found = set()
        for script, pattern in self.patterns.items():
            if script not in scripts:
                continue
            table = self.names[script]
            for name in {m.group(1) for m in pattern.finditer(folded)}:
                found |= table[name.lower() if script == "en" else name]
        return found


def _trie_pattern(names) -> str:
    """The names as one regex with common prefixes factored out (Python's re tries an alternation one branch
    at a time: a trie makes the scan several times faster). Longer names win: an entry's end is tried last."""
    trie: dict = {}
    for name in names:
        node = trie
        for ch in name:
            node = node.setdefault(ch, {})
        node[""] = True
    return _node_pattern(trie)


def _node_pattern(node: dict) -> str:
    branches = [re.escape(ch) + _node_pattern(child) for ch, child in sorted(node.items()) if ch]
    ends = "" in node
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    return f"(?:{body})?" if ends else body


@dataclass(frozen=True)
class Tags:
    places: list[str]
    parties: list[str]
    people: list[str]
    desks: list[str]


class Tagger:
    def __init__(self, cell: CellDefinition, *, people: Iterable[str] = ()) -> None:
        self.matcher = _Matcher()
        add = self.matcher.add
        for place in cell.places:
            for name in (place.names.en, place.names.ar, place.names.he):
                add(name, "places", place.code)
            if place.names.en.endswith(" summit"):
                add(place.names.en.removesuffix(" summit"), "places", place.code)
        for party in cell.parties:
            names = (party.code, party.names.en, party.names.ar, party.names.he, *PARTY_ALIASES.get(party.code, ()))
            for name in names:
                add(name, "parties", party.code)
        for desk in cell.desks:
            for word in (desk.names.en, desk.names.ar, desk.names.he, *DESK_KEYWORDS.get(desk.code, ())):
                add(word, "desks", desk.code)
        for person in people:
            if len(person.strip()) >= 5:  # a full name, not an initial that would match everywhere
                add(person, "people", person.strip())
        self.matcher.compile()

    def tag(self, *texts: str) -> Tags:
        text = "\n".join(t for t in texts if t)
        folded = text if text.isascii() else fold(text)
        scripts = _scripts_in(folded)  # an English article is not scanned for Arabic or Hebrew names
        found: dict[str, set[str]] = {"places": set(), "parties": set(), "people": set(), "desks": set()}
        for kind, code in self.matcher.find(folded, scripts):
            found[kind].add(code)
        return Tags(**{kind: sorted(codes) for kind, codes in found.items()})


def _scripts_in(text: str) -> frozenset[str]:
    present = {"en", "caps"}
    if not text.isascii():
        if _ARABIC.search(text):
            present.add("ar")
        if _HEBREW.search(text):
            present.add("he")
    return frozenset(present)


def guess_language(text: str) -> str:
    sample = text[:2000]
    arabic = sum(1 for ch in sample if "\u0600" <= ch <= "\u06ff")
    hebrew = sum(1 for ch in sample if "\u0590" <= ch <= "\u05ff")
    if max(arabic, hebrew) * 5 < len(sample):
        return "en"
    return "ar" if arabic >= hebrew else "he"
