"""What a fusion's reports say together: its time window, place, type and severity, recomputed from the
reports in it whenever its members change."""

from fusioncell.cell.definition import CellDefinition
from fusioncell.fusion.models import Fusion
from fusioncell.incidents.models import Incident

DECIMALS = 6  # of a degree, as incidents are placed


def summarise(cell: CellDefinition, fusion: Fusion, incidents: list[Incident]) -> None:
    """Set the fusion's summary from its reports (left as it was when none is left in it)."""
    if not incidents:
        return
    starts = min(i.occurred_at for i in incidents)
    ends = max(i.occurred_until or i.occurred_at for i in incidents)
    fusion.occurred_at = starts
    fusion.occurred_until = ends if ends > starts else None
    fusion.lat = round(sum(i.lat for i in incidents) / len(incidents), DECIMALS)
    fusion.lon = round(sum(i.lon for i in incidents) / len(incidents), DECIMALS)
    fusion.severity = max(i.severity for i in incidents)
    fusion.type = _common_type(cell, incidents)


def _common_type(cell: CellDefinition, incidents: list[Incident]) -> str:
    """The reports' type if they agree, else their event type if they share one, else the gravest's type."""
    types = {i.type for i in incidents}
    if len(types) == 1:
        return types.pop()
    parents = {t.code: t.parent or t.code for t in cell.incident_types}
    events = {parents.get(code, code) for code in types}
    if len(events) == 1:
        return events.pop()
    return max(incidents, key=lambda i: (i.severity, str(i.id))).type
