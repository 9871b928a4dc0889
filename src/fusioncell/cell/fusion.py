"""How close two incident reports must lie, in time, space and type, for the desk to propose them as one
event. The mediator decides; these thresholds only decide what is put before the mediator."""

from pydantic import Field

from fusioncell.cell.common import Model


class FusionThresholds(Model):
    window_minutes: float = Field(default=30, gt=0, le=24 * 60)  # their times at most this far apart
    distance_km: float = Field(default=2, gt=0, le=100)  # their places at most this far apart
    # Allowance for a report known only to the hour, or only near a place: added to the limits above.
    # Reports known only to the day or coarser, or only by region, are too vague to propose unasked;
    # the mediator can still fuse them by hand.
    hour_precision_minutes: float = Field(default=60, ge=0, le=24 * 60)
    near_precision_km: float = Field(default=2, ge=0, le=100)
    # Whether sub-types of one event type may fuse (shelling and an air strike are both "explosions/remote
    # violence": two parties may name one event differently); if not, the types must be the same.
    across_sub_types: bool = True
