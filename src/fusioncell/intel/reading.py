"""A report's STIX objects read back as an analyst reads them: the observables typed in the cell's form,
other patterns as written, threat actors, places; and the Admiralty code in words."""

import re
from dataclasses import dataclass, field

from fusioncell.intel.compose import PATTERNS
from fusioncell.intel.schemas import ReportRead

# An indicator's pattern read back as the "type value" an analyst typed (compose.PATTERNS reversed).
_PATTERN_OF = {
    kind: re.compile(re.escape(template).replace(re.escape("{}"), r"((?:[^'\\]|\\.)*)"))
    for kind, template in PATTERNS.items()
}


@dataclass
class Content:
    """What a report's STIX objects say, as an analyst reads them."""

    observables: list[tuple[str, str]] = field(default_factory=list)  # (type, value)
    patterns: list[str] = field(default_factory=list)  # indicators not written in the cell's form
    threat_actors: list[str] = field(default_factory=list)
    places: list[dict] = field(default_factory=list)  # latitude, longitude, name


def what_objects_say(objects: list[dict]) -> Content:
    content = Content()
    for obj in objects:
        if obj.get("type") == "indicator":
            found = observable_of(obj.get("pattern", ""))
            if found:
                content.observables.append(found)
            else:
                content.patterns.append(obj.get("pattern", ""))
        elif obj.get("type") == "threat-actor":
            content.threat_actors.append(obj.get("name", ""))
        elif obj.get("type") == "location" and "latitude" in obj:
            content.places.append({"lat": obj["latitude"], "lon": obj["longitude"], "name": obj.get("name", "")})
    return content


def observable_of(pattern: str) -> tuple[str, str] | None:
    for kind, regex in _PATTERN_OF.items():
        match = regex.fullmatch(pattern)
        if match:
            return kind, re.sub(r"\\(.)", r"\1", match.group(1))
    return None


def grading_words(read: ReportRead) -> str:
    """The Admiralty code in words, as analysts say "B2": "usually reliable source, probably true"."""
    reliability = read.source_reliability_name
    source = f"source {reliability}" if "judged" in reliability else f"{reliability} source"
    return f"{source}, {read.credibility_name}"
