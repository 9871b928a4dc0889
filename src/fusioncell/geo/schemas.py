"""Bodies of the geo endpoints (GET /api/v1/zones is GeoJSON, described in features.py)."""

from pydantic import BaseModel, ConfigDict, Field

from fusioncell.cell.definition import Names


class _Read(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class NearSiteRead(_Read):
    place: str = Field(description="Code of the protected place.")
    distance_km: float


class PlacementRead(_Read):
    zones: list[str] = Field(description="Codes of the zones the location lies in.")
    side: str | None = Field(
        description="area-of-separation, <side>-of-<line> (west-of-alpha, east-of-bravo), or null beyond the lines."
    )
    protected_sites: list[NearSiteRead] = Field(description="Protected places within the cell's radius, nearest first.")
    distance_to_lines_km: dict[str, float]
    line_sides: dict[str, list[str]] = Field(description="Per line, the sides of it the location lies on.")


class ViolationRead(_Read):
    rule: str = Field(description="Code of the cell's incident rule the incident would break.")
    names: Names
    severity: int | None = Field(description="The least severity of an incident breaking the rule, if it sets one.")


class ClassificationRead(BaseModel):
    lat: float
    lon: float
    type: str | None = Field(description="The incident type the violations are for; none without a type.")
    party: str = Field(description="The acting party the violations are for.")
    placement: PlacementRead
    violations: list[ViolationRead]
