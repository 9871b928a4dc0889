"""STIX 2.1 objects and TAXII requests for the TAXII tests."""

import uuid

TAXII = "application/taxii+json;version=2.1"


def indicator(n: int = 0, **overrides) -> dict:
    """An indicator for 10.x.y.z; `n` picks the address, `modified` a later version."""
    moment = overrides.pop("moment", "2026-11-20T10:00:00.000Z")
    return {
        "type": "indicator",
        "spec_version": "2.1",
        "id": f"indicator--{uuid.uuid4()}",
        "created": "2026-11-20T10:00:00.000Z",
        "modified": moment,
        "name": f"Staging address {n}",
        "indicator_types": ["malicious-activity"],
        "pattern": f"[ipv4-addr:value = '10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}']",
        "pattern_type": "stix",
        "valid_from": "2026-11-20T10:00:00Z",
    } | overrides


def indicators(count: int, start: int = 0) -> list[dict]:
    return [indicator(start + n) for n in range(count)]


def envelope(objects: list[dict]) -> dict:
    return {"objects": objects}
