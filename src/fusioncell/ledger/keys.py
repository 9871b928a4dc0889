"""The cell's Ed25519 ledger key on disk: created once at init, owner-readable only."""

import os
from pathlib import Path

from fusioncell.ledger.note import Signer


class LedgerKeyError(RuntimeError):
    pass


def create_key(path: Path, origin: str) -> Signer:
    """Write a new signer key to `path` (mode 0600); refuses to overwrite an existing key."""
    path.parent.mkdir(parents=True, exist_ok=True)
    signer = Signer.generate(origin)
    # O_EXCL: a second init must never silently replace the key that signed earlier checkpoints.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(signer.signer_key() + "\n")
    return signer


def load_key(path: Path) -> Signer:
    try:
        text = path.read_text().strip()
    except FileNotFoundError as exc:
        raise LedgerKeyError(f"no ledger key at {path}; run `fusioncell init` first") from exc
    if path.stat().st_mode & 0o077:
        raise LedgerKeyError(f"ledger key {path} is readable by others; chmod 600 it")
    return Signer.from_signer_key(text)
