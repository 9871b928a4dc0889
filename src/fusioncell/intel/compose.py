"""A report written in the cell's form, as STIX 2.1 objects: the report itself, an indicator per
observable, a threat actor per name, a location for the place; and the answers to a report — a sighting
("we saw this too") and an opinion (agree or disagree) — the same way.

The grade travels as STIX says it can: the information's credibility as `confidence` on every object
(Appendix A), the source's reliability and the full Admiralty code as properties of the report (STIX has
none for a source's reliability).
"""

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fusioncell.intel.grading import Credibility, SourceReliability, admiralty_code, confidence_of
from fusioncell.intel.timestamps import stix_time

# The pattern each kind of observable is written as; {} is the escaped value.
PATTERNS = {
    "ipv4-addr": "[ipv4-addr:value = '{}']",
    "ipv6-addr": "[ipv6-addr:value = '{}']",
    "domain-name": "[domain-name:value = '{}']",
    "url": "[url:value = '{}']",
    "email-addr": "[email-addr:value = '{}']",
    "file:sha256": "[file:hashes.'SHA-256' = '{}']",
    "file:md5": "[file:hashes.MD5 = '{}']",
}


@dataclass(frozen=True)
class Observable:
    type: str  # a key of PATTERNS
    value: str


@dataclass(frozen=True)
class Place:
    lat: float
    lon: float
    name: str = ""


@dataclass(frozen=True)
class ReportContent:
    title: str
    summary: str
    source_reliability: SourceReliability
    credibility: Credibility
    observables: tuple[Observable, ...] = ()
    threat_actors: tuple[str, ...] = ()
    place: Place | None = None
    observed_at: datetime | None = None


def _id(kind: str) -> str:
    return f"{kind}--{uuid.uuid4()}"


def pattern_of(observable: Observable) -> str:
    escaped = observable.value.replace("\\", "\\\\").replace("'", "\\'")
    return PATTERNS[observable.type].format(escaped)


def _graded(obj: dict[str, Any], credibility: Credibility) -> dict[str, Any]:
    confidence = confidence_of(credibility)
    return obj if confidence is None else obj | {"confidence": confidence}


def report_objects(content: ReportContent, *, now: datetime) -> list[dict[str, Any]]:
    """The report last, after everything it refers to."""
    stamp = stix_time(now)
    common = {"spec_version": "2.1", "created": stamp, "modified": stamp}
    parts: list[dict[str, Any]] = []
    valid_from = stix_time(content.observed_at or now)
    for observable in content.observables:
        parts.append(
            _graded(
                {
                    "type": "indicator",
                    "id": _id("indicator"),
                    **common,
                    "name": observable.value,
                    "pattern": pattern_of(observable),
                    "pattern_type": "stix",
                    "pattern_version": "2.1",
                    "valid_from": valid_from,
                },
                content.credibility,
            )
        )
    for name in content.threat_actors:
        parts.append(
            _graded({"type": "threat-actor", "id": _id("threat-actor"), **common, "name": name}, content.credibility)
        )
    if content.place is not None:
        location = {"type": "location", "id": _id("location"), **common}
        location |= {"latitude": content.place.lat, "longitude": content.place.lon}
        if content.place.name:
            location["name"] = content.place.name
        parts.append(location)
    report = {
        "type": "report",
        "id": _id("report"),
        **common,
        "name": content.title,
        "description": content.summary,
        "report_types": ["threat-report"],
        "published": stix_time(content.observed_at or now),
        "object_refs": [p["id"] for p in parts] or [_id("note")],
        "labels": [f"admiralty:{admiralty_code(content.source_reliability, content.credibility)}"],
        "x_admiralty_source_reliability": str(content.source_reliability),
        "x_admiralty_credibility": str(content.credibility),
    }
    if not parts:  # a report refers to at least one object: a note carrying its text
        parts.append(
            {
                "type": "note",
                "id": report["object_refs"][0],
                **common,
                "content": content.summary or content.title,
                "object_refs": [report["id"]],
            }
        )
    return [*parts, _graded(report, content.credibility)]


def answer_target(objects: list[dict[str, Any]]) -> str:
    """What an answer refers to: the report object, else the first domain object of the upload."""
    for kinds in (("report",), ("indicator", "threat-actor", "malware", "campaign", "intrusion-set", "grouping")):
        for obj in objects:
            if obj.get("type") in kinds:
                return obj["id"]
    return objects[0]["id"]


def sighting_object(
    target: str, *, first_seen: datetime, last_seen: datetime | None, count: int, note: str, where: str, now: datetime
) -> dict[str, Any]:
    stamp = stix_time(now)
    sighting = {
        "type": "sighting",
        "spec_version": "2.1",
        "id": _id("sighting"),
        "created": stamp,
        "modified": stamp,
        "sighting_of_ref": target,
        "first_seen": stix_time(first_seen),
        "count": count,
        "where_sighted_refs": [where],
    }
    if last_seen is not None:
        sighting["last_seen"] = stix_time(last_seen)
    if note:
        sighting["description"] = note
    return sighting


def opinion_object(target: str, *, opinion: str, explanation: str, now: datetime) -> dict[str, Any]:
    stamp = stix_time(now)
    out = {
        "type": "opinion",
        "spec_version": "2.1",
        "id": _id("opinion"),
        "created": stamp,
        "modified": stamp,
        "opinion": opinion,
        "object_refs": [target],
    }
    if explanation:
        out["explanation"] = explanation
    return out


def derived_from_object(tearline: str, original: str, *, now: datetime) -> dict[str, Any]:
    stamp = stix_time(now)
    return {
        "type": "relationship",
        "spec_version": "2.1",
        "id": _id("relationship"),
        "created": stamp,
        "modified": stamp,
        "relationship_type": "derived-from",
        "source_ref": tearline,
        "target_ref": original,
    }
