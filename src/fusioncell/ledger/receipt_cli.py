"""`fusioncell ledger check-receipt`: verify a receipt offline, with nothing but verifier keys.

Exit codes: 0 verified, 2 the receipt does not verify, 1 the file cannot be read.
"""

from pathlib import Path

import typer
from rich.console import Console

from fusioncell.ledger.receipts import ReceiptError, verify_receipt

out = Console()
err = Console(stderr=True)


def check_receipt(
    file: Path = typer.Argument(..., help="A .tlog-proof receipt."),
    vkey: list[str] = typer.Option(
        ..., "--vkey", help="The cell's (log's) verifier key; repeat for its keys before and after a rotation."
    ),
    witness_vkey: list[str] = typer.Option([], "--witness-vkey", help="A trusted witness's verifier key; repeat."),
    quorum: int = typer.Option(None, "--quorum", min=0, help="Cosignatures required (default: every --witness-vkey)."),
) -> None:
    """Verify a receipt: the log's signature, K witness cosignatures, the inclusion proof, the entry body."""
    try:
        text = file.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        err.print(f"[bold red]error:[/] cannot read {file}: {exc}")
        raise typer.Exit(1) from None
    required = len(witness_vkey) if quorum is None else quorum
    try:
        verified = verify_receipt(text, log_vkey=vkey, witness_vkeys=witness_vkey, quorum=required)
    except ReceiptError as exc:
        err.print(f"[bold red]receipt does NOT verify:[/] {exc}")
        raise typer.Exit(2) from None
    receipt, checkpoint = verified.receipt, verified.checkpoint
    witnesses = ", ".join(f"{name} at {ts}" for name, ts in sorted(verified.cosigned_by.items())) or "none"
    out.print(f"[bold green]verified[/]: entry {receipt.index} is in {checkpoint.origin} at size {checkpoint.size}")
    out.print(f"  cosigned by: {witnesses}")
    out.print(f"  entry body: {receipt.body if receipt.body is not None else '(blinded: leaf only)'}")
