"""Exports of the incidents a caller may read: GeoJSON and CSV with ACLED's column names.

Every row comes from queries.list_incidents (the releasability rule's `readable` filter) and every field
from views.incident_read, so what a reader may not see (a retracted report's account, files it may not
read) is withheld here exactly as in the API. Large results are streamed a page at a time, each page
read in a short transaction of its own.
"""

import csv
import io
import json
from collections.abc import Iterator
from typing import Any

from fusioncell.access.subjects import Subject
from fusioncell.cell.definition import CellDefinition
from fusioncell.db.session import Database
from fusioncell.incidents import queries
from fusioncell.incidents.schemas import IncidentRead
from fusioncell.incidents.views import incident_read

PAGE = 500

# ACLED's columns (ACLED codebook), as far as an incident holds them, then fusioncell's own.
ACLED_COLUMNS = (
    "event_id_cnty",
    "event_date",
    "year",
    "time_precision",
    "disorder_type",
    "event_type",
    "sub_event_type",
    "actor1",
    "location",
    "latitude",
    "longitude",
    "geo_precision",
    "source",
    "notes",
    "fatalities",
    "timestamp",
)
EXTRA_COLUMNS = ("fusioncell_type", "severity", "stage", "status", "origin_party", "marking", "releasable_to")
CSV_COLUMNS = ACLED_COLUMNS + EXTRA_COLUMNS

# ACLED codes precision 1 (best) to 3; fusioncell keeps it in words.
ACLED_TIME_PRECISION = {"exact": 1, "hour": 1, "day": 1, "week": 2}
ACLED_GEO_PRECISION = {"exact": 1, "near": 2, "region": 3}
ACLED_DISORDER = {
    "Battles": "Political violence",
    "Explosions/Remote violence": "Political violence",
    "Violence against civilians": "Political violence",
    "Riots": "Political violence; Demonstrations",
    "Protests": "Demonstrations",
    "Strategic developments": "Strategic developments",
}
# OWASP: a cell starting with one of these is read as a formula by spreadsheets.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def readable_incidents(
    database: Database,
    *,
    cell: CellDefinition,
    subject: Subject,
    filters: queries.IncidentFilters,
    limit: int | None = None,
) -> Iterator[IncidentRead]:
    """The caller's readable incidents, newest first, as the caller may see them; a page per transaction."""
    before = None
    left = limit
    while left is None or left > 0:
        size = PAGE if left is None else min(PAGE, left)
        with database.reading() as session:
            found = queries.list_incidents(
                session, cell=cell, subject=subject, filters=filters, before=before, limit=size
            )
            views = [incident_read(subject, incident) for incident in found]
        yield from views
        if len(found) < size:
            return
        before = found[-1].id
        if left is not None:
            left -= len(found)


# --- GeoJSON ------------------------------------------------------------------------------------------


def feature(incident: IncidentRead) -> dict[str, Any]:
    properties = incident.model_dump(mode="json", exclude={"location"})
    return {"type": "Feature", "id": str(incident.id), "geometry": incident.location, "properties": properties}


def geojson_chunks(incidents: Iterator[IncidentRead]) -> Iterator[bytes]:
    """One FeatureCollection, written a feature at a time."""
    yield b'{"type":"FeatureCollection","features":['
    first = True
    for incident in incidents:
        yield (b"" if first else b",") + json.dumps(feature(incident), ensure_ascii=False).encode()
        first = False
    yield b"]}"


# --- CSV ----------------------------------------------------------------------------------------------


def neutralise(value: Any) -> str:
    """A cell as text; one a spreadsheet would take for a formula is prefixed with a quote (OWASP)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)  # a number is no formula, negative or not
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def acled_row(cell: CellDefinition, incident: IncidentRead) -> dict[str, Any]:
    kind = next((t for t in cell.incident_types if t.code == incident.type), None)
    parent = next((t for t in cell.incident_types if kind and t.code == kind.parent), None)
    event_type = (parent.acled if parent else kind.acled if kind else None) or ""
    sub_event_type = (kind.acled or "") if parent and kind else ""
    return {
        "event_id_cnty": incident.id,
        "event_date": incident.occurred_at.date().isoformat(),
        "year": incident.occurred_at.year,
        "time_precision": ACLED_TIME_PRECISION.get(incident.time_precision, ""),
        "disorder_type": ACLED_DISORDER.get(event_type, ""),
        "event_type": event_type,
        "sub_event_type": sub_event_type,
        "actor1": incident.actor_party,
        "location": "; ".join(incident.zones) or incident.side,
        "latitude": incident.lat,
        "longitude": incident.lon,
        "geo_precision": ACLED_GEO_PRECISION.get(incident.geo_precision, ""),
        "source": "; ".join(incident.sources),
        "notes": incident.description,
        "fatalities": incident.casualties.killed,
        "timestamp": int(incident.created_at.timestamp()),
        "fusioncell_type": incident.type,
        "severity": incident.severity,
        "stage": incident.stage,
        "status": incident.status,
        "origin_party": incident.origin_party,
        "marking": incident.marking,
        "releasable_to": " ".join(incident.releasable_to),
    }


def csv_chunks(cell: CellDefinition, incidents: Iterator[IncidentRead]) -> Iterator[bytes]:
    """A header line, then a line per incident; every cell neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for count, incident in enumerate(incidents, 1):
        row = acled_row(cell, incident)
        writer.writerow([neutralise(row[column]) for column in CSV_COLUMNS])
        if count % 100 == 0:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()
