"""`fusioncell intel import`, `export` and `reports`: the intelligence desk for analysts and operators on the
server, without a browser or an API token.

Each command acts as the named account, straight on the database, under the same service calls (and so the
same rules: who may share, the audience, the marking, every STIX check, four eyes, the mediator's review)
as the API. An import is stored whole and committed, or refused with every problem and nothing stored."""

import json
import os
import sys
from enum import StrEnum
from pathlib import Path

import typer
from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from fusioncell.access.service import acting_subject  # one rule for who may act from the command line
from fusioncell.db.base import Marking, Status
from fusioncell.errors import FusionError

intel_app = typer.Typer(help="The intelligence desk: import and export STIX 2.1, list reports.", no_args_is_help=True)
out = Console()
err = Console(stderr=True)


class Awaiting(StrEnum):
    MEDIATOR = "mediator"
    SECOND_OFFICER = "second-officer"


def _cli():
    from fusioncell import cli  # the shared helpers: the database in use, the cell, clear failures

    return cli


def _status_words(report) -> str:
    """What becomes of a report, in words an operator reads at a glance."""
    if report.status == Status.PENDING:
        return "waiting for the mediator"
    if report.status == Status.DRAFT and report.release_requested_by is not None:
        return "waiting for a second officer"
    return str(report.status)  # released, draft, retracted


def _read_bundle(file: str):
    """The parsed bundle from FILE or standard input ('-'); too large, unreadable or not JSON is a clear failure."""
    from fusioncell.intel.validation import MAX_BUNDLE_BYTES  # (the checks load only when a command needs them)

    try:
        if file == "-":
            raw = typer.get_binary_stream("stdin").read(MAX_BUNDLE_BYTES + 1)
        else:
            with open(file, "rb") as stream:
                raw = stream.read(MAX_BUNDLE_BYTES + 1)  # never more than the cap into memory
    except OSError as exc:
        _cli().fail(f"cannot read {file}: {exc.strerror or exc}")
    if len(raw) > MAX_BUNDLE_BYTES:
        _cli().fail(f"{file} is larger than {MAX_BUNDLE_BYTES // (1024 * 1024)} MiB; nothing was stored")
    try:
        return json.loads(raw)
    except ValueError as exc:  # bad JSON, or bytes that are not UTF-8
        _cli().fail(f"{file} is not a JSON document: {exc}")


def _grade(code: str | None) -> tuple[str | None, str | None]:
    """(reliability, credibility) from an Admiralty code; (None, None) keeps the bundle's own grade."""
    from fusioncell.intel.grading import parse_admiralty_code

    if code is None:
        return None, None
    try:
        reliability, credibility = parse_admiralty_code(code)
    except ValueError as exc:
        _cli().fail(str(exc))
    return str(reliability), str(credibility)


def _parties(text: str) -> frozenset[str]:
    return frozenset(code.strip().upper() for code in text.split(",") if code.strip())


def _refused(exc: FusionError) -> None:
    """Every problem the desk found, one row each, then a non-zero exit."""
    details = [d for d in exc.details or () if isinstance(d, dict)]
    if not details:
        _cli().fail(exc.message)
    table = Table(title="Refused", box=box.SIMPLE_HEAD, title_justify="left")
    table.add_column("field", no_wrap=True)
    table.add_column("object id", overflow="fold")
    table.add_column("problem")
    for detail in details:
        table.add_row(
            escape(str(detail.get("field", ""))), escape(detail.get("id") or ""), escape(str(detail.get("problem", "")))
        )
    err.print(table)
    _cli().fail(f"{len(details)} problem(s); nothing was stored")


@intel_app.command("import")
def import_(
    file: str = typer.Argument(..., help="A STIX 2.1 bundle (JSON); '-' reads it from standard input."),
    as_user: str = typer.Option(..., "--as", help="The account to share it as."),
    to: str = typer.Option(..., "--to", help="The parties it is released to, comma-separated: ISR,SYR."),
    marking: Marking = typer.Option(..., case_sensitive=False, help="The TLP 2.0 marking."),
    grade: str = typer.Option(None, help="Admiralty code, e.g. B2; unset: the bundle's own grade."),
    title: str = typer.Option(None, help="Unset: the bundle's report name."),
    draft: bool = typer.Option(False, "--draft", help="Keep it a draft: nothing goes out."),
    allow_custom: bool = typer.Option(False, "--allow-custom", help="Accept custom STIX types and properties."),
) -> None:
    """Import a STIX 2.1 bundle as one report of USERNAME's party: all stored, or nothing."""
    from fusioncell.intel import service

    reliability, credibility = _grade(grade)
    bundle = _read_bundle(file)
    database, cell = _cli().runtime_session()
    try:
        with database.writing() as session:
            report = service.import_bundle(
                session,
                cell=cell,
                subject=acting_subject(session, cell=cell, username=as_user),
                bundle=bundle,
                audience=service.Audience(_parties(to), marking, draft),
                title=title,
                source_reliability=reliability,
                credibility=credibility,
                allow_custom=allow_custom,
            )
            stored = len(bundle["objects"])
            summary = (
                f"imported {report.id}: {stored} object{'s' * (stored != 1)}, {report.admiralty_code}, "
                f"{_status_words(report)}"
            )
    except FusionError as exc:
        _refused(exc)
    out.print(summary, markup=False, highlight=False, soft_wrap=True)  # one line, for scripts too


@intel_app.command("export")
def export(
    as_user: str = typer.Option(..., "--as", help="The account whose readable objects to export."),
    output: Path = typer.Option(None, "-o", "--output", help="Write to FILE (default: standard output)."),
) -> None:
    """Everything USERNAME may read, as one STIX 2.1 bundle."""
    from fusioncell.intel.export import bundle_chunks

    database, cell = _cli().runtime_session()
    with database.reading() as session:
        try:
            subject = acting_subject(session, cell=cell, username=as_user)
        except FusionError as exc:
            _cli().fail(exc.message)
        chunks = bundle_chunks(session, cell=cell, subject=subject)
        if output is None:
            for chunk in chunks:
                sys.stdout.write(chunk)
            sys.stdout.write("\n")
            return
        pieces = _write_whole(output, chunks)
    err.print(f"wrote {escape(str(output))}: {pieces - 2} objects", highlight=False)


def _write_whole(path: Path, chunks) -> int:
    """Write beside the target and move it into place, so FILE is never half a bundle; the pieces written."""
    partial = path.with_name(f".{path.name}.partial")
    pieces = 0
    try:
        with open(partial, "w", encoding="utf-8") as stream:
            for chunk in chunks:
                stream.write(chunk)
                pieces += 1
        os.replace(partial, path)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        _cli().fail(f"cannot write {path}: {exc.strerror or exc}")
    return pieces


@intel_app.command("reports")
def reports(
    as_user: str = typer.Option(..., "--as", help="The account whose readable reports to list."),
    awaiting: Awaiting = typer.Option(None, help="Only those waiting for the mediator or a second officer."),
    limit: int = typer.Option(50, min=1, max=1000, help="How many, newest first."),
) -> None:
    """The reports USERNAME may read, newest first."""
    from fusioncell.intel import queries

    database, cell = _cli().runtime_session()
    with database.reading() as session:
        try:
            subject = acting_subject(session, cell=cell, username=as_user)
        except FusionError as exc:
            _cli().fail(exc.message)
        filters = queries.ReportFilters(awaiting=None if awaiting is None else str(awaiting))
        rows, next_cursor = queries.report_page(session, subject=subject, filters=filters, cursor=None, limit=limit)
        table = _reports_table(cell, rows)
    out.print(table)
    out.print(f"{len(rows)} report(s){' (more: raise --limit)' if next_cursor else ''}")


def _reports_table(cell, rows) -> Table:
    """The full id over the title (the id column never narrows: it is copied into other commands); the
    other columns fold rather than cut, so nothing is lost on an 80-column terminal."""
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, collapse_padding=True)
    table.add_column("report", width=36)
    for column in ("author", "grade\nTLP", "readers", "status"):
        table.add_column(column, overflow="fold")
    for r in rows:
        table.add_row(
            f"{r.id}\n[dim]{escape(r.title)}[/]",
            f"{r.origin_party}\n[dim]{escape(r.created_by)}[/]",
            f"{r.admiralty_code}\n{str(r.marking).removeprefix('TLP:')}",
            " ".join(sorted(r.readers(cell.mediator.code))),
            _status_words(r),
        )
    return table
