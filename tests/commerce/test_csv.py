"""The register as CSV: the export holds what the caller may read, with formula-like cells quoted; the import
checks every row first, writes all or (partial=true) the good ones, and names each bad row's line and column."""

import csv
import io

from fusioncell.commerce.csv_io import COLUMNS
from fusioncell.commerce.models import Project
from tests.commerce.conftest import liaison

HEADER = "name,sector,stage,concept_date,feasibility_date,site_lat,site_lon,power_mw,jobs,sponsors\n"
GOOD = "Hermon wind,energy-wind,feasibility,2026-01-05,2026-02-01,33.1256,35.8239,80,120,sponsor: Golan Wind Co\n"
ALSO_GOOD = "Quneitra clinic supply,pharmaceutical,concept,2026-01-10,,33.12,35.82,,40,\n"
NEGATIVE_JOBS = "Bad jobs,tourism,concept,2026-01-10,,33.12,35.82,,-5,\n"
ABSURD_MW = "Too much power,energy-wind,concept,2026-01-10,,33.12,35.82,90000,10,\n"
DATES_BACKWARDS = "Backwards,other,feasibility,2026-03-01,2026-02-01,33.12,35.82,,,\n"


def post(client, headers, text: str, partial: bool = False):
    path = "/api/v1/projects/import" + ("?partial=true" if partial else "")
    return client.post(path, content=text.encode(), headers=headers | {"Content-Type": "text/csv"})


def count(db) -> int:
    return db.query(Project).count()


def test_good_rows_are_imported_as_drafts_of_the_importer(client, population, db):
    isr = liaison(population, "ISR")
    response = post(client, isr, HEADER + GOOD + ALSO_GOOD)
    assert response.status_code == 200, response.text
    result = response.json()
    assert [p["row"] for p in result["imported"]] == [2, 3] and result["errors"] == []
    assert all(p["ledger_index"] is not None for p in result["imported"])
    first = client.get(f"/api/v1/projects/{result['imported'][0]['id']}", headers=isr).json()
    assert first["status"] == "draft" and first["origin_party"] == "ISR"
    assert first["stage_dates"] == {"concept": "2026-01-05", "feasibility": "2026-02-01"}
    assert first["sponsors"] == [{"organisation_id": None, "name": "Golan Wind Co", "role": "sponsor"}]
    assert first["power_mw"] == 80 and first["jobs"] == 120


def test_one_bad_row_and_nothing_is_imported_each_bad_row_named(client, population, db):
    before = count(db)
    text = HEADER + GOOD + NEGATIVE_JOBS + ABSURD_MW + DATES_BACKWARDS
    response = post(client, liaison(population, "ISR"), text)
    assert response.status_code == 422
    error = response.json()["error"]
    assert "nothing was imported" in error["message"]
    by_row = {(d["row"], d["field"]) for d in error["details"]}
    assert by_row == {(3, "jobs"), (4, "power_mw"), (5, "stage_dates")}
    assert all(d["message"] for d in error["details"])
    assert count(db) == before


def test_partial_imports_the_good_rows_and_reports_the_bad(client, population, db):
    before = count(db)
    response = post(client, liaison(population, "ISR"), HEADER + GOOD + NEGATIVE_JOBS + ALSO_GOOD, partial=True)
    assert response.status_code == 200
    result = response.json()
    assert [p["row"] for p in result["imported"]] == [2, 4]
    assert [(e["row"], e["field"]) for e in result["errors"]] == [(3, "jobs")]
    assert count(db) == before + 2


def test_a_bad_header_or_site_is_named(client, population, db):
    isr = liaison(population, "ISR")
    unknown = post(client, isr, "name,colour,site_lat,site_lon\nX,red,33.12,35.82\n")
    assert unknown.status_code == 422 and unknown.json()["error"]["details"][0] == {
        "row": 1,
        "field": "colour",
        "message": "unknown column",
    }
    bad_site = post(
        client, isr, 'name,site_wkt\nA,POINT (35.82\nB,"LINESTRING (35.8 33.1, 35.9 33.2)"\nC,POINT (200 33)\n'
    )
    fields = [(d["row"], d["field"]) for d in bad_site.json()["error"]["details"]]
    assert fields == [(2, "site_wkt"), (3, "site_wkt"), (4, "site_wkt")]
    extra_cells = post(client, isr, "name,site_lat,site_lon\nA,33.12,35.82,surplus\n")
    assert extra_cells.json()["error"]["details"][0]["row"] == 2
    assert post(client, isr, "").status_code == 422
    twice = post(client, isr, "name,name,site_lat,site_lon\nA,B,33.12,35.82\n").json()["error"]["details"]
    assert twice == [{"row": 1, "field": "name", "message": "the column is given twice"}]


def test_an_observer_imports_nothing(client, population):
    assert post(client, liaison(population, "UNDOF"), HEADER + GOOD).status_code == 403


def test_an_upload_is_read_like_a_body(client, population):
    files = {"file": ("projects.csv", (HEADER + GOOD).encode(), "text/csv")}
    response = client.post("/api/v1/projects/import", files=files, headers=liaison(population, "ISR"))
    assert response.status_code == 200 and len(response.json()["imported"]) == 1


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_the_export_round_trips(client, population, create):
    isr = liaison(population, "ISR")
    square = [[35.82, 33.12], [35.83, 33.12], [35.83, 33.13], [35.82, 33.13], [35.82, 33.12]]
    create(name="Point site")
    create(name="Area site", site={"type": "Polygon", "coordinates": [square]}, pharma_import_substitution_percent=12.5)
    exported = client.get("/api/v1/projects/export.csv", headers=isr)
    assert exported.status_code == 200 and exported.headers["content-type"].startswith("text/csv")
    assert exported.text.splitlines()[0] == ",".join(COLUMNS)
    assert {r["name"] for r in rows(exported.text)} == {"Point site", "Area site"}
    reimported = post(client, isr, exported.text)
    assert reimported.status_code == 200, reimported.text
    again = rows(client.get("/api/v1/projects/export.csv", headers=isr).text)
    kept = ("name", "sector", "stage", "site_wkt", "power_mw", "jobs", "pharma_import_substitution_percent", "sponsors")
    originals = sorted((tuple(r[k] for k in kept) for r in again), key=str)
    assert originals[0::2] == originals[1::2]  # each project twice: the original and its import, alike


def test_formula_like_cells_are_quoted_on_export_and_unquoted_on_import(client, population, create):
    isr = liaison(population, "ISR")
    sponsors = [{"name": "@Fund", "role": "investor"}]
    create(name='=HYPERLINK("http://evil")', description="+1 call me", sponsors=sponsors)
    exported = rows(client.get("/api/v1/projects/export.csv", headers=isr).text)[0]
    assert exported["name"] == '\'=HYPERLINK("http://evil")'
    assert exported["description"] == "'+1 call me"
    assert exported["sponsors"] == "investor: @Fund"  # not at the cell's start: no formula
    assert exported["power_mw"] == "120"  # numbers stay numbers
    text = ",".join(COLUMNS) + "\n" + ",".join(csv_cell(exported[c]) for c in COLUMNS) + "\n"
    imported = post(client, isr, text).json()["imported"][0]
    assert client.get(f"/api/v1/projects/{imported['id']}", headers=isr).json()["name"] == '=HYPERLINK("http://evil")'


def csv_cell(value: str) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="").writerow([value])
    return out.getvalue()


def test_the_export_holds_only_what_the_caller_may_read(client, population, create):
    create(name="Floated", releasable_to=["USA"])
    create(name="Offered", releasable_to=["USA", "SYR"])
    create(name="Draft")

    def names(party: str) -> set[str]:
        return {
            r["name"] for r in rows(client.get("/api/v1/projects/export.csv", headers=liaison(population, party)).text)
        }

    assert names("ISR") == {"Floated", "Offered", "Draft"}
    assert names("USA") == {"Floated", "Offered"}
    assert names("SYR") == {"Offered"}
    assert names("UNDOF") == set()


def test_a_stranger_is_refused_before_the_body_is_read(client):
    response = client.post(
        "/api/v1/projects/import", content=b"\xff\xfe not utf-8", headers={"Content-Type": "text/csv"}
    )
    assert response.status_code == 401
