"""Dates, times and numbers as the page's language writes them (Babel's CLDR data), never by hand.

The record keeps every moment in UTC. A page shows a moment in the cell's time zone (the cell definition's
`timezone`, Asia/Damascus by default, which is also Israel's clock) with UTC beside it where a minute matters:
an incident, a notice, a message's deadline. Figures (megawatts, jobs, dollars) use the language's digits and
separators. Templates reach these as filters (web/templating.py): `moment`, `moment_utc`, `day`, `month`,
`clock`, `clock_utc`, `number`, `percent`.
"""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime, format_skeleton, format_time
from babel.numbers import format_decimal, format_percent

from fusioncell.i18n import current_language

DEFAULT_ZONE = "Asia/Damascus"


def _zone(timezone: str | None) -> ZoneInfo:
    return ZoneInfo(timezone or DEFAULT_ZONE)


def _aware(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; the record's are all UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def moment_local(moment: datetime, timezone: str | None = None, *, style: str = "medium") -> str:
    """Date and time in the cell's zone: "Nov 27, 2026, 5:54:00 AM" / "27‏/11‏/2026، 5:54:00 ص"."""
    return format_datetime(_aware(moment), style, tzinfo=_zone(timezone), locale=current_language())


def moment_utc(moment: datetime, *, style: str = "medium") -> str:
    """The same moment in UTC, for the record and for the other side's clock."""
    return format_datetime(_aware(moment), style, tzinfo=UTC, locale=current_language()) + " UTC"


def clock(moment: datetime, timezone: str | None = None) -> str:
    """Time of day only, in the cell's zone (24-hour where the language uses it)."""
    return format_skeleton("Hms", _aware(moment), tzinfo=_zone(timezone), locale=current_language())


def clock_utc(moment: datetime) -> str:
    return format_skeleton("Hms", _aware(moment), tzinfo=UTC, locale=current_language()) + " UTC"


def day(value: date | datetime, timezone: str | None = None, *, style: str = "medium") -> str:
    if isinstance(value, datetime):
        value = _aware(value).astimezone(_zone(timezone)).date()
    return format_date(value, style, locale=current_language())


def month(value: date) -> str:
    """ "November 2026" in the page's language (a calendar's heading)."""
    return format_skeleton("yMMMM", datetime.combine(value, datetime.min.time()), locale=current_language())


def time_of_day(moment: datetime, timezone: str | None = None) -> str:
    return format_time(_aware(moment), "short", tzinfo=_zone(timezone), locale=current_language())


def number(value: float | int | None, digits: int | None = None) -> str:
    """A figure with the language's separators; `digits` fixes the decimals shown."""
    if value is None:
        return "—"
    pattern = None if digits is None else "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(value, format=pattern, locale=current_language())


def percent(value: float | None) -> str:
    return "—" if value is None else format_percent(value, locale=current_language())
