"""Bodies of the commercial desk's endpoints. What a body's shape can say is checked here: figures not negative,
percentages up to 100, stage dates in stage order, a site that is a valid GeoJSON Point or Polygon in range (the
incidents' `Location`, Shapely-checked). What needs the cell or other records (the national limits, the zone,
the organisations a sponsor names, the parties) is checked by service.py and reported in the same shape."""

import uuid
from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field, HttpUrl, field_validator, model_validator

from fusioncell.access.schemas import EnvelopeRead, Strict
from fusioncell.cell.commerce import STAGE_ORDER, ProjectStage, Sector
from fusioncell.db.base import Marking
from fusioncell.errors import Phrase
from fusioncell.i18n import N_
from fusioncell.incidents.schemas import Location

MAX_NAME_CHARS = 200
MAX_DESCRIPTION_CHARS = 10_000
MAX_REASON_CHARS = 2_000
MAX_SPONSORS = 50
MAX_PARTIES = 20
Site = Location  # a GeoJSON Point or Polygon, lon/lat, validated with Shapely
SponsorRole = Literal["sponsor", "investor"]
OrganisationKind = Literal["company", "state", "fund", "bank", "agency"]


def stage_dates_in_order(dates: dict[ProjectStage, date]) -> dict[ProjectStage, date]:
    """A later stage is never dated before an earlier one (equal dates are fine: a day can see two)."""
    ordered = sorted(dates.items(), key=lambda item: STAGE_ORDER[item[0]])
    for (earlier, on_earlier), (later, on_later) in zip(ordered, ordered[1:], strict=False):
        if on_later < on_earlier:
            raise ValueError(
                Phrase(
                    N_("stage dates are out of order: {later} ({on_later}) before {earlier} ({on_earlier})"),
                    later=later,
                    on_later=on_later.isoformat(),
                    earlier=earlier,
                    on_earlier=on_earlier.isoformat(),
                )
            )
    return dates


class SponsorIn(Strict):
    organisation_id: uuid.UUID | None = Field(
        default=None, description="An organisation of the register you may read; its name is used if none given."
    )
    name: str | None = Field(default=None, min_length=1, max_length=MAX_NAME_CHARS)
    role: SponsorRole = "sponsor"

    @model_validator(mode="after")
    def _named(self) -> "SponsorIn":
        if self.organisation_id is None and not self.name:
            raise ValueError(N_("a sponsor names an organisation_id or a name"))
        return self


class Figures(Strict):
    """Expected contributions and cost; None where the project claims none. The national limits (no project
    claims more MW than the grid, more jobs than the country has) come from the cell: service.py checks them."""

    capital_cost_usd: float | None = Field(default=None, ge=0, allow_inf_nan=False)
    gdp_usd_per_year: float | None = Field(default=None, ge=0, allow_inf_nan=False)
    power_mw: float | None = Field(default=None, ge=0, allow_inf_nan=False)
    jobs: int | None = Field(default=None, ge=0)
    pharma_import_substitution_percent: float | None = Field(
        default=None, ge=0, le=100, allow_inf_nan=False, description="Share of the national need, 0 to 100."
    )


class ProjectCreate(Figures):
    name: str = Field(min_length=1, max_length=MAX_NAME_CHARS)
    sector: Sector = Sector.OTHER
    description: str = Field(default="", max_length=MAX_DESCRIPTION_CHARS)
    site: Site
    stage: ProjectStage = ProjectStage.CONCEPT
    stage_dates: dict[ProjectStage, date] = Field(
        default_factory=dict,
        description="The date each stage was (or is planned to be) reached; in stage order. "
        "The current stage's date defaults to today.",
    )
    sponsors: list[SponsorIn] = Field(default_factory=list, max_length=MAX_SPONSORS)
    marking: Marking = Marking.AMBER
    releasable_to: list[str] | None = Field(
        default=None,
        max_length=MAX_PARTIES,
        description="None: a draft, your party's alone. A list: released at once to those parties (the mediator "
        "reads every release; [mediator] alone floats the project to it before the other side sees it).",
    )
    illustrative: bool = False

    @field_validator("stage_dates")
    @classmethod
    def _dates_in_order(cls, value: dict[ProjectStage, date]) -> dict[ProjectStage, date]:
        return stage_dates_in_order(value)


class ProjectUpdate(Figures):
    """Only the fields sent change (a figure sent as null is cleared). Stage and release have their own calls."""

    name: str | None = Field(default=None, min_length=1, max_length=MAX_NAME_CHARS)
    sector: Sector | None = None
    description: str | None = Field(default=None, max_length=MAX_DESCRIPTION_CHARS)
    site: Site | None = None
    stage_dates: dict[ProjectStage, date] | None = Field(
        default=None, description="Replaces the dates; the current stage keeps a date; in stage order."
    )
    sponsors: list[SponsorIn] | None = Field(default=None, max_length=MAX_SPONSORS)
    marking: Marking | None = None

    @field_validator("stage_dates")
    @classmethod
    def _dates_in_order(cls, value: dict[ProjectStage, date] | None) -> dict[ProjectStage, date] | None:
        return None if value is None else stage_dates_in_order(value)

    @model_validator(mode="after")
    def _something(self) -> "ProjectUpdate":
        if not self.model_fields_set:
            raise ValueError(N_("send at least one field to change"))
        for name in ("name", "sector", "description", "site", "stage_dates", "sponsors", "marking"):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(
                    Phrase(N_("{name} cannot be cleared (send a value; only figures clear with null)"), name=name)
                )
        return self


class StageChange(Strict):
    stage: ProjectStage
    on: date = Field(description="When the stage was reached; not before the current stage's date, not ahead.")
    reason: str | None = Field(
        default=None, min_length=1, max_length=MAX_REASON_CHARS, description="Required when the stage goes back."
    )


class ReleaseRequest(Strict):
    releasable_to: list[str] = Field(
        max_length=MAX_PARTIES,
        description="Whom the project is released to; a later release may add parties, never remove one. "
        "[mediator] alone floats it to the mediator first.",
    )


class RetractRequest(Strict):
    reason: str = Field(min_length=1, max_length=2000, description="Why the project is withdrawn; its readers see it.")


class SponsorRead(BaseModel):
    organisation_id: uuid.UUID | None
    name: str
    role: SponsorRole


class StageChangeRead(BaseModel):
    stage: ProjectStage
    at: date = Field(description="The date the stage was reached.")
    recorded_at: datetime | None = None
    by: str
    party: str
    reason: str | None = None


class IncidentAtSite(BaseModel):
    """A military incident within the site, as far as the reader may read it."""

    id: uuid.UUID
    type: str
    occurred_at: datetime
    severity: int
    origin_party: str


class ProjectRead(EnvelopeRead):
    name: str
    sector: Sector
    description: str
    site: dict[str, Any] = Field(description="GeoJSON Point or Polygon, lon/lat.")
    site_outside_zone: bool = Field(description="The site lies (partly) outside the cell's economic zone.")
    stage: ProjectStage
    stage_dates: dict[ProjectStage, date]
    history: list[StageChangeRead]
    sponsors: list[SponsorRead]
    capital_cost_usd: float | None
    gdp_usd_per_year: float | None
    power_mw: float | None
    jobs: int | None
    pharma_import_substitution_percent: float | None
    illustrative: bool
    retracted_at: datetime | None = None
    retraction_reason: str | None = None
    military_incidents: list[IncidentAtSite] = Field(
        default_factory=list,
        description="Military activity within the site that the caller may read: the zone stays demilitarised.",
    )


class ProjectPage(BaseModel):
    items: list[ProjectRead]
    next_cursor: uuid.UUID | None


class ProjectAtIncident(BaseModel):
    """A project whose site an incident lies in, as far as the reader may read the project."""

    id: uuid.UUID
    name: str
    sector: Sector
    stage: ProjectStage
    origin_party: str


class OrganisationCreate(Strict):
    name: str = Field(min_length=1, max_length=MAX_NAME_CHARS)
    country: str | None = Field(default=None, pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2.")
    kind: OrganisationKind = "company"
    website: HttpUrl | None = None
    notes: str = Field(default="", max_length=MAX_DESCRIPTION_CHARS)
    marking: Marking = Marking.AMBER
    releasable_to: list[str] | None = Field(
        default=None,
        max_length=MAX_PARTIES,
        description="None: named to the mediator alone (floated). A list: released to those parties.",
    )


class OrganisationRead(EnvelopeRead):
    name: str
    country: str | None
    kind: str
    website: str | None
    notes: str


class OrganisationPage(BaseModel):
    items: list[OrganisationRead]
    next_cursor: uuid.UUID | None


class RowError(BaseModel):
    row: int = Field(description="The CSV line: the header is line 1, the first project line 2.")
    field: str
    message: str


class ImportedProject(BaseModel):
    row: int
    id: uuid.UUID
    name: str
    ledger_index: int | None


class CsvImportResult(BaseModel):
    imported: list[ImportedProject]
    errors: list[RowError] = Field(description="The rows left out (partial=true only; else nothing is imported).")
