"""STIX timestamps as the desk compares them: one fixed form, so that text order is time order.

"2026-01-01T00:00:00Z" and "2026-01-01T00:00:00.000Z" are the same moment but sort apart as text; a
version is stored as "YYYY-MM-DDTHH:MM:SS.ffffffZ" (STIX allows any sub-second precision; beyond
microseconds is cut, which no tool the desk meets writes).
"""

import re
from datetime import UTC, datetime
from functools import lru_cache

_STIX_TIME = re.compile(r"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?Z")


@lru_cache(maxsize=4096)  # a bundle's objects mostly share a few timestamps
def normalise(text: str) -> str:
    """The fixed form of a STIX timestamp; ValueError when `text` is not one."""
    found = _STIX_TIME.fullmatch(text)
    if found is None:
        raise ValueError(f"not a STIX timestamp (YYYY-MM-DDTHH:MM:SS[.s+]Z): {text!r}")
    datetime.strptime(found.group(1), "%Y-%m-%dT%H:%M:%S")  # a real date and time
    fraction = (found.group(2) or "")[:6].ljust(6, "0")
    return f"{found.group(1)}.{fraction}Z"


def stix_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse(text: str) -> datetime:
    return datetime.strptime(normalise(text), "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


def stix_version_of(obj: dict, added_at: datetime) -> str:
    """TAXII's version of an object: `modified`, else `created`, else when the cell received it."""
    stamp = obj.get("modified") or obj.get("created")
    return normalise(stamp) if isinstance(stamp, str) else stix_time(added_at)
