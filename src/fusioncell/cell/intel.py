"""The intelligence desk's settings in the cell definition: its TAXII collections and correlation limits."""

from pydantic import Field

from fusioncell.cell.common import Model, Names, PartyCode, Slug


class IntelCollection(Model):
    """A TAXII collection: one audience. It holds the reports whose readers are exactly its parties."""

    code: Slug
    names: Names
    readers: tuple[PartyCode, ...] = Field(min_length=2)  # exactly the parties that read what it holds


class CorrelationLimits(Model):
    # Two reports' places correlate within this distance and time window.
    place_km: float = Field(default=5, gt=0, le=100)
    window_hours: float = Field(default=48, gt=0, le=24 * 30)
    # A value (an address, a hash, a threat actor) shared by more reports than this is flagged as
    # over-correlating rather than listed: a reader learns it is common, not a thousand links.
    cap_per_value: int = Field(default=25, ge=2, le=1000)


class IntelSettings(Model):
    collections: tuple[IntelCollection, ...] = ()
    correlation: CorrelationLimits = Field(default_factory=CorrelationLimits)
