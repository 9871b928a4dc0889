"""The project register as CSV (docs/commerce.md has the format): export what the caller may read, import
projects as the importer's drafts.

Import checks every row before writing any: each bad row is reported as {row, field, message}, `row` being the
CSV line (the header is line 1). By default nothing is written if any row is bad; `partial` writes the good rows
and reports the bad ones. The site is `site_wkt` (WKT POINT or POLYGON, lon lat) or, for a point, `site_lat` and
`site_lon`; the export writes all three (lat/lon: the point, or a point inside the polygon).
"""

import csv
import io
import json
from collections.abc import Iterable
from typing import Any

import shapely
from pydantic import ValidationError
from shapely.geometry import mapping, shape
from sqlalchemy.orm import Session

from fusioncell.access.subjects import Subject
from fusioncell.cell.commerce import ProjectStage
from fusioncell.cell.definition import CellDefinition
from fusioncell.commerce import service
from fusioncell.commerce.models import Project
from fusioncell.commerce.schemas import CsvImportResult, ImportedProject, ProjectCreate, RowError
from fusioncell.errors import Invalid
from fusioncell.i18n import N_

DATE_COLUMNS = {f"{stage}_date": stage for stage in ProjectStage}
FIGURES = ("capital_cost_usd", "gdp_usd_per_year", "power_mw", "jobs", "pharma_import_substitution_percent")
IMPORTED = ("name", "sector", "stage", *DATE_COLUMNS, "site_wkt", "site_lat", "site_lon", *FIGURES)
IMPORTED += ("sponsors", "description", "marking")
EXPORT_ONLY = ("id", "site_outside_zone", "origin_party", "status", "releasable_to", "version", "ledger_index")
COLUMNS = ("id", *IMPORTED, *EXPORT_ONLY[1:])
MAX_IMPORT_ROWS = 5_000
MAX_IMPORT_CHARS = 2_000_000
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # OWASP: a spreadsheet reads these as a formula
DECIMALS = 6  # of a degree in WKT, about 10 cm


# ---------- export ----------


def neutralise(value: Any) -> str:
    """A cell as text; one a spreadsheet would take for a formula is prefixed with a quote."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # 120 MW, not 120.0
    if isinstance(value, int | float) and not isinstance(value, bool):
        return repr(value)  # a number is no formula, and keeps every digit
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def export_row(project: Project) -> dict[str, Any]:
    geometry = shape(project.site)
    point = geometry if geometry.geom_type == "Point" else geometry.representative_point()
    dates = project.stage_dates or {}
    return {
        "id": project.id,
        "name": project.name,
        "sector": project.sector,
        "stage": project.stage,
        **{column: dates.get(str(stage)) for column, stage in DATE_COLUMNS.items()},
        "site_wkt": shapely.to_wkt(geometry, rounding_precision=DECIMALS, trim=True),
        "site_lat": round(point.y, DECIMALS),
        "site_lon": round(point.x, DECIMALS),
        **{name: getattr(project, name) for name in FIGURES},
        "sponsors": "; ".join(f"{s['role']}: {s['name']}" for s in project.sponsors),
        "description": project.description,
        "marking": project.marking,
        "site_outside_zone": "true" if project.site_outside_zone else "false",
        "origin_party": project.origin_party,
        "status": project.status,
        "releasable_to": " ".join(sorted(project.releasable_to)),
        "version": project.version,
        "ledger_index": project.ledger_index,
    }


def export_csv(projects: Iterable[Project]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for project in projects:
        row = export_row(project)
        writer.writerow([neutralise(row[column]) for column in COLUMNS])
    return out.getvalue()


# ---------- import ----------


def import_projects(
    session: Session, *, subject: Subject, cell: CellDefinition, text: str, partial: bool = False
) -> CsvImportResult:
    """Every row checked first; written all together, or (partial) the good rows only."""
    service.refuse_unless_writer(subject)
    parsed, errors = parse_rows(session, subject=subject, cell=cell, text=text)
    if errors and not partial:
        bad = len({e.row for e in errors})
        raise Invalid(
            N_("{bad} row(s) of the CSV are not valid; nothing was imported (partial=true imports the valid rows)"),
            bad=bad,
            details=[e.model_dump() for e in errors],
        )
    imported = []
    for row, data in parsed:
        project = service.create_project(session, subject=subject, cell=cell, data=data)
        imported.append(ImportedProject(row=row, id=project.id, name=project.name, ledger_index=project.ledger_index))
    return CsvImportResult(imported=imported, errors=errors)


def parse_rows(
    session: Session, *, subject: Subject, cell: CellDefinition, text: str
) -> tuple[list[tuple[int, ProjectCreate]], list[RowError]]:
    """(line, body) of each good row, and the errors of the bad ones, checked as create_project would."""
    if len(text) > MAX_IMPORT_CHARS:
        raise Invalid(
            N_("the CSV is larger than {max_chars:,} characters; import it in parts"), max_chars=MAX_IMPORT_CHARS
        )
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")), restkey="_extra")
    header_errors = _header_errors(reader.fieldnames)
    if header_errors:
        raise Invalid(N_("the CSV's header is not valid"), details=[e.model_dump() for e in header_errors])
    parsed, errors = [], []
    for count, record in enumerate(reader, start=1):
        if count > MAX_IMPORT_ROWS:
            raise Invalid(
                N_("the CSV has more than {max_rows:,} projects; import it in parts"), max_rows=MAX_IMPORT_ROWS
            )
        line = reader.line_num
        if record.get("_extra"):
            errors.append(RowError(row=line, field="*", message="more cells than the header has columns"))
            continue
        data, problems = _row_body(record)
        if data is not None:
            problems = service.project_problems(session, subject=subject, cell=cell, data=data)
        if problems:
            errors += [RowError(row=line, field=_column(f), message=m) for f, m in problems.items()]
        else:
            parsed.append((line, data))
    return parsed, errors


def _header_errors(fieldnames: list[str] | None) -> list[RowError]:
    if not fieldnames:
        return [RowError(row=1, field="*", message="the CSV is empty: a header line comes first")]
    names = [name.strip() for name in fieldnames]
    errors = [RowError(row=1, field=n, message="unknown column") for n in names if n not in COLUMNS]
    twice = sorted({n for n in names if names.count(n) > 1})
    errors += [RowError(row=1, field=n, message="the column is given twice") for n in twice]
    if "name" not in names:
        errors.append(RowError(row=1, field="name", message="the name column is required"))
    if "site_wkt" not in names and not {"site_lat", "site_lon"} <= set(names):
        errors.append(RowError(row=1, field="site_wkt", message="give site_wkt, or site_lat and site_lon"))
    return errors


def _row_body(record: dict[str, Any]) -> tuple[ProjectCreate | None, dict[str, str]]:
    """The row as a create body, or the problems by column."""
    cells = {k.strip(): _unquoted((v or "").strip()) for k, v in record.items() if k and k != "_extra"}
    body: dict[str, Any] = {k: v for k, v in cells.items() if k in ("name", "sector", "stage", "description") and v}
    body |= {k: cells[k] for k in ("marking", *FIGURES) if cells.get(k)}
    body["stage_dates"] = {str(stage): cells[c] for c, stage in DATE_COLUMNS.items() if cells.get(c)}
    try:
        body["site"] = _site(cells)
        body["sponsors"] = _sponsors(cells.get("sponsors", ""))
    except ValueError as exc:
        return None, {str(exc.args[1]) if len(exc.args) > 1 else "site": str(exc.args[0])}
    try:
        return ProjectCreate.model_validate(body), {}
    except ValidationError as exc:
        return None, {".".join(str(p) for p in e["loc"]) or "*": e["msg"] for e in exc.errors()}


def _site(cells: dict[str, str]) -> dict[str, Any]:
    if cells.get("site_wkt"):
        try:
            geometry = shapely.from_wkt(cells["site_wkt"])
        except shapely.errors.GEOSException:
            raise ValueError("not WKT: give POINT (lon lat) or POLYGON ((lon lat, ...))", "site_wkt") from None
        if geometry.geom_type not in ("Point", "Polygon"):
            raise ValueError(f"a site is a POINT or a POLYGON, not {geometry.geom_type.upper()}", "site_wkt")
        return json.loads(json.dumps(mapping(geometry)))  # tuples to lists, as GeoJSON from a body has them
    if not (cells.get("site_lat") and cells.get("site_lon")):
        raise ValueError("give site_wkt, or site_lat and site_lon", "site_wkt")
    try:
        return {"type": "Point", "coordinates": [float(cells["site_lon"]), float(cells["site_lat"])]}
    except ValueError:
        raise ValueError("site_lat and site_lon are numbers (decimal degrees)", "site_lat") from None


def _sponsors(text: str) -> list[dict[str, str]]:
    """ "sponsor: Name; investor: Other" (a name without a role is a sponsor)."""
    sponsors = []
    for part in filter(None, (p.strip() for p in text.split(";"))):
        role, colon, name = part.partition(":")
        role, name = (role.strip().lower(), name.strip()) if colon else ("sponsor", part)
        if role not in ("sponsor", "investor") or not name:
            raise ValueError(f"{part!r}: write 'sponsor: Name' or 'investor: Name'", "sponsors")
        sponsors.append({"name": name, "role": role})
    return sponsors


def _unquoted(text: str) -> str:
    """The export's formula guard undone: a quote before what a spreadsheet would read as a formula."""
    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_STARTS) else text


def _column(field: str) -> str:
    """A problem's field as the CSV's column: stage_dates.agreed is agreed_date, site.* is the site."""
    head, _, rest = field.partition(".")
    if head == "stage_dates" and rest:
        return f"{rest.split('.')[0]}_date"
    if head == "site":
        return "site_wkt"
    return head if head != "body" else _column(rest)
