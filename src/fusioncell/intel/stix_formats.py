"""Value-level checks for the STIX 2.1 edge checker (validation.py): formats, identifiers, timestamps, properties.

The formats are written as the STIX schemas write them (jsonschema applies `pattern` with re.search), and the
helpers answer the way stix2-validator answers: a problem as a sentence, or None. `_compile` turns a property
kind from stix_types.py into one such check; validation.py builds its per-type tables from them. Kept apart from
the per-object rules so that each file can be read in one sitting; nothing here knows about whole objects.
"""

import re
from datetime import datetime
from typing import Any

from fusioncell.intel import stix_types as T

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
