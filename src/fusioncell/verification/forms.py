"""The verification page's forms: declare your party's posture in one of its bands, file an inspection of a
zone (observers), register a position held on the ground.

Each form becomes the API's body (web/forms.py checks it with the API's schema) and goes through the API's
own handler, so a form and the API accept and refuse exactly the same; who may use which form is the
services' rule, and the page shows a form only to whom it allows.
"""

from datetime import UTC, date, datetime, time

from fastapi import APIRouter, Depends, Form
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session

from fusioncell import validation_messages
from fusioncell.access.dependencies import Caller, PageCallerDep
from fusioncell.access.policies import can_declare_posture, can_inspect, can_track_positions
from fusioncell.access.subjects import Subject
from fusioncell.cell.definition import CellDefinition
from fusioncell.i18n import N_
from fusioncell.runtime import Runtime, SessionDep, get_runtime
from fusioncell.verification import endpoints
from fusioncell.verification.schemas import MAX_TEXT_CHARS, InspectionCreate, PositionCreate, PostureCreate
from fusioncell.verification.service import DESK
from fusioncell.web.forms import form_body

router = APIRouter(include_in_schema=False)

COUNTS = ("troops", "tanks", "artillery", "heavy_artillery", "missiles")


def Count():  # noqa: N802  (reads as the parameter's type)
    """A count's form field: a new one per parameter (FastAPI names a shared field after its first use)."""
    return Form(default="", max_length=12)


def forms_for(subject: Subject, cell: CellDefinition) -> dict:
    """Which forms the page shows the caller, and the zones they offer."""
    own_bands = [z for z in cell.zones if z.kind == "area-of-limitation" and z.applies_to == subject.party and z.limits]
    limited = [z for z in cell.zones if z.limits is not None]
    return {
        "may_declare": can_declare_posture(subject, DESK) and bool(own_bands),
        "may_inspect": can_inspect(subject),
        "may_register": can_track_positions(subject, DESK),
        "own_bands": own_bands,
        "limited_zones": limited,
        "principals": [p for p in cell.principals],
        "counts": COUNTS,
    }


def _day(value: str, field: str) -> str:
    """A form's YYYY-MM-DD as the API's aware datetime: the start of that day, UTC."""
    try:
        return datetime.combine(date.fromisoformat(value.strip()), time(0, 0), tzinfo=UTC).isoformat()
    except ValueError:
        raise validation_messages.invalid({field: N_("a date as YYYY-MM-DD")}, prefix="form.") from None


def _counts(**values: str) -> dict[str, str]:
    """The counts given (an empty box is a count not taken)."""
    return {name: value.strip() for name, value in values.items() if value.strip()}


@router.post("/verification/postures")
def declare_posture(
    zone: str = Form(default="", max_length=64),
    as_of: str = Form(default="", max_length=32),
    troops: str = Count(),
    tanks: str = Count(),
    artillery: str = Count(),
    heavy_artillery: str = Count(),
    missiles: str = Count(),
    remarks: str = Form(default="", max_length=MAX_TEXT_CHARS),
    caller: Caller = PageCallerDep,
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
):
    counted = _counts(
        troops=troops, tanks=tanks, artillery=artillery, heavy_artillery=heavy_artillery, missiles=missiles
    )
    body = form_body(PostureCreate, zone=zone, as_of=_day(as_of, "as_of"), remarks=remarks.strip() or None, **counted)
    endpoints.declare_posture(body, caller=caller, session=session, runtime=runtime)
    return RedirectResponse("/verification#postures-heading", status_code=303)


@router.post("/verification/inspections")
def file_inspection(
    zone: str = Form(default="", max_length=64),
    inspected_on: str = Form(default="", max_length=32),
    troops: str = Count(),
    tanks: str = Count(),
    artillery: str = Count(),
    heavy_artillery: str = Count(),
    missiles: str = Count(),
    compliant: str = Form(default=""),
    result: str = Form(default="", max_length=16),
    summary: str = Form(default="", max_length=MAX_TEXT_CHARS),
    caller: Caller = PageCallerDep,
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
):
    """One zone's inspection; the API takes several zones at once."""
    observed = _counts(
        troops=troops, tanks=tanks, artillery=artillery, heavy_artillery=heavy_artillery, missiles=missiles
    )
    body = form_body(
        InspectionCreate,
        zones=[zone],
        inspected_at=_day(inspected_on, "inspected_on"),
        findings=[{"zone": zone, "observed": observed, "compliant": compliant == "yes"}],
        result=result,
        summary=summary.strip(),
    )
    endpoints.file_inspection(body, caller=caller, session=session, runtime=runtime)
    return RedirectResponse("/verification#inspections-heading", status_code=303)


@router.post("/verification/positions")
def register_position(
    name: str = Form(default="", max_length=200),
    lat: str = Form(default="", max_length=32),
    lon: str = Form(default="", max_length=32),
    holding_party: str = Form(default="", max_length=16),
    description: str = Form(default="", max_length=MAX_TEXT_CHARS),
    caller: Caller = PageCallerDep,
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
):
    try:
        point = {"type": "Point", "coordinates": [float(lon), float(lat)]}
    except ValueError:
        point = {"type": "Point", "coordinates": [lon, lat]}  # refused by the schema, naming the field
    body = form_body(
        PositionCreate,
        name=name.strip(),
        location=point,
        holding_party=holding_party or None,
        description=description.strip() or None,
    )
    position = endpoints.register_position(body, caller=caller, session=session, runtime=runtime)
    return RedirectResponse(f"/positions/{position.id}", status_code=303)
