"""What a report can be correlated by: the observable values, threat actors and places its objects name.

Values come from observables (an ipv4-addr's value, a file's hashes) and from the equality comparisons
of indicator patterns, so a report carrying the address as an indicator and one carrying it as an
observed address meet. Each key is normalised (case folded where case means nothing) and prefixed by
what it is, so an address never meets a domain that happens to read the same.
"""

import re
from dataclasses import dataclass
from datetime import datetime

from fusioncell.intel.models import KeyKind
from fusioncell.intel.timestamps import parse

MAX_KEY = 500
_VALUE_TYPES = frozenset(
    {"ipv4-addr", "ipv6-addr", "domain-name", "url", "email-addr", "mac-addr", "autonomous-system", "mutex"}
)
_CASELESS = frozenset({"domain-name", "email-addr", "mac-addr", "ipv6-addr"})
# One comparison `type:path = 'literal'` inside a pattern (a literal may hold escaped quotes).
_COMPARISON = re.compile(r"([a-z0-9-]+):([A-Za-z0-9_.'\-]+?)\s*=\s*'((?:[^'\\]|\\.)*)'")


@dataclass(frozen=True)
class CorrelationKey:
    kind: KeyKind
    key: str
    lat: float | None = None
    lon: float | None = None
    at: datetime | None = None


def value_key(object_type: str, value: str) -> str:
    value = value.strip()
    if object_type in _CASELESS:
        value = value.lower()
    return f"{object_type}:{value}"[:MAX_KEY]


def hash_key(value: str) -> str:
    return f"hash:{value.strip().lower()}"[:MAX_KEY]


def actor_key(name: str) -> str:
    return " ".join(name.casefold().split())[:MAX_KEY]


def _pattern_keys(pattern: str) -> list[CorrelationKey]:
    out = []
    for object_type, path, literal in _COMPARISON.findall(pattern):
        value = literal.replace("\\'", "'").replace("\\\\", "\\")
        if path == "value" and object_type in _VALUE_TYPES:
            out.append(CorrelationKey(KeyKind.VALUE, value_key(object_type, value)))
        elif path.startswith("hashes."):
            out.append(CorrelationKey(KeyKind.VALUE, hash_key(value)))
    return out


def _object_keys(obj: dict, at: datetime | None) -> list[CorrelationKey]:
    kind = obj.get("type")
    if kind == "indicator" and obj.get("pattern_type") == "stix" and isinstance(obj.get("pattern"), str):
        return _pattern_keys(obj["pattern"])
    if kind in _VALUE_TYPES and isinstance(obj.get("value"), str | int):
        return [CorrelationKey(KeyKind.VALUE, value_key(kind, str(obj["value"])))]
    if kind == "file" and isinstance(obj.get("hashes"), dict):
        return [CorrelationKey(KeyKind.VALUE, hash_key(v)) for v in obj["hashes"].values() if isinstance(v, str)]
    if kind in ("threat-actor", "intrusion-set"):
        names = [obj.get("name"), *(obj.get("aliases") or [])]
        return [CorrelationKey(KeyKind.ACTOR, actor_key(n)) for n in names if isinstance(n, str) and n.strip()]
    lat, lon = obj.get("latitude"), obj.get("longitude")
    if kind == "location" and isinstance(lat, int | float) and isinstance(lon, int | float):
        label = obj.get("name") if isinstance(obj.get("name"), str) else ""
        return [CorrelationKey(KeyKind.PLACE, label[:MAX_KEY], float(lat), float(lon), at)]
    return []


def _when(objects: list[dict]) -> datetime | None:
    """When the report's places held: a sighting's first sighting, else the report's publication."""
    for field, kind in (("first_seen", "sighting"), ("published", "report")):
        for obj in objects:
            if obj.get("type") == kind and isinstance(obj.get(field), str):
                try:
                    return parse(obj[field])
                except ValueError:
                    continue
    return None


def keys_of(objects: list[dict]) -> list[CorrelationKey]:
    """Every key of the objects, once each."""
    at = _when(objects)
    seen, out = set(), []
    for obj in objects:
        for key in _object_keys(obj, at):
            identity = (key.kind, key.key, key.lat, key.lon)
            if identity not in seen:
                seen.add(identity)
                out.append(key)
    return out
