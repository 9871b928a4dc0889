"""`fusioncell backup` and `fusioncell restore` (operations/backup.py), for operators at the server's shell."""

from pathlib import Path

import typer
from rich.console import Console

from fusioncell.config import get_settings
from fusioncell.db.session import Database
from fusioncell.operations.backup import BackupError, restore_backup, take_backup

out = Console()
err = Console(stderr=True)


def backup_command(
    destination: Path = typer.Argument(..., help="The archive to write, e.g. backups/cell-2026-11-27.tar.gz"),
) -> None:
    """Back up the running cell: database (one consistent snapshot), attachments and the ledger key."""
    from fusioncell.cell.service import current_cell

    settings = get_settings()
    database = Database(settings.resolved_database_url())
    try:
        with database.reading() as session:
            code = current_cell(session).code
        manifest = take_backup(
            database=database,
            key_path=settings.resolved_key_path(),
            attachments_dir=settings.resolved_attachments_dir(),
            destination=destination,
            cell_code=code,
        )
    except BackupError as exc:
        err.print(f"[red]backup failed[/]: {exc}")
        raise typer.Exit(1) from None
    finally:
        database.dispose()
    record = manifest["record"]
    out.print(
        f"[bold green]backed up[/] cell {code} to {destination}: {sum(manifest['rows'].values())} rows, "
        f"{sum(1 for f in manifest['files'] if f.startswith('attachments/'))} attachments; record size "
        f"{record['size']}, root {record['root']}, checkpoint {record['checkpoint_size']}"
    )
    out.print("It holds the ledger's signing key: keep it as safe as the key itself.")


def restore_command(
    source: Path = typer.Argument(..., exists=True, dir_okay=False, help="An archive `fusioncell backup` wrote."),
) -> None:
    """Restore a backup into an empty database and var directory, then verify the record against it."""
    settings = get_settings()
    settings.var_dir.mkdir(parents=True, exist_ok=True)
    database = Database(settings.resolved_database_url())
    try:
        verified = restore_backup(
            source=source,
            database=database,
            key_path=settings.resolved_key_path(),
            attachments_dir=settings.resolved_attachments_dir(),
        )
    except BackupError as exc:
        err.print(f"[red]restore failed[/]: {exc}")
        raise typer.Exit(2) from None
    finally:
        database.dispose()
    out.print(
        f"[bold green]restored and verified[/]: audit clean, record size {verified['size']}, root {verified['root']} "
        f"as backed up (checkpoint {verified['checkpoint_size']})"
    )
