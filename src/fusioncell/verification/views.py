"""How declarations, inspections and positions are told to their readers: the API, the live stream and
webhooks share these views (registered below with events/representations.py). Each holds only what every
reader of the record may see: nothing in them is meant for fewer readers."""

from datetime import datetime
from typing import Any

from fusioncell.db.types import utcnow
from fusioncell.events.representations import Representation, register
from fusioncell.verification.models import Inspection, Position, PostureDeclaration
from fusioncell.verification.schemas import InspectionRead, PositionRead, PostureRead
from fusioncell.verification.withdrawals import is_overdue

_SETS = {"releasable_to", "zones"}  # stored as sets, told sorted


def _fields(record, model, **shaped) -> dict[str, Any]:
    plain = {name: getattr(record, name) for name in model.model_fields if name not in _SETS and name not in shaped}
    sets = {name: sorted(getattr(record, name)) for name in _SETS if name in model.model_fields}
    return plain | sets | shaped


def posture_read(posture: PostureDeclaration) -> PostureRead:
    return PostureRead.model_validate(_fields(posture, PostureRead))


def inspection_read(inspection: Inspection) -> InspectionRead:
    return InspectionRead.model_validate(_fields(inspection, InspectionRead))


def position_read(position: Position, now: datetime | None = None) -> PositionRead:
    """`overdue` as of `now`: a scheduled withdrawal whose due date has passed."""
    return PositionRead.model_validate(_fields(position, PositionRead, overdue=is_overdue(position, now or utcnow())))


def posture_view(posture: PostureDeclaration) -> dict[str, Any]:
    return posture_read(posture).model_dump(mode="json")


def inspection_view(inspection: Inspection) -> dict[str, Any]:
    return inspection_read(inspection).model_dump(mode="json")


def position_view(position: Position) -> dict[str, Any]:
    return position_read(position).model_dump(mode="json")


register("posture-declaration", Representation(model=PostureDeclaration, view=posture_view))
register("inspection", Representation(model=Inspection, view=inspection_view))
register("position", Representation(model=Position, view=position_view))
