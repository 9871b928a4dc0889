"""Counts against the 1974 limits of a zone (cell/zones.py `Limits`, figures set in the cell definition).

One check serves a party's declaration and an observer's inspection alike: what exceeds a zone's limits
is over, whoever says so.
"""

from collections.abc import Mapping

from fusioncell.cell.definition import CellDefinition, Limits, Zone

# The zone kinds whose limits forces are declared and inspected against.
LIMITED_KINDS = ("area-of-limitation", "area-of-separation")


def limited_zones(cell: CellDefinition) -> list[Zone]:
    """The zones a posture is declared or inspected for: the AOS and the AOL bands that set limits."""
    return [zone for zone in cell.zones if zone.kind in LIMITED_KINDS and zone.limits is not None]


def allowed(limits: Limits) -> dict[str, int]:
    """Each count the zone limits, and its ceiling; a weapon the zone bans is allowed none. A figure the
    agreement leaves open (None) is not checked."""
    ceilings = {name: getattr(limits, name) for name in ("troops", "tanks", "artillery")}
    if limits.heavy_artillery_allowed is False:
        ceilings["heavy_artillery"] = 0
    if limits.missiles_allowed is False:
        ceilings["missiles"] = 0
    return {name: value for name, value in ceilings.items() if value is not None}


def check(limits: Limits, counts: Mapping[str, int | None]) -> list[dict]:
    """[{limit, declared, allowed, over}] for every limited count given (None: not counted)."""
    return [
        {"limit": name, "declared": counts[name], "allowed": ceiling, "over": counts[name] > ceiling}
        for name, ceiling in allowed(limits).items()
        if counts.get(name) is not None
    ]
