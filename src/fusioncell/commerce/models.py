"""Projects of the joint economic zone and the organisations that sponsor or invest in them.

A project's `stage` is its own lifecycle (concept ... operating); the envelope's `status` stays the
releasability state every record has. `stage_dates` holds the date each stage was (or is planned to be)
reached, so the dashboard replays the portfolio over time; `history` keeps every change of stage with its
reason (a stage going backwards needs one). The site is GeoJSON (a Point or a Polygon) with its bounding box
in columns, so the map and the incident check find candidates without reading every geometry.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, Float, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from fusioncell.cell.commerce import ProjectStage, Sector
from fusioncell.db.base import Base, Envelope, iso
from fusioncell.db.types import UTCDateTime

__all__ = ["Organisation", "Project", "ProjectStage", "Sector"]


class Organisation(Base, Envelope):
    """A sponsor or investor. Released like any record: a party may name a backer to the mediator first."""

    __tablename__ = "organisations"
    record_kind = "organisation"

    name: Mapped[str] = mapped_column(String(200))
    country: Mapped[str | None] = mapped_column(String(2), default=None)  # ISO 3166-1 alpha-2
    kind: Mapped[str] = mapped_column(String(32), default="company")  # company, state, fund, bank, agency
    website: Mapped[str | None] = mapped_column(String(500), default=None)
    notes: Mapped[str] = mapped_column(Text, default="")

    def ledger_content(self) -> dict[str, Any]:
        return self.envelope_content() | {
            "name": self.name,
            "country": self.country,
            "kind": self.kind,
            "website": self.website,
            "notes": self.notes,
        }


class Project(Base, Envelope):
    __tablename__ = "projects"
    __table_args__ = (
        Index("ix_projects_stage", "stage", "id"),
        Index("ix_projects_site_box", "site_min_lat", "site_max_lat", "site_min_lon", "site_max_lon"),
    )
    record_kind = "project"

    name: Mapped[str] = mapped_column(String(200))
    sector: Mapped[str] = mapped_column(String(32), default=Sector.OTHER, index=True)
    description: Mapped[str] = mapped_column(Text, default="")
    site: Mapped[dict] = mapped_column(JSON)  # a GeoJSON Point or Polygon geometry, lon/lat order
    site_min_lat: Mapped[float] = mapped_column(Float)
    site_max_lat: Mapped[float] = mapped_column(Float)
    site_min_lon: Mapped[float] = mapped_column(Float)
    site_max_lon: Mapped[float] = mapped_column(Float)
    # The site rule's verdict when the site was last set: outside the economic zone (kept, flagged).
    site_outside_zone: Mapped[bool] = mapped_column(Boolean, default=False)
    stage: Mapped[str] = mapped_column(String(16), default=ProjectStage.CONCEPT)
    stage_dates: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)  # {stage: "YYYY-MM-DD"}
    # [{stage, at, by, party, reason}] oldest first: every change of stage, backwards ones with their reason.
    history: Mapped[list[dict]] = mapped_column(JSON, default=list)
    # [{organisation_id, name, role}] role: sponsor | investor. The name is kept as the project's author
    # gave it, so a reader of the project sees it without needing the organisation's own record.
    sponsors: Mapped[list[dict]] = mapped_column(JSON, default=list)
    capital_cost_usd: Mapped[float | None] = mapped_column(Float, default=None)
    # Expected contributions toward the cell's targets; None where the project claims none.
    gdp_usd_per_year: Mapped[float | None] = mapped_column(Float, default=None)
    power_mw: Mapped[float | None] = mapped_column(Float, default=None)
    jobs: Mapped[int | None] = mapped_column(BigInteger, default=None)
    pharma_import_substitution_percent: Mapped[float | None] = mapped_column(Float, default=None)
    illustrative: Mapped[bool] = mapped_column(Boolean, default=False)  # the demo cell's made-up portfolio
    # Retracted by its party: withdrawn from every reader's dashboard, kept (and readable) with its reason.
    retracted_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    retraction_reason: Mapped[str | None] = mapped_column(Text, default=None)

    def ledger_content(self) -> dict[str, Any]:
        return self.envelope_content() | {
            "name": self.name,
            "sector": self.sector,
            "description": self.description,
            "site": self.site,
            "site_outside_zone": self.site_outside_zone,
            "stage": self.stage,
            "stage_dates": self.stage_dates,
            "history": self.history,
            "sponsors": self.sponsors,
            "capital_cost_usd": self.capital_cost_usd,
            "gdp_usd_per_year": self.gdp_usd_per_year,
            "power_mw": self.power_mw,
            "jobs": self.jobs,
            "pharma_import_substitution_percent": self.pharma_import_substitution_percent,
            "illustrative": self.illustrative,
            "retracted_at": iso(self.retracted_at),
            "retraction_reason": self.retraction_reason,
        }
