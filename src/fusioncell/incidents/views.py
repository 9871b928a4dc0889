"""How incidents, complaints and incident escalations are told to their readers: the API, the live
stream and webhooks share these views (registered below with events/representations.py).

An incident's view holds what every reader may see; the hotline files it cites are trimmed per reader to
those the reader may read, by the releasability rule applied to each file's envelope.
"""

from typing import Any

from fusioncell.access.rule import can_read
from fusioncell.access.subjects import Subject
from fusioncell.db.base import Status
from fusioncell.events.representations import Representation, register
from fusioncell.incidents.models import Complaint, Incident, IncidentEscalation
from fusioncell.incidents.schemas import ComplaintRead, IncidentEscalationRead, IncidentRead

# Columns of the read model filled from the row by name; the others are shaped below.
_SHAPED = {
    "releasable_to",
    "casualties",
    "description",
    "sources",
    "attachments",
    "zones",
    "ack_parties",
    "acknowledged_parties",
}


def incident_view(incident: Incident) -> dict[str, Any]:
    """The incident as all its readers see it; once retracted, the reporter's account is withheld."""
    retracted = incident.status == Status.RETRACTED
    view = IncidentRead(
        **{name: getattr(incident, name) for name in IncidentRead.model_fields if name not in _SHAPED},
        releasable_to=sorted(incident.releasable_to),
        casualties={
            "killed": incident.killed,
            "injured": incident.injured,
            "civilians_killed": incident.civilians_killed,
            "civilians_injured": incident.civilians_injured,
        },
        description=None if retracted else incident.description,
        sources=[] if retracted else incident.sources,
        attachments=[] if retracted else [a["id"] for a in incident.attachments],
        zones=sorted(incident.zones),
        ack_parties=sorted(incident.ack_parties),
        acknowledged_parties=sorted(incident.acknowledged_parties),
    )
    return view.model_dump(mode="json")


def trim_incident(subject: Subject, incident: Incident, view: dict[str, Any]) -> dict[str, Any]:
    """Only the cited files this reader may read."""
    if not view["attachments"]:
        return view
    readable = {
        a["id"]
        for a in incident.attachments
        if can_read(subject, a["origin_party"], Status.RELEASED, frozenset(a["releasable_to"]))
    }
    return view | {"attachments": [i for i in view["attachments"] if i in readable]}


def incident_read(subject: Subject, incident: Incident) -> IncidentRead:
    return IncidentRead.model_validate(trim_incident(subject, incident, incident_view(incident)))


def complaint_view(complaint: Complaint) -> dict[str, Any]:
    return ComplaintRead.model_validate(complaint).model_dump(mode="json")


def escalation_view(escalation: IncidentEscalation) -> dict[str, Any]:
    return IncidentEscalationRead.model_validate(escalation).model_dump(mode="json")


register("incident", Representation(model=Incident, view=incident_view, trim=trim_incident))
register("complaint", Representation(model=Complaint, view=complaint_view))
register("incident-escalation", Representation(model=IncidentEscalation, view=escalation_view))
