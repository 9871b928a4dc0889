"""What the fusion pages and the API list. Every query filters through access/rule.py `readable`."""

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from fusioncell.access.rule import readable
from fusioncell.access.subjects import Subject
from fusioncell.fusion.models import Fusion, FusionMember, FusionStage, MemberState


def list_fusions(
    session: Session,
    *,
    subject: Subject,
    stage: FusionStage | None = None,
    incident_id: uuid.UUID | None = None,
    before: uuid.UUID | None = None,
    limit: int = 50,
) -> list[Fusion]:
    """Newest first (UUIDv7 ids order by time and serve as the cursor)."""
    query = select(Fusion).where(readable(subject, Fusion))
    if stage is not None:
        query = query.where(Fusion.stage == str(stage))
    if incident_id is not None:
        holding = select(FusionMember.fusion_id).where(
            FusionMember.incident_id == incident_id, FusionMember.state != MemberState.SPLIT
        )
        query = query.where(Fusion.id.in_(holding))
    if before is not None:
        query = query.where(Fusion.id < before)
    return list(session.execute(query.order_by(Fusion.id.desc()).limit(limit)).scalars())
