"""How a fused incident is told to its readers. The stream, webhooks and the ledger panel get the view
every reader of the fusion may see: its summary and who reported (each member's party and closeness);
the API adds, per reader, each source report the reader may read — never one it may not."""

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from fusioncell.access.rule import readable
from fusioncell.access.subjects import Subject
from fusioncell.events.representations import Representation, register
from fusioncell.fusion.models import Fusion
from fusioncell.fusion.schemas import FusionMemberRead, FusionRead
from fusioncell.incidents.models import Incident
from fusioncell.incidents.views import incident_read


def _read(fusion: Fusion, reports: dict | None = None) -> FusionRead:
    reports = reports or {}
    return FusionRead(
        **{name: getattr(fusion, name) for name in FusionRead.model_fields if name not in ("members", "releasable_to")},
        releasable_to=sorted(fusion.releasable_to),
        members=[
            FusionMemberRead(
                incident_id=m.incident_id,
                origin_party=m.origin_party,
                state=m.state,
                minutes_apart=m.minutes_apart,
                km_apart=m.km_apart,
                added_at=m.added_at,
                incident=reports.get(m.incident_id),
            )
            for m in fusion.members
        ],
    )


def fusion_view(fusion: Fusion) -> dict[str, Any]:
    return _read(fusion).model_dump(mode="json")


def fusion_reads(session: Session, subject: Subject, fusions: list[Fusion]) -> list[FusionRead]:
    """Each fusion with the source reports this reader may read, found through the one rule."""
    ids = {m.incident_id for f in fusions for m in f.members}
    query = select(Incident).where(Incident.id.in_(ids), readable(subject, Incident))
    reports = {i.id: incident_read(subject, i) for i in session.execute(query).scalars()} if ids else {}
    return [_read(f, reports) for f in fusions]


def fusion_read(session: Session, subject: Subject, fusion: Fusion) -> FusionRead:
    return fusion_reads(session, subject, [fusion])[0]


register("fusion", Representation(model=Fusion, view=fusion_view))
