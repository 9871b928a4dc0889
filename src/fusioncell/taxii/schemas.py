"""The TAXII 2.1 resources as they go out: discovery, API root, collections, status, error message, and
the envelope, manifest and versions of a page of objects.

The small resources are Pydantic models. A page of objects is written as text around the objects' stored
JSON (each exactly as stored, never parsed again): a page of a thousand objects costs one join, not a
thousand decodes and encodes.
"""

import json
from datetime import UTC, datetime

from pydantic import BaseModel

from fusioncell.taxii import MEDIA_TYPE_STIX, MEDIA_TYPE_TAXII


def taxii_timestamp(moment: datetime) -> str:
    """TAXII's timestamp: UTC, microseconds, Z (date_added, the X-TAXII-Date-Added headers, requests)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class Discovery(BaseModel):
    title: str
    description: str
    contact: str | None = None
    default: str
    api_roots: list[str]


class ApiRoot(BaseModel):
    title: str
    description: str
    versions: list[str] = [MEDIA_TYPE_TAXII]
    max_content_length: int


class CollectionResource(BaseModel):
    id: str
    title: str
    description: str
    alias: str
    can_read: bool
    can_write: bool
    media_types: list[str] = [MEDIA_TYPE_STIX]


class Collections(BaseModel):
    collections: list[CollectionResource]


def status_text(fields: dict, *, successes: list[dict], failures: list[dict], pendings: list[dict]) -> str:
    """A status resource: `fields` (id, status, request_timestamp) and each list with its count. Written
    with json, not a model: a POST of 500 objects answers 500 status details."""
    counts = {
        "total_count": len(successes) + len(failures) + len(pendings),
        "success_count": len(successes),
        "successes": successes,
        "failure_count": len(failures),
        "failures": failures,
        "pending_count": len(pendings),
        "pendings": pendings,
    }
    return json.dumps(fields | counts, ensure_ascii=False)


class ErrorMessage(BaseModel):
    title: str
    description: str
    http_status: str  # a string in TAXII 2.1


def envelope_text(bodies: list[str], *, more: bool, next_cursor: str | None) -> str:
    """An envelope around stored object texts; an empty result is the empty envelope."""
    if not bodies:
        return "{}"
    head = {"more": more} | ({"next": next_cursor} if more and next_cursor else {})
    return json.dumps(head)[:-1] + ',"objects":[' + ",".join(bodies) + "]}"


def manifest_record(stix_id: str, date_added: datetime, version: str, spec_version: str) -> dict:
    media_type = MEDIA_TYPE_STIX if spec_version == "2.1" else f"application/stix+json;version={spec_version}"
    return {"id": stix_id, "date_added": taxii_timestamp(date_added), "version": version, "media_type": media_type}


def manifest_text(records: list[dict], *, more: bool, next_cursor: str | None) -> str:
    if not records:
        return "{}"
    return json.dumps({"more": more} | ({"next": next_cursor} if more and next_cursor else {}) | {"objects": records})


def versions_text(versions: list[str], *, more: bool, next_cursor: str | None) -> str:
    if not versions:
        return "{}"
    return json.dumps({"more": more} | ({"next": next_cursor} if more and next_cursor else {}) | {"versions": versions})
