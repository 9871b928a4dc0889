"""STIX 2.1 patterns for the edge checker (validation.py): a fast path, and the real parser behind it.

stix2-patterns takes ~0.4 ms a pattern (an ANTLR parser). Simple indicator patterns are recognised by a strict
regex and their hash values checked as stix2-patterns checks them; anything else goes to the real pattern parser,
and its verdict is cached. Either way a pattern yields the same facts: the parser's problem (or None) and the
(object type, property) pairs it names, which validation.py checks against the observable types.
"""

import re
from functools import lru_cache

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


# The names a pattern's comparisons may use (the validator's `patterns` check), for types it does not know.
_OBSERVED_TYPE = re.compile(r"^\-?[a-z0-9]+(-[a-z0-9]+)*\-?$")
_OBSERVED_PROPERTY = re.compile(r"^[a-z0-9_]{3,250}$")
