"""The commercial desk's vocabulary and settings in the cell definition.

Sectors and stages are the taxonomy of SCENARIO.md; the settings say which zone the economic sites must lie
in, what a site outside it does (rejected, or kept and flagged), how much each stage counts in the
stage-weighted expectation, and the national figures beyond which a project's claim is absurd.
"""

from enum import StrEnum

from pydantic import Field, field_validator

from fusioncell.cell.common import Model, Slug


class Sector(StrEnum):
    ENERGY_WIND = "energy-wind"
    ENERGY_PIPELINE = "energy-pipeline"
    DATA_CENTRE = "data-centre"
    PHARMACEUTICAL = "pharmaceutical"
    TOURISM = "tourism"
    OTHER = "other"


class ProjectStage(StrEnum):
    """A project's stage, in order: list order is progress order."""

    CONCEPT = "concept"
    FEASIBILITY = "feasibility"
    AGREED = "agreed"
    FINANCING = "financing"
    CONSTRUCTION = "construction"
    OPERATING = "operating"


STAGE_ORDER = {stage: rank for rank, stage in enumerate(ProjectStage)}
COMMITTED_STAGES = (ProjectStage.AGREED, ProjectStage.FINANCING, ProjectStage.CONSTRUCTION, ProjectStage.OPERATING)


class SiteRule(StrEnum):
    REJECT = "reject"  # a site outside the economic zone is refused
    FLAG = "flag"  # it is kept, and flagged on the project


def _default_weights() -> dict[ProjectStage, float]:
    return {
        ProjectStage.CONCEPT: 0.05,
        ProjectStage.FEASIBILITY: 0.15,
        ProjectStage.AGREED: 0.4,
        ProjectStage.FINANCING: 0.6,
        ProjectStage.CONSTRUCTION: 0.85,
        ProjectStage.OPERATING: 1.0,
    }


class NationalLimits(Model):
    """What no single project can claim: more than the whole country has or needs."""

    grid_mw: float = Field(default=10_000, gt=0)  # Syria's installed capacity is of this order
    output_usd_per_year: float = Field(default=25_000_000_000, gt=0)  # about the national output
    jobs: int = Field(default=1_000_000, gt=0)
    capital_cost_usd: float = Field(default=100_000_000_000, gt=0)


class CommerceSettings(Model):
    zone: Slug = "economic-zone"  # sites must lie in this zone, which stays demilitarised
    site_outside_zone: SiteRule = SiteRule.FLAG
    # A Point site stands for this much around it when military activity "within the site" is looked for.
    site_radius_km: float = Field(default=1, gt=0, le=50)
    stage_weights: dict[ProjectStage, float] = Field(default_factory=_default_weights)
    limits: NationalLimits = Field(default_factory=NationalLimits)

    @field_validator("stage_weights")
    @classmethod
    def _every_stage_weighted(cls, value: dict[ProjectStage, float]) -> dict[ProjectStage, float]:
        missing = [s.value for s in ProjectStage if s not in value]
        if missing:
            raise ValueError(f"missing weights for {', '.join(missing)}")
        bad = [s.value for s, w in value.items() if not 0 <= w <= 1]
        if bad:
            raise ValueError(f"weights must lie between 0 and 1 ({', '.join(bad)})")
        return value
