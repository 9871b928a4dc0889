"""Which status a report takes when its author lets it go.

TLP:RED waits for a second officer of the author's party (four eyes); a tearline always waits for the
mediator, who decides whether the sanitised text may reach the wider audience; anything else waits for
the mediator where the cell supervises the intelligence desk, and goes straight out where it does not.
The mediator's own releases, and what goes to the mediator alone, go straight out.
"""

from fusioncell.access.subjects import Subject
from fusioncell.cell.definition import CellDefinition
from fusioncell.db.base import Marking, Status
from fusioncell.intel.models import ReportKind

DESK = "intelligence"


def supervised(cell: CellDefinition) -> bool:
    return any(desk.code == DESK and desk.supervised_delivery for desk in cell.desks)


def needs_second_officer(marking: Marking | str) -> bool:
    return Marking(marking) is Marking.RED


def delivery_status(
    cell: CellDefinition,
    subject: Subject,
    *,
    kind: ReportKind,
    marking: Marking,
    recipients: frozenset[str],
    second_officer: bool = False,
) -> Status:
    if needs_second_officer(marking) and not second_officer:
        return Status.DRAFT
    if subject.is_mediator or recipients <= {cell.mediator.code}:
        return Status.RELEASED  # nobody but the mediator reads it: there is nothing to supervise
    if kind is ReportKind.TEARLINE or supervised(cell):
        return Status.PENDING
    return Status.RELEASED
