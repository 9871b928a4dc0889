"""The `fusioncell` command: demo, serve, init, db upgrade, users, tokens, the record's checks."""

import gc
import os
import threading
import uuid
import webbrowser
from pathlib import Path

import httpx
import typer
from rich.console import Console
from rich.table import Table

from fusioncell.access import service as access
from fusioncell.cell.definition import CellDefinition
from fusioncell.cell.loader import CellDefinitionError, default_cell_path, load_cell
from fusioncell.cell.service import current_cell, install_cell
from fusioncell.commerce.cli import project_app
from fusioncell.config import Settings, get_settings
from fusioncell.db import migrate
from fusioncell.db.session import Database, normalise_url
from fusioncell.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, create_demo_accounts, seed_demo_records
from fusioncell.diplomacy.cli import statement_app
from fusioncell.errors import FusionError
from fusioncell.hotline.cli import register as register_hotline_commands
from fusioncell.intel.cli import intel_app
from fusioncell.ledger.audit import audit
from fusioncell.ledger.key_cli import key_app
from fusioncell.ledger.keys import LedgerKeyError, create_key, load_key_in_force
from fusioncell.ledger.monitor import monitor_command
from fusioncell.ledger.note import NoteError, Verifier
from fusioncell.ledger.receipt_cli import check_receipt
from fusioncell.ledger.rotation import vkey_in_force
from fusioncell.ledger.verify import VerificationFailed, verify_log
from fusioncell.notifications.cli import webhook_app
from fusioncell.operations.cli import backup_command, restore_command
from fusioncell.osint.cli import osint_app
from fusioncell.translation.models import TranslationSetupError
from fusioncell.witness.cli import witness_app

app = typer.Typer(help="fusioncell: a joint fusion mechanism with a verifiable record.", no_args_is_help=True)
db_app = typer.Typer(help="The database schema.", no_args_is_help=True)
user_app = typer.Typer(help="Accounts: one party each, with roles.", no_args_is_help=True)
token_app = typer.Typer(help="API bearer tokens.", no_args_is_help=True)
ledger_app = typer.Typer(help="The record: verify a live log, audit the database.", no_args_is_help=True)
cell_app = typer.Typer(help="Cell definitions.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(user_app, name="user")
app.add_typer(token_app, name="token")
app.add_typer(ledger_app, name="ledger")
app.add_typer(cell_app, name="cell")
out = Console()
err = Console(stderr=True)


def fail(message: str, code: int = 1) -> None:
    err.print(f"[bold red]error:[/] {message}")
    raise typer.Exit(code)


def _database(settings: Settings) -> Database:
    settings.var_dir.mkdir(parents=True, exist_ok=True)
    return Database(settings.resolved_database_url())


def _is_initialised(database: Database) -> bool:
    if migrate.current_revision(database.engine) is None:
        return False
    with database.reading() as session:
        try:
            current_cell(session)
        except FusionError:
            return False
    return True


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Bring the schema to the latest migration."""
    database = _database(get_settings())
    migrate.upgrade(database.engine)
    out.print(f"schema at {migrate.current_revision(database.engine)}")


@cell_app.command("check")
def cell_check(path: Path) -> None:
    """Validate a cell definition file and say what is wrong, with line numbers."""
    cell = _loaded_cell(path)
    out.print(f"{path}: valid cell {cell.code!r} with {len(cell.parties)} parties")


def _loaded_cell(path: Path) -> CellDefinition:
    """A definition that validates and whose lines make the shapes it declares (lines that cross are
    found only by building them), or a clear failure."""
    from fusioncell.geo.geometry import CellGeometryError
    from fusioncell.geo.service import geography_for

    try:
        cell = load_cell(path)
        geography_for(cell)
    except CellDefinitionError as exc:
        fail(str(exc))
    except CellGeometryError as exc:
        fail(f"{path}: {exc}")
    return cell


def initialise(settings: Settings, *, cell_path: Path, demo: bool) -> None:
    """Create the schema, install the cell, make the ledger key, and (demo only) the demo accounts."""
    cell = _loaded_cell(cell_path)
    key_path = settings.resolved_key_path()
    if key_path.exists():
        fail(f"a ledger key exists already at {key_path}; this cell was initialised before")
    database = _database(settings)
    migrate.upgrade(database.engine)
    try:
        with database.writing() as session:
            install_cell(session, definition=cell, source=cell_path.read_text(encoding="utf-8"))
            if demo:
                create_demo_accounts(session, cell=cell)
                seed_demo_records(session, cell=cell)
    except FusionError as exc:
        fail(exc.message)
    signer = create_key(key_path, cell.log_origin)
    out.print(f"cell {cell.code!r} initialised in {settings.resolved_database_url()}")
    out.print(f"ledger key: {key_path} (keep it secret; mode 0600)")
    out.print(f"verifier key (give this to every party): [bold]{signer.verifier_key()}[/]")


@app.command()
def init(
    cell: Path = typer.Option(None, "--cell", help="A cell definition YAML; the default Israel–Syria cell if omitted."),
    demo: bool = typer.Option(False, "--demo", help="Also create the documented demo accounts (never in production)."),
) -> None:
    """Start a new cell: schema, cell definition, ledger key. No accounts unless --demo."""
    initialise(get_settings(), cell_path=cell or default_cell_path(), demo=demo)
    if not demo:
        out.print("next: `fusioncell user add USERNAME --party CODE --role admin` to create the first account")


def print_demo_accounts() -> None:
    table = Table(title=f"Demo accounts (password for all: {DEMO_PASSWORD})")
    for column in ("username", "party", "roles", "who"):
        table.add_column(column)
    for account in DEMO_ACCOUNTS:
        table.add_row(account.username, account.party, ", ".join(account.roles), account.display_name)
    out.print(table)


@app.command()
def demo(
    port: int = typer.Option(None, help="Port (default 8000)."),
    open_browser: bool = typer.Option(True, "--open/--no-open", help="Open the web UI in a browser."),
) -> None:
    """Run the demo cell: embedded SQLite under ./var, the Israel–Syria cell, demo accounts; serve the UI."""
    settings = get_settings()
    if not _is_initialised(_database(settings)):
        initialise(settings, cell_path=default_cell_path(), demo=True)
    print_demo_accounts()
    port = port or settings.port
    url = f"http://{settings.host}:{port}/"
    out.print(f"[bold green]fusioncell demo[/] at {url} (Ctrl-C stops it)")
    if open_browser and os.environ.get("CI") is None:
        threading.Timer(1.5, lambda: webbrowser.open(url)).start()
    serve(host=settings.host, port=port)


@app.command()
def serve(
    host: str = typer.Option(None),
    port: int = typer.Option(None),
    workers: int = typer.Option(1, min=1, max=64, help="Server processes (PostgreSQL only; SQLite runs in one)."),
) -> None:
    """Serve the API and web UI."""
    import uvicorn

    from fusioncell.app import create_app

    settings = get_settings()
    bind = {"host": host or settings.host, "port": port or settings.port, "log_level": "warning", "access_log": False}
    if workers > 1:
        # Each process has its own ledger tail, woken by PostgreSQL's NOTIFY; SQLite has one write
        # lock and no notification between processes, so it stays in one process.
        if not normalise_url(settings.resolved_database_url()).startswith("postgresql"):
            fail("Several workers need PostgreSQL (FUSIONCELL_DATABASE_URL); SQLite runs in one process.")
        _check_opens(settings)
        _share_metrics_between_workers(settings)
        uvicorn.run("fusioncell.app:create_app", factory=True, workers=workers, **bind)
        return
    try:
        application = create_app(settings=settings)
    except (FusionError, LedgerKeyError, TranslationSetupError) as exc:
        fail(str(exc))
    # What start-up built lives as long as the server: keep it out of the collector's full passes,
    # whose pauses otherwise show up as delivery latency on every open stream.
    gc.freeze()
    uvicorn.run(application, **bind)


def _share_metrics_between_workers(settings: Settings) -> None:
    """Prometheus's multiprocess mode: each worker writes its counters to a file in one directory and whichever
    worker answers a scrape adds them all up. The directory starts empty, so a restart does not count twice."""
    directory = Path(os.environ.get("PROMETHEUS_MULTIPROC_DIR") or settings.var_dir / "metrics")
    directory.mkdir(parents=True, exist_ok=True)
    for stale in directory.glob("*.db"):
        stale.unlink()
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(directory.resolve())


def _check_opens(settings: Settings) -> None:
    """Fail here, with the reason, rather than in every worker process."""
    from fusioncell import translation
    from fusioncell.runtime import Runtime

    try:
        Runtime.open(settings).database.dispose()
        translation.install(settings)  # a broken model directory fails once, not in every worker
    except (FusionError, LedgerKeyError, TranslationSetupError) as exc:
        fail(str(exc))


def runtime_session():
    settings = get_settings()
    database = _database(settings)
    with database.reading() as session:
        try:
            cell = current_cell(session)
        except FusionError as exc:
            fail(exc.message)
    return database, cell


@user_app.command("add")
def user_add(
    username: str,
    party: str = typer.Option(..., help="Party code, e.g. ISR."),
    role: list[str] = typer.Option(..., "--role", help="admin, supervisor, liaison, observer or officer:<desk>."),
    name: str = typer.Option(None, help="Display name."),
    password: str = typer.Option(None, envvar="FUSIONCELL_NEW_PASSWORD", help="Prompted for if not given."),
) -> None:
    """Add an account to a party."""
    database, cell = runtime_session()
    if password is None:
        password = typer.prompt("password", hide_input=True, confirmation_prompt=True)
    try:
        with database.writing() as session:
            user = access.add_user(
                session,
                cell=cell,
                username=username,
                display_name=name or username,
                party=party,
                roles=role,
                password=password,
                actor="cli",
            )
            out.print(
                f"added {user.username} ({user.party}: {', '.join(user.roles)}) at ledger entry {user.ledger_index}"
            )
    except FusionError as exc:
        fail(exc.message)


@user_app.command("list")
def user_list() -> None:
    database, _ = runtime_session()
    table = Table()
    for column in ("username", "party", "roles", "name", "state"):
        table.add_column(column)
    with database.reading() as session:
        for user in access.list_users(session):
            state = "disabled" if user.disabled_at else "active"
            table.add_row(user.username, user.party, ", ".join(user.roles), user.display_name, state)
    out.print(table)


@user_app.command("disable")
def user_disable(username: str) -> None:
    """Disable an account: its sessions end and its tokens are revoked."""
    database, _ = runtime_session()
    try:
        with database.writing() as session:
            access.disable_user(session, username=username, actor="cli")
    except FusionError as exc:
        fail(exc.message)
    out.print(f"disabled {username}")


@token_app.command("create")
def token_create(username: str, name: str = typer.Option(..., help="What the token is for.")) -> None:
    """Create an API token for a user; the secret is printed once."""
    database, _ = runtime_session()
    try:
        with database.writing() as session:
            token, secret = access.create_token(
                session, user=access.user_by_name(session, username), name=name, actor="cli"
            )
            token_id = token.id
    except FusionError as exc:
        fail(exc.message)
    out.print(f"token {token_id} for {username}; the secret (shown once):")
    print(secret)


@token_app.command("list")
def token_list(username: str) -> None:
    database, _ = runtime_session()
    table = Table()
    for column in ("id", "name", "created", "revoked"):
        table.add_column(column)
    with database.reading() as session:
        try:
            tokens = access.list_tokens(session, user=access.user_by_name(session, username))
        except FusionError as exc:
            fail(exc.message)
        for token in tokens:
            table.add_row(
                str(token.id),
                token.name,
                token.created_at.isoformat(timespec="seconds"),
                token.revoked_at.isoformat(timespec="seconds") if token.revoked_at else "",
            )
    out.print(table)


@token_app.command("revoke")
def token_revoke(token_id: str) -> None:
    database, _ = runtime_session()
    try:
        parsed = uuid.UUID(token_id)
        with database.writing() as session:
            access.revoke_token(session, token_id=parsed, user=None, actor="cli")
    except ValueError:
        fail(f"{token_id!r} is not a token id")
    except FusionError as exc:
        fail(exc.message)
    out.print(f"revoked {token_id}")


@ledger_app.command("verify")
def ledger_verify(
    url: str = typer.Option(..., help="The cell's base URL, e.g. http://127.0.0.1:8000"),
    vkey: str = typer.Option(..., help="The cell's verifier key (printed at init)."),
    token: str = typer.Option(..., envvar="FUSIONCELL_TOKEN", help="An API token of any member."),
    proofs: int = typer.Option(1000, help="How many inclusion and consistency proofs to check at most."),
) -> None:
    """Replay and verify a running cell's whole log with nothing but its verifier key."""
    try:
        with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=30) as client:
            report = verify_log(client, vkey, proofs=proofs, progress=lambda line: out.print(f"  {line}"))
    except (VerificationFailed, NoteError, ValueError) as exc:
        fail(f"verification FAILED: {exc}", code=2)
    except httpx.HTTPError as exc:
        fail(f"could not reach {url}: {exc}")
    out.print(f"[bold green]verified[/]: {report.leaves} entries, root of checkpoint {report.checkpoint.size}")
    if report.rotations:
        out.print(f"the key in force, proven from yours through {report.rotations} handover(s): [bold]{report.vkey}[/]")


@ledger_app.command("audit")
def ledger_audit() -> None:
    """Check every recorded row, leaf, node and checkpoint in the database against the record."""
    settings = get_settings()
    database = _database(settings)
    try:
        with database.reading() as session:
            signer = load_key_in_force(settings.resolved_key_path(), vkey_in_force(session))
        verifier = Verifier.from_vkey(signer.verifier_key())
    except LedgerKeyError as exc:
        fail(str(exc))
    with database.reading() as session:
        findings = audit(session, verifier=verifier)
    if findings:
        for finding in findings:
            err.print(f"[red]✗[/] {finding}")
        fail(f"{len(findings)} finding(s): the database differs from its record", code=2)
    out.print("[bold green]audit clean[/]: every row, leaf, node and checkpoint matches the record")


# --- The hotline and the intelligence desk for operators without a browser (hotline/cli.py, intel/cli.py),
# and webhooks (notifications/cli.py)

register_hotline_commands(app)
app.add_typer(intel_app, name="intel")
app.add_typer(project_app, name="project")
app.add_typer(osint_app, name="osint")
ledger_app.command("check-receipt")(check_receipt)
ledger_app.command("monitor")(monitor_command)
app.command("backup")(backup_command)
app.command("restore")(restore_command)
app.add_typer(witness_app, name="witness")
app.add_typer(key_app, name="key")
app.add_typer(webhook_app, name="webhook")
app.add_typer(statement_app, name="statement")
