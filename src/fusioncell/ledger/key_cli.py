"""`fusioncell key` prints the verifier key in force; `fusioncell key rotate` rotates the signing key
(ledger/rotation.py), for operators at the server's shell. The running workers need no restart: each
notices the rotation in the record before its next checkpoint and loads the new key."""

import typer
from rich.console import Console

from fusioncell.cell.service import current_cell
from fusioncell.config import get_settings
from fusioncell.db.session import Database
from fusioncell.errors import FusionError
from fusioncell.ledger.keys import (
    LedgerKeyError,
    install_next_key,
    load_key_in_force,
    next_key_path,
    prepare_next_key,
    retired_key_path,
)
from fusioncell.ledger.rotation import rotate_key, vkey_in_force

key_app = typer.Typer(help="The cell's ledger signing key.", invoke_without_command=True)
out = Console()
err = Console(stderr=True)


def _fail(message: str) -> None:
    err.print(f"[bold red]error:[/] {message}")
    raise typer.Exit(1)


@key_app.callback()
def key_in_force(context: typer.Context) -> None:
    """Print the cell's verifier key in force (`fusioncell key rotate` to rotate it)."""
    if context.invoked_subcommand is not None:
        return
    settings = get_settings()
    database = Database(settings.resolved_database_url())
    try:
        with database.reading() as session:
            print(load_key_in_force(settings.resolved_key_path(), vkey_in_force(session)).verifier_key())
    except LedgerKeyError as exc:
        _fail(str(exc))
    finally:
        database.dispose()


@key_app.command("rotate")
def rotate(
    reason: str = typer.Option(..., "--reason", help="Why, for the record: every party reads it."),
    actor: str = typer.Option("operator", "--actor", help="Who rotates, as the record names them."),
) -> None:
    """Make a new signing key and hand over to it in the record: a rotation entry, and the checkpoint that
    holds it signed by the old key and the new. The old key is kept as <key>.retired-<key ID>."""
    settings = get_settings()
    path = settings.resolved_key_path()
    database = Database(settings.resolved_database_url())
    try:
        with database.reading() as session:
            cell = current_cell(session)
            old = load_key_in_force(path, vkey_in_force(session))
        new = prepare_next_key(path, old.name)
        try:
            with database.writing() as session:
                change, checkpoint = rotate_key(session, cell=cell, old=old, new=new, reason=reason, actor=actor)
        except FusionError:
            next_key_path(path).unlink(missing_ok=True)  # the record never took it up
            raise
        install_next_key(path)
    except FusionError as exc:
        _fail(exc.message)
    except LedgerKeyError as exc:
        _fail(str(exc))
    finally:
        database.dispose()
    out.print(f"[bold green]rotated[/]: entry {change.ledger_index}, handover checkpoint at size {checkpoint.size}")
    out.print(f"  previous key: {change.previous_vkey}")
    out.print(f"  key in force: [bold]{change.vkey}[/]")
    out.print(f"  the previous private key is kept at {retired_key_path(path, old)}: destroy it if it was compromised")
    out.print("Give the new verifier key to every witness operator (`--log-vkey`, beside the old one) and every party.")
