"""`fusioncell project export` and `import`: the project register as CSV for operators on the server, without a
browser or an API token. Each command acts as the named account, straight on the database, through the same
functions as the API (csv_io.py): the export holds what the account may read; an import checks every row first
and stores all of them, or (--partial) the good ones, as the account's party's drafts."""

import sys
from pathlib import Path

import typer
from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from fusioncell.access.service import acting_subject  # one rule for who may act from the command line
from fusioncell.errors import FusionError

project_app = typer.Typer(help="The commercial desk: the project register as CSV.", no_args_is_help=True)
out = Console()
err = Console(stderr=True)


def _cli():
    from fusioncell import cli  # the shared helpers: the database in use, the cell, clear failures

    return cli


@project_app.command("export")
def export(
    as_user: str = typer.Option(..., "--as", help="The account whose readable projects to export."),
    output: Path = typer.Option(None, "-o", "--output", help="Write to FILE (default: standard output)."),
) -> None:
    """Every project USERNAME may read, as CSV (docs/commerce.md has the columns)."""
    from fusioncell.commerce import csv_io, queries

    database, cell = _cli().runtime_session()
    with database.reading() as session:
        try:
            subject = acting_subject(session, cell=cell, username=as_user)
        except FusionError as exc:
            _cli().fail(exc.message)
        text = csv_io.export_csv(queries.every_project(session, subject=subject))
    if output is None:
        sys.stdout.write(text)
        return
    try:
        output.write_text(text, encoding="utf-8", newline="")
    except OSError as exc:
        _cli().fail(f"cannot write {output}: {exc.strerror or exc}")
    err.print(f"wrote {escape(str(output))}: {text.count(chr(10)) - 1} lines", highlight=False)


@project_app.command("import")
def import_(
    file: str = typer.Argument(..., help="A CSV of projects; '-' reads it from standard input."),
    as_user: str = typer.Option(..., "--as", help="The account whose party's drafts they become."),
    partial: bool = typer.Option(False, "--partial", help="Store the good rows, report the bad ones."),
) -> None:
    """Import projects from CSV as USERNAME's party's drafts: all of them, or nothing (unless --partial)."""
    from fusioncell.commerce import csv_io

    text = _read(file)
    database, cell = _cli().runtime_session()
    try:
        with database.writing() as session:
            subject = acting_subject(session, cell=cell, username=as_user)
            result = csv_io.import_projects(session, subject=subject, cell=cell, text=text, partial=partial)
            imported = [(p.row, str(p.id), p.name) for p in result.imported]
    except FusionError as exc:
        _refused(exc)
    if result.errors:
        _print_errors([e.model_dump() for e in result.errors], title="Left out")
    for row, project_id, name in imported:
        out.print(f"line {row}: imported {project_id} {name}", markup=False, highlight=False, soft_wrap=True)
    out.print(f"{len(imported)} imported, {len({e.row for e in result.errors})} row(s) left out", highlight=False)


def _read(file: str) -> str:
    from fusioncell.commerce.csv_io import MAX_IMPORT_CHARS

    try:
        if file == "-":
            return sys.stdin.read(MAX_IMPORT_CHARS + 1)
        with open(file, encoding="utf-8-sig") as stream:
            return stream.read(MAX_IMPORT_CHARS + 1)  # never more than the cap into memory
    except (OSError, UnicodeDecodeError) as exc:
        _cli().fail(f"cannot read {file} as UTF-8 text: {getattr(exc, 'strerror', None) or exc}")


def _print_errors(details: list[dict], *, title: str) -> None:
    table = Table(title=title, box=box.SIMPLE_HEAD, title_justify="left")
    for column in ("line", "column", "problem"):
        table.add_column(column)
    for detail in details:
        table.add_row(str(detail.get("row", "")), escape(str(detail.get("field", ""))), escape(str(detail["message"])))
    err.print(table)


def _refused(exc: FusionError) -> None:
    """Every bad row, one line each, then a non-zero exit: nothing was stored."""
    details = [d for d in exc.details or () if isinstance(d, dict) and "message" in d]
    if details:
        _print_errors(details, title="Refused")
    _cli().fail(exc.message)
