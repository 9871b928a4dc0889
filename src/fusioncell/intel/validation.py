"""The intelligence desk's edge check: refuse bad STIX 2.1 before it is stored.

Bundle uploads and TAXII POSTs must be refused when stix2-validator would refuse them, but the validator
takes ~5 ms an object (JSON schemas walked in Python) and stix2-patterns ~0.4 ms a pattern (an ANTLR
parser): an import of 10,000 objects would take a minute. This module checks the same rules with
precompiled regexes and dict lookups; the type tables live in stix_types.py. Simple indicator patterns are
recognised by a strict regex; anything else goes to the real pattern parser, and its verdict is cached.

Where the specification is stricter than the validator, so are we (see STRICTER_THAN_VALIDATOR). Not mirrored:
the inner schemas of the predefined SCO extensions (archive-ext, ntfs-ext, ...), the CPE check of software.cpe,
and the embedded objects of the deprecated observed-data.objects (checked only as a dictionary).

Measured on this machine (CPU time, best of 9 runs of 2,000 objects, 2 busy cores): 14.5 µs per typical
indicator (a fast-path pattern alone: 4 µs), 14.5 µs per report, 4-6 µs per SCO; stix2-patterns: 430 µs.
"""

import re
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from fusioncell.intel import stix_types as T

__all__ = [
    "MAX_BUNDLE_BYTES",
    "MAX_BUNDLE_OBJECTS",
    "STRICTER_THAN_VALIDATOR",
    "ObjectProblem",
    "check_bundle",
    "check_objects",
    "pattern_problem",
]

MAX_BUNDLE_BYTES = 10 * 1024 * 1024  # a larger upload is refused before parsing
MAX_BUNDLE_OBJECTS = 10_000

# Rules the specification states and the validator does not enforce; we refuse these too.
STRICTER_THAN_VALIDATOR = (
    "spec_version must be '2.1' (the validator also takes '2.0')",
    "created_by_ref must point to an identity, object_marking_refs to marking definitions",
    "references in SCOs (resolves_to_refs, ...) must be identifiers",
    "an object's id must start with its own type, custom types included",
    "without allow_custom, custom properties of SCOs need the x_ prefix as well",
)


@dataclass(frozen=True)
class ObjectProblem:
    index: int  # position in the objects list (-1 for the bundle itself)
    id: str | None  # the object's id if it had a string one
    field: str | None  # the property at fault; None for the whole object
    problem: str  # a sentence for an analyst


# --- Formats, as the schemas write them (jsonschema applies `pattern` with re.search) -------------------
_UUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-5][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}"
_IDENTIFIER = re.compile(rf"^([a-z][a-z0-9-]+[a-z0-9])--{_UUID}$")
_TIMESTAMP = re.compile(
    r"^([0-9]{4})-(0[1-9]|1[012])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):([0-5][0-9]):([0-5][0-9]|60)"
    r"(\.[0-9]+)?Z$"
)
_MILLIS = re.compile(r"T\d{2}:\d{2}:\d{2}\.\d{3,}Z$")
_TYPE_NAME = re.compile(r"^([a-z][a-z0-9]*)+(-[a-z0-9]+)*\-?$")
_PROPERTY_NAME = re.compile(r"^([a-z][a-z0-9_]{2,249})|id$")
_BIN_NAME, _HEX_NAME = re.compile(r"^[a-z][a-z0-9_]{0,245}_bin$"), re.compile(r"^[a-z][a-z0-9_]{0,245}_hex$")
_BASE64 = re.compile(r"^([A-Za-z0-9+/]{4})*([A-Za-z0-9+/]{4}|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{2}==)$")
_HEX = re.compile(r"^([a-fA-F0-9]{2})+$")
_EXT_NAME = re.compile(r"^([a-z][a-z0-9]*)+(-[a-z0-9]+)*\-ext$")
_EXT_DEF = re.compile(rf"^extension-definition--{_UUID}$")
_DICT_KEY, _HASH_KEY = re.compile(r"^[a-zA-Z0-9_-]{0,250}$"), re.compile(r"^[a-zA-Z0-9_-]{3,250}$")
_HASH_FORMATS = {name: re.compile(rx) for name, rx in T.HASH_FORMATS.items()}
_EXTREF_HASH_KEY = re.compile(r"^MD5|SHA-1|SHA-256|SHA-512|SHA3-256|SHA3-512|SSDEEP|TLSH$")
_CVE_ID, _CAPEC_ID = re.compile(r"^CVE-\d{4}-(0\d{3}|[1-9]\d{3,})$"), re.compile(r"^CAPEC-\d+$")
_KNOWN_SOURCES = (("cve", re.compile("^cve$"), _CVE_ID), ("capec", re.compile("^capec$"), _CAPEC_ID))
_CVE_OR_CAPEC_ID = re.compile(r"^((CVE-\d{4}-(0\d{3}|[1-9]\d{3,}))|(CAPEC-\d+))$")
_SELECTOR = re.compile(r"^([a-z0-9_-]{3,249}(\.(\[\d+\]|[a-z0-9_-]{1,250}))*|id)$")
_SELECTOR_INDEX = re.compile(r"\[(\d+)\]")
_EXT_TYPES = frozenset({"new-sdo", "new-sco", "new-sro", "property-extension", "toplevel-property-extension"})
_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/?\[\]]|%[0-9A-Fa-f]{2})*$")
# software.languages: the schema's format, then (approximately) the validator's RFC 5646 or ISO 639-2 lists.
_SOFTWARE_LANGUAGE = re.compile(
    r"^([a-z]{2}(-[A-Z]{2})?(-[a-z]{4})?(-[A-Z]{2}|[0-9]{3})?(-[a-z0-9]{5,8}|[0-9][a-z0-9]{3})*(-[a-z0-9]{1,8})*|[a-z]{3})$"
)
_CUSTOM_SCO_EXTENSION = re.compile(r"^x\-.+\-ext$")
_OBSERVED_TYPE = re.compile(r"^\-?[a-z0-9]+(-[a-z0-9]+)*\-?$")
_OBSERVED_PROPERTY = re.compile(r"^[a-z0-9_]{3,250}$")

try:  # the checker jsonschema itself uses for format "uri", when installed
    from rfc3986_validator import validate_rfc3986 as _rfc3986
except ImportError:  # pragma: no cover
    _rfc3986 = None
try:
    import idna
except ImportError:  # pragma: no cover
    idna = None


def _is_uri(value: str) -> bool:
    return bool(_rfc3986(value, rule="URI")) if _rfc3986 else bool(_URI.match(value))


def _is_hostname(value: str) -> bool:
    if idna is None:  # pragma: no cover
        return True
    try:
        idna.encode(value)
    except (idna.IDNAError, UnicodeError):
        return False
    return True


def _calendar_time(value: str) -> datetime | None:
    """A timestamp that matches the schema regex as a datetime, or None if no such day or second exists."""
    m = _TIMESTAMP.match(value)
    try:
        return datetime(*(int(m.group(i)) for i in range(1, 7)))
    except ValueError:
        return None


def _is_calendar_time(value: str) -> bool:
    # Days up to 28 exist in every month and second 60 in none (dateutil refuses it): most need no datetime.
    return (value[8:10] <= "28" and value[17:19] != "60" and value[:4] != "0000") or _calendar_time(value) is not None


def _timestamp_problem(value: Any) -> str | None:
    if not isinstance(value, str) or not _TIMESTAMP.search(value):
        return "must be an RFC 3339 UTC timestamp ending in Z, e.g. 2024-05-01T12:00:00.000Z"
    if not _is_calendar_time(value):
        return f"{value!r} is not a real date and time"
    return None


def _order_key(value: str) -> datetime | str:
    """How the validator compares two timestamps: as datetimes when strptime can read both, else as text."""
    fraction = value[20:-1]
    moment = _calendar_time(value)
    if moment is None or len(fraction) > 6:
        return value
    return moment.replace(microsecond=int(fraction.ljust(6, "0")) if fraction else 0)


def _earlier(a: str, b: str) -> tuple[bool, bool]:
    """(a < b, a == b) for two schema-valid timestamps, compared the way the validator compares them."""
    if len(a) == len(b) and len(a) <= 27 and _is_calendar_time(a) and _is_calendar_time(b):
        return a < b, a == b  # same layout: the text orders like the time
    ka, kb = _order_key(a), _order_key(b)
    if type(ka) is not type(kb):
        ka, kb = a, b
    return ka < kb, ka == kb


_ID_TYPES: dict[str, str | None] = {}  # identifier -> its type, or None if malformed (a bounded memo)


def _id_type(value: str) -> str | None:
    if value in _ID_TYPES:
        return _ID_TYPES[value]
    m = _IDENTIFIER.match(value)
    if len(_ID_TYPES) < 50_000:
        _ID_TYPES[value] = m and m.group(1)
    return m and m.group(1)


def _ref_problem(value: Any, allowed: frozenset | None, refused: frozenset) -> str | None:
    ref_type = _id_type(value) if isinstance(value, str) else None
    if ref_type is None:
        return f"{value!r} is not an identifier of the form <type>--<RFC 4122 UUID>"
    if allowed is not None and ref_type not in allowed:
        return f"must point to {' or '.join(sorted(allowed))}, not {ref_type}"
    if ref_type in refused:
        return f"cannot point to a {ref_type}"
    return None


def _value_problem(value: Any) -> str | None:
    """Any property's value (properties.json): not null, and a list is never empty."""
    if value is None:
        return "must not be null"
    if isinstance(value, list) and not value:
        return "must not be an empty list"
    return None


def _dictionary_problem(value: Any) -> str | None:
    if not isinstance(value, dict) or not value:
        return "must be a non-empty dictionary"
    for key, item in value.items():
        if not _DICT_KEY.match(key):
            return f"has an invalid key {key!r}"
        if (p := _value_problem(item)) is not None:
            return f"key {key!r} {p}"
    return None


def _hashes_problem(value: Any) -> str | None:
    if (p := _dictionary_problem(value)) is not None:
        return p
    for algorithm, digest in value.items():
        if not _HASH_KEY.match(algorithm) or not isinstance(digest, str):
            return f"{algorithm!r} is not a hash name with a string value"
        fmt = _HASH_FORMATS.get(algorithm)
        if fmt is not None and not fmt.search(digest):
            return f"{digest!r} is not a {algorithm} digest"
    return None


_NAME_VERDICTS: dict[str, tuple[bool, bool, bool]] = {}  # property name -> (valid, *_bin, *_hex)


def _name_verdict(key: str) -> tuple[bool, bool, bool]:
    verdict = _NAME_VERDICTS.get(key)
    if verdict is None:
        verdict = (bool(_PROPERTY_NAME.search(key)), bool(_BIN_NAME.match(key)), bool(_HEX_NAME.match(key)))
        if len(_NAME_VERDICTS) < 50_000:  # names come from outside: keep the memo bounded
            _NAME_VERDICTS[key] = verdict
    return verdict


def _property_problem(key: str, value: Any) -> str | None:
    """The generic rules of properties.json for one property of an object (or extension)."""
    valid, binary, hexadecimal = _name_verdict(key)
    if not valid:
        return f"{key!r} is not a valid property name (lowercase, 3 to 250 characters)"
    if value is None or (value == [] and isinstance(value, list)):
        return f"{key} {_value_problem(value)}"
    if binary and not (isinstance(value, str) and _BASE64.match(value)):
        return f"{key} must be base64"
    if hexadecimal and not (isinstance(value, str) and _HEX.match(value)):
        return f"{key} must be hexadecimal"
    return None


def _properties_problems(obj: dict) -> list[tuple[str, str]]:
    return [(k, p) for k, v in obj.items() if (p := _property_problem(k, v)) is not None]


def _extensions_problem(value: Any, *, definitions_only: bool = False) -> str | None:
    if not isinstance(value, dict) or not value:
        return "must be a non-empty dictionary"
    for name, extension in value.items():
        if _EXT_DEF.match(name):
            if not isinstance(extension, dict) or extension.get("extension_type") not in _EXT_TYPES:
                return f"{name} needs an extension_type of {', '.join(sorted(_EXT_TYPES))}"
        elif definitions_only or not _EXT_NAME.match(name):
            return f"{name!r} is not an extension-definition id" + ("" if definitions_only else " or *-ext name")
        elif not isinstance(extension, dict) or not extension:
            return f"{name} must be a non-empty dictionary"
        if problems := _properties_problems(extension):
            return f"{name}: {problems[0][0]} {problems[0][1]}"
    return None


def _external_reference_problem(ref: Any) -> str | None:
    if not isinstance(ref, dict) or not isinstance(ref.get("source_name"), str):
        return "each external reference needs a string source_name"
    source, external_id = ref["source_name"], ref.get("external_id")
    if "url" in ref and not (isinstance(ref["url"], str) and _is_uri(ref["url"])):
        return f"url {ref['url']!r} is not a URI"
    if "description" in ref and not isinstance(ref["description"], str):
        return "description must be a string"
    if "hashes" in ref:
        if (p := _hashes_problem(ref["hashes"])) is not None:
            return f"hashes {p}"
        if not all(_EXTREF_HASH_KEY.search(k) for k in ref["hashes"]):
            return "hashes may only use the standard hash names"
    for name, name_format, id_format in _KNOWN_SOURCES:
        if name_format.search(source):
            if not (isinstance(external_id, str) and id_format.search(external_id)):
                return f"a {name} reference needs an external_id like {name.upper()}-..."
            return None
    if "external_id" in ref and (not isinstance(external_id, str) or _CVE_OR_CAPEC_ID.search(external_id)):
        return (
            f"external_id {external_id!r} needs source_name cve or capec"
            if isinstance(external_id, str)
            else ("external_id must be a string")
        )
    if not ("external_id" in ref or "description" in ref or "url" in ref):
        return "each external reference needs an external_id, a description or a url"
    return None


def _granular_marking_problem(marking: Any) -> str | None:
    if not isinstance(marking, dict):
        return "each granular marking must be an object"
    selectors = marking.get("selectors")
    if not isinstance(selectors, list) or not selectors:
        return "each granular marking needs a non-empty selectors list"
    if not all(isinstance(s, str) and _SELECTOR.search(s) for s in selectors):
        return f"selectors {selectors!r} are not all valid selectors"
    if "lang" in marking and not isinstance(marking["lang"], str):
        return "lang must be a string"
    return _ref_problem(marking.get("marking_ref"), frozenset({"marking-definition"}), frozenset())


def _kill_chain_phase_problem(phase: Any) -> str | None:
    if not (
        isinstance(phase, dict)
        and isinstance(phase.get("kill_chain_name"), str)
        and isinstance(phase.get("phase_name"), str)
    ):
        return "each kill chain phase needs string kill_chain_name and phase_name"
    return None


def _is_integer(v: Any) -> bool:
    return (isinstance(v, int) and not isinstance(v, bool)) or (isinstance(v, float) and v.is_integer())


def _compile(kind: tuple):
    """A kind from stix_types -> a function value -> problem text or None."""
    code = kind[0]
    if code == "str":
        return lambda v: None if isinstance(v, str) else "must be a string"
    if code == "bool":
        return lambda v: None if isinstance(v, bool) else "must be true or false"
    if code == "ts":
        return _timestamp_problem
    if code == "tsms":
        return lambda v: _timestamp_problem(v) or (None if _MILLIS.search(v) else "must be precise to the millisecond")
    if code in ("int", "num"):
        low, high = kind[1], kind[2]
        is_kind = _is_integer if code == "int" else lambda v: isinstance(v, int | float) and not isinstance(v, bool)
        noun = "an integer" if code == "int" else "a number"
        bounds = f" from {low} to {high}" if low is not None and high is not None else ""

        def check_number(v):
            if not is_kind(v) or (low is not None and v < low) or (high is not None and v > high):
                return f"must be {noun}{bounds}" + (f" (at least {low})" if low is not None and not bounds else "")
            return None

        return check_number
    if code == "enum":
        values = kind[1]
        return lambda v: None if isinstance(v, str) and v in values else f"must be one of {', '.join(sorted(values))}"
    if code in ("re", "ipv6"):
        rx = re.compile(kind[1] if code == "re" else T.IPV6_VALUE)
        return lambda v: None if isinstance(v, str) and rx.search(v) else f"{v!r} is not in the required format"
    if code == "ref":
        return lambda v: _ref_problem(v, kind[1], kind[2])
    if code == "list":
        item = _compile(kind[1])

        def check_list(v):
            if not isinstance(v, list) or not v:
                return "must be a non-empty list"
            for x in v:
                if (p := item(x)) is not None:
                    return p
            return None

        return check_list
    simple = {
        "kcp": _kill_chain_phase_problem,
        "extref": _external_reference_problem,
        "granular": _granular_marking_problem,
        "hashes": _hashes_problem,
        "dict": _dictionary_problem,
        "extensions": _extensions_problem,
        "url": lambda v: None if isinstance(v, str) and _is_uri(v) else f"{v!r} is not a URI",
        "hostname": lambda v: None if isinstance(v, str) and _is_hostname(v) else f"{v!r} is not a domain name",
        "email": lambda v: None if isinstance(v, str) and "@" in v else f"{v!r} is not an email address",
        "any": lambda v: None,
        "language": lambda v: (
            None
            if isinstance(v, str)
            and _SOFTWARE_LANGUAGE.search(v)
            and (v in T.LANG_CODES or re.fullmatch("[a-z]{3}", v))
            else f"{v!r} is not a language code"
        ),
    }
    return simple[code]


def _table(props: dict) -> dict:
    return {name: _compile(kind) for name, kind in props.items()}


_CORE, _SCO_CORE = _table(T.CORE), _table(T.SCO_CORE)
# type -> (property checkers, required properties)
_TYPES = {
    name: ({**_CORE, **_table(T.properties(spec))}, ("spec_version", "created", "modified", *req.split()))
    for name, (spec, req) in T.SDOS.items()
}
_TYPES.update(
    {name: ({**_SCO_CORE, **_table(T.properties(spec))}, req.split()) for name, (spec, req) in T.SCOS.items()}
)
_SCO_PROPERTIES = {name: frozenset(_TYPES[name][0]) for name in T.SCOS}
_ANY_OF = {name: [group.split() for group in groups] for name, groups in T.ANY_OF.items()}
_MARKING = _table(T.MARKING_DEFINITION)
KNOWN_TYPES = frozenset(_TYPES) | {"marking-definition"}


# --- Patterns ----------------------------------------------------------------------------------------------
# The fast path: `[type:path op 'literal' (AND|OR ...)]`, observations joined by AND/OR, single spaces
# allowed around operators; no qualifiers, no IN, no numbers, no escapes. What it recognises the ANTLR grammar
# also accepts (the test suite compares both on a generated corpus); everything else goes to the parser.
_FAST_LITERAL = r"'[^'\\]*'"
_FAST_COMPARISON = (
    r"([a-z][a-z0-9]*(?:-[a-z0-9]+)*):([a-z_][a-z0-9_]*(?:\.(?:[a-z_][a-z0-9_]*|[A-Z][A-Z0-9]*|'[A-Za-z0-9_-]+'))*)"
    rf"(?: ?(?:=|!=|>=|<=|>|<) ?| (?:LIKE|MATCHES) )({_FAST_LITERAL})"
)
_FAST_OBSERVATION = rf"\[ ?{_FAST_COMPARISON}(?: (?:AND|OR) {_FAST_COMPARISON})* ?\]"
_FAST_PATTERN = re.compile(rf"{_FAST_OBSERVATION}(?: (?:AND|OR) {_FAST_OBSERVATION})*")
_FAST_COMPARISONS = re.compile(_FAST_COMPARISON)
# Words the lexer reads as keywords or literals, never as names (compared in lower case, to be safe).
_PATTERN_WORDS = frozenset(
    "and or not followedby like matches issuperset issubset exists last in start stop seconds within repeats "
    "times true false t b h".split()
)
# stix2patterns' object_validator: hash values in a pattern must look like their algorithm's digests.
_PATTERN_HASHES = {
    "MD5": r"^[a-fA-F0-9]{32}$",
    "MD6": r"^[a-fA-F0-9]{32}|[a-fA-F0-9]{40}|[a-fA-F0-9]{56}|\
    [a-fA-F0-9]{64}|[a-fA-F0-9]{96}|[a-fA-F0-9]{128}$",
    "RIPEMD160": r"^[a-fA-F0-9]{40}$",
    "SHA1": r"^[a-fA-F0-9]{40}$",
    "SHA224": r"^[a-fA-F0-9]{56}$",
    "SHA256": r"^[a-fA-F0-9]{64}$",
    "SHA384": r"^[a-fA-F0-9]{96}$",
    "SHA512": r"^[a-fA-F0-9]{128}$",
    "SHA3224": r"^[a-fA-F0-9]{56}$",
    "SHA3256": r"^[a-fA-F0-9]{64}$",
    "SHA3384": r"^[a-fA-F0-9]{96}$",
    "SHA3512": r"^[a-fA-F0-9]{128}$",
    "SSDEEP": r"^[a-zA-Z0-9/+:.]{1,128}$",
    "WHIRLPOOL": r"^[a-fA-F0-9]{128}$",
}
_PATTERN_HASHES = {name: re.compile(rx) for name, rx in _PATTERN_HASHES.items()}
_Facts = tuple[str | None, tuple[tuple[str, str], ...]]  # (problem, ((object type, first path part), ...))


def _fast_pattern_facts(pattern: str) -> _Facts | None:
    """The facts of a pattern in the simple form, or None when the parser must decide."""
    if len(pattern) > 4096 or not _FAST_PATTERN.fullmatch(pattern):
        return None
    observed = []
    for m in _FAST_COMPARISONS.finditer(pattern):
        object_type, path, literal = m.groups()
        parts = path.split(".")
        if object_type.lower() in _PATTERN_WORDS or any(part.lower() in _PATTERN_WORDS for part in parts):
            return None
        if "hashes" in parts[:-1] or parts == ["hashes"]:
            algorithm = parts[-1].upper().replace("-", "").replace("'", "")
            digest = _PATTERN_HASHES.get(algorithm)
            if digest is not None and not digest.match(literal[1:-1]):
                return f"FAIL: '{literal[1:-1]}' is not a valid {parts[-1]} hash", ()
        observed.append((object_type, parts[0]))
    return None, tuple(observed)


@lru_cache(maxsize=8192)
def _parsed_pattern_facts(pattern: str, version: str = "2.1") -> _Facts:
    """The parser's verdict; like the validator, any version but "2.1" means the STIX 2.0 grammar."""
    from stix2patterns.v21.pattern import Pattern
    from stix2patterns.validator import run_validator

    try:
        errors = run_validator(pattern, stix_version=version)
        if not errors:
            comparisons = Pattern(pattern).inspect().comparisons
    except Exception as e:  # stix2-patterns trips over some inputs (an empty pattern, for one)
        return f"FAIL: the pattern cannot be read ({type(e).__name__})", ()
    if errors:
        return "; ".join(str(e) for e in errors), ()
    return None, tuple((t, str(c[0][0])) for t, cs in comparisons.items() for c in cs)


def _pattern_facts(pattern: str, version: str = "2.1") -> _Facts:
    if version != "2.1":
        return _parsed_pattern_facts(pattern, version)
    return _fast_pattern_facts(pattern) or _parsed_pattern_facts(pattern)


def pattern_problem(pattern: str) -> str | None:
    """None if the STIX 2.1 pattern parses; else the parser's message."""
    return _pattern_facts(pattern)[0]


def _indicator_pattern_problems(obj: dict, allow_custom: bool) -> list[tuple[str, str]]:
    """The validator's `patterns` check: the pattern parses and names sound object types and properties."""
    pattern = obj.get("pattern")
    if obj.get("pattern_type") != "stix" or not isinstance(pattern, str):
        return []
    problem, observed = _pattern_facts(pattern, str(obj.get("pattern_version", obj.get("spec_version", "2.1"))))
    if problem is not None:
        return [("pattern", f"pattern does not parse: {problem}")]
    problems = []
    for object_type, prop in observed:
        known = _SCO_PROPERTIES.get(object_type)
        if known is None and not (_OBSERVED_TYPE.match(object_type) and 3 <= len(object_type) <= 250):
            problems.append(("pattern", f"pattern names {object_type!r}, which is not a valid object type"))
        elif known is None and not allow_custom:
            problems.append(("pattern", f"pattern names {object_type!r}, which is not a STIX 2.1 observable type"))
        elif not (known and prop in known) and not _OBSERVED_PROPERTY.match(prop):
            problems.append(("pattern", f"pattern names {prop!r}, which is not a valid property name"))
    return problems


# --- Objects -----------------------------------------------------------------------------------------------
def _marking_definition_problems(obj: dict) -> list[tuple[str | None, str]]:
    """marking-definition.json: a statement, a custom definition_type, an extension (TLP 2.0), or TLP 1.0."""
    definition_type, definition = obj.get("definition_type"), obj.get("definition")
    if definition_type == "tlp":
        colour = T.TLP1.get(obj["id"]) if isinstance(obj.get("id"), str) else None
        expected = {"type", "id", "spec_version", "created", "name", "definition", "definition_type"}
        if (
            colour is None
            or set(obj) != expected
            or obj["name"] != f"TLP:{colour.upper()}"
            or obj["created"] != "2017-01-20T00:00:00.000Z"
            or obj["spec_version"] != "2.1"
            or not isinstance(definition, dict)
            or definition.get("tlp", colour) != colour
        ):
            return [("definition_type", "a 'tlp' definition must be one of the four official TLP 1.0 objects")]
        return []
    problems: list[tuple[str | None, str]] = []
    for field in ("created",):
        if field not in obj:
            problems.append((field, f"{field} is required"))
    if "extensions" in obj:
        if (p := _extensions_problem(obj["extensions"], definitions_only=True)) is not None:
            problems.append(("extensions", p))
    else:
        problems += [(f, f"{f} is required") for f in ("definition_type", "definition") if f not in obj]
    if definition_type == "statement":
        if not (isinstance(definition, dict) and isinstance(definition.get("statement"), str)):
            problems.append(("definition", "a statement marking needs definition.statement, a string"))
    elif "definition_type" in obj and (
        not isinstance(definition_type, str) or re.search(r"^(statement)|(tlp)$", definition_type)
    ):
        problems.append(("definition_type", f"{definition_type!r} is not a usable definition_type"))
    elif "definition" in obj and not isinstance(definition, dict):
        problems.append(("definition", "must be an object"))
    granular = [g.get("marking_ref") for g in _list(obj.get("granular_markings")) if isinstance(g, dict)]
    if obj.get("id") in [*_list(obj.get("object_marking_refs")), *granular]:
        problems.append(("object_marking_refs", "a marking definition cannot mark itself"))
    return problems


def _list(value: Any) -> list:
    return value if isinstance(value, list) else []


def _selector_problem(obj: dict, selector: str) -> str | None:
    """The validator's marking_selector_syntax: a selector must lead to something in the object."""
    node: Any = obj
    for segment in selector.split("."):
        index = _SELECTOR_INDEX.match(segment)
        try:
            node = node[int(index.group(1))] if index else node[segment]
        except (IndexError, KeyError, TypeError):
            return f"selector {selector!r} does not lead to a property of this object"
    return None


def _schema_problems(obj: dict, type_name: str, allow_custom: bool) -> list[tuple[str | None, str]]:
    """Every rule the schemas and the validator's MUST checks apply to one object of a well-formed type."""
    if type_name == "marking-definition":
        checks, required, generic = _MARKING, ("id", "spec_version"), False
    elif type_name in _TYPES:
        checks, required = _TYPES[type_name]
        required, generic = ("id", *required), True
    elif "created" in obj or "modified" in obj:  # a custom object: core.json or cyber-observable-core.json
        checks, required, generic = _CORE, ("id", "spec_version", "created", "modified"), True
    else:
        checks, required, generic = _SCO_CORE, ("id",), True
    problems: list[tuple[str | None, str]] = [(f, f"{f} is required") for f in required if f not in obj]
    if generic and not T.RESERVED_PROPERTIES.isdisjoint(obj):
        problems += [(k, f"{k!r} is a reserved property name") for k in T.RESERVED_PROPERTIES if k in obj]
    known = type_name in KNOWN_TYPES
    for key, value in obj.items():
        if generic and (p := _property_problem(key, value)) is not None:
            problems.append((key, p))
            continue
        check = checks.get(key)
        if check is not None:
            if key != "id" and (p := check(value)) is not None:
                problems.append((key, f"{key} {p}"))
        elif known and not allow_custom and not key.startswith("x_") and key not in T.RESERVED_PROPERTIES:
            problems.append((key, f"{key!r} is not a STIX 2.1 property of {type_name}; custom ones start with x_"))
    if "spec_version" in obj and obj["spec_version"] != "2.1":
        problems.append(("spec_version", "spec_version must be '2.1'"))
    if isinstance(obj.get("lang"), str) and obj["lang"] not in T.LANG_CODES:
        problems.append(("lang", f"{obj['lang']!r} is not an RFC 5646 language code the validator knows"))
    for later, earlier, strictly in (("modified", "created", False), *T.TIME_ORDER.get(type_name, ())):
        a, b = obj.get(later), obj.get(earlier)
        if isinstance(a, str) and isinstance(b, str) and _TIMESTAMP.search(a) and _TIMESTAMP.search(b):
            before, same = _earlier(a, b)
            if before or (strictly and same):
                problems.append((later, f"{later} must be {'later than' if strictly else 'at or after'} {earlier}"))
    if not allow_custom and type_name in T.SCO_EXTENSIONS and isinstance(obj.get("extensions"), dict):
        for name in obj["extensions"]:
            if name not in T.SCO_EXTENSIONS[type_name] and not _CUSTOM_SCO_EXTENSION.match(name):
                problems.append(
                    ("extensions", f"{name!r} is not an extension of {type_name}; custom ones are x-...-ext")
                )
    for group in _ANY_OF.get(type_name, ()):
        if not any(f in obj for f in group):
            problems.append((group[0], f"one of {', '.join(group)} is required"))
    if type_name == "marking-definition":
        problems += _marking_definition_problems(obj)
    elif type_name == "indicator":
        problems += _indicator_pattern_problems(obj, allow_custom)
    elif type_name == "malware" and obj.get("is_family") is True and "name" not in obj:
        problems.append(("name", "name is required when is_family is true"))
    elif type_name == "location":
        problems += _location_problems(obj)
    elif type_name == "observed-data" and ("objects" in obj) == ("object_refs" in obj):
        problems.append(("object_refs", "exactly one of objects and object_refs is required"))
    elif (
        type_name == "extension-definition"
        and "extension_properties" in obj
        and "toplevel-property-extension" not in _list(obj.get("extension_types"))
    ):
        problems.append(("extension_properties", "only a toplevel-property-extension has extension_properties"))
    elif type_name == "process" or (type_name in T.V4_UNLESS and not any(f in obj for f in T.V4_UNLESS[type_name])):
        if isinstance(obj.get("id"), str) and obj["id"][-22:-21] != "4":
            problems.append(("id", f"a {type_name} id must use a version 4 UUID here"))
    for marking in _list(obj.get("granular_markings")):
        for selector in _list(marking.get("selectors")) if isinstance(marking, dict) else ():
            if isinstance(selector, str) and (p := _selector_problem(obj, selector)) is not None:
                problems.append(("granular_markings", p))
    return problems


def _location_problems(obj: dict) -> list[tuple[str | None, str]]:
    has_lat, has_long = "latitude" in obj, "longitude" in obj
    if has_lat != has_long:
        return [("latitude" if has_long else "longitude", "latitude and longitude come together")]
    if "precision" in obj and not has_lat:
        return [("precision", "precision needs latitude and longitude")]
    if not (has_lat or "region" in obj or "country" in obj):
        return [(None, "a location needs a region, a country, or latitude and longitude")]
    return []


def _object_problems(obj: Any, allow_custom: bool) -> list[tuple[str | None, str]]:
    if not isinstance(obj, dict):
        return [(None, "is not a JSON object")]
    type_name = obj.get("type")
    if not isinstance(type_name, str):
        return [("type", "type is required and must be a string")]
    if type_name not in KNOWN_TYPES:
        if not allow_custom:
            return [("type", f"{type_name!r} is not a STIX 2.1 object type")]
        if not (3 <= len(type_name) <= 250 and _TYPE_NAME.match(type_name)) or type_name in T.RESERVED_TYPES:
            return [("type", f"{type_name!r} is not a valid custom type name (a-z, 0-9, hyphens; 3-250 long)")]
    problems = []
    object_id = obj.get("id")
    if "id" in obj:
        m = _IDENTIFIER.match(object_id) if isinstance(object_id, str) else None
        if m is None or m.group(1) != type_name:
            problems.append(("id", f"id must be {type_name}--<RFC 4122 UUID>, not {object_id!r}"))
    return problems + _schema_problems(obj, type_name, allow_custom)


def check_objects(objects: list[Any], *, allow_custom: bool = False) -> list[ObjectProblem]:
    """Every problem of every object (not only the first); [] when all are acceptable."""
    found = []
    for index, obj in enumerate(objects):
        try:
            problems = _object_problems(obj, allow_custom)
        except Exception as e:  # a shape no rule foresaw: refuse it rather than let it in
            problems = [(None, f"could not be checked ({type(e).__name__}); refused")]
        for field, problem in problems:
            object_id = obj.get("id") if isinstance(obj, dict) else None
            found.append(ObjectProblem(index, object_id if isinstance(object_id, str) else None, field, problem))
    return found


def check_bundle(bundle: Any, *, allow_custom: bool = False) -> tuple[list[dict], list[ObjectProblem]]:
    """A parsed JSON bundle -> (its objects, every problem found). Objects may be absent or empty."""
    if not isinstance(bundle, dict) or bundle.get("type") != "bundle":
        return [], [ObjectProblem(-1, None, "type", "not a STIX bundle: type must be 'bundle'")]
    bundle_id = bundle.get("id")
    problems = []
    m = _IDENTIFIER.match(bundle_id) if isinstance(bundle_id, str) else None
    if m is None or m.group(1) != "bundle":
        problems.append(ObjectProblem(-1, None, "id", f"bundle id must be bundle--<RFC 4122 UUID>, not {bundle_id!r}"))
    objects = bundle.get("objects", [])
    if not isinstance(objects, list):
        return [], [*problems, ObjectProblem(-1, None, "objects", "objects must be a list")]
    if len(objects) > MAX_BUNDLE_OBJECTS:
        return [], [*problems, ObjectProblem(-1, None, "objects", f"more than {MAX_BUNDLE_OBJECTS} objects")]
    return objects, problems + check_objects(objects, allow_custom=allow_custom)
