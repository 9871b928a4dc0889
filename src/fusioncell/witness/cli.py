"""`fusioncell witness`: a party makes its witness key and runs its witness."""

import os
import time
from pathlib import Path
from typing import NoReturn

import typer

from fusioncell.ledger.note import NoteError
from fusioncell.witness.cosignature import CosignatureError, CosignatureSigner

witness_app = typer.Typer(help="Run a witness: check the cell's checkpoints and cosign them.", no_args_is_help=True)


def _fail(message: str) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(1)


def create_key(path: Path, name: str) -> CosignatureSigner:
    """Write a new witness key (mode 0600); never replaces a key that cosigned before."""
    signer = CosignatureSigner.generate(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(signer.signer_key() + "\n")
    return signer


def load_key(path: Path) -> CosignatureSigner:
    try:
        text = path.read_text()
    except FileNotFoundError:
        raise CosignatureError(f"no witness key at {path}; make one with `fusioncell witness keygen`") from None
    if path.stat().st_mode & 0o077:
        raise CosignatureError(f"witness key {path} is readable by others; chmod 600 it")
    return CosignatureSigner.from_signer_key(text)


@witness_app.command("keygen")
def keygen(
    name: str = typer.Option(..., help="The witness's name, e.g. witness.isr.example/w1 (no spaces or '+')."),
    out: Path = typer.Option(..., help="Where to write the private key (created 0600, never overwritten)."),
) -> None:
    """Make a witness key and print its verifier key (vkey) for the cell operator."""
    try:
        signer = create_key(out, name)
    except FileExistsError:
        _fail(f"{out} exists; a witness key is never overwritten")
    except CosignatureError as exc:
        _fail(str(exc))
    typer.echo(signer.vkey())


@witness_app.command("vkey")
def vkey(key: Path = typer.Option(..., help="The witness key file.")) -> None:
    """Print the verifier key of an existing witness key."""
    try:
        typer.echo(load_key(key).vkey())
    except CosignatureError as exc:
        _fail(str(exc))


@witness_app.command("refusals")
def refusals(state: Path = typer.Option(..., help="The witness's SQLite state file.")) -> None:
    """Print the signed checkpoints this witness refused as inconsistent: evidence of a fork."""
    from fusioncell.witness.state import WitnessState

    if not state.exists():
        _fail(f"no state file at {state}")
    store = WitnessState(state)
    try:
        kept = store.refusals()
    finally:
        store.close()
    for refusal in kept:
        when = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(refusal.received_at))
        typer.echo(f"# {when} {refusal.origin} old {refusal.old_size}: {refusal.reason}")
        typer.echo(f"old {refusal.old_size}\n{refusal.proof}\n{refusal.note}", nl=False)
    typer.echo(f"{len(kept)} refused checkpoint(s)", err=True)


@witness_app.command("serve")
def serve(
    key: Path = typer.Option(..., help="The witness key file (from `keygen`)."),
    log_vkey: list[str] = typer.Option(..., help="A log's verifier key; its name is the log's origin. Repeatable."),
    state: Path = typer.Option(..., help="The witness's SQLite state file (created if missing)."),
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8400, help="Port to listen on."),
) -> None:
    """Serve C2SP tlog-witness add-checkpoint for the given logs."""
    import uvicorn

    from fusioncell.witness.server import Witness, create_app, logs_by_origin
    from fusioncell.witness.state import WitnessState

    try:
        signer = load_key(key)
        logs = logs_by_origin(log_vkey)
    except (CosignatureError, NoteError) as exc:
        _fail(str(exc))
    witness = Witness(signer, logs, WitnessState(state))
    typer.echo(witness.status_line(), nl=False)
    # One process: the state's lock serialises updates (the CAS would catch a second one anyway).
    uvicorn.run(create_app(witness), host=host, port=port, log_level="warning", access_log=False)
