"""The cell's Ed25519 ledger key on disk: created once at init, owner-readable only.

A rotation (ledger/rotation.py) writes the new key beside the old as `<key>.next` before the database
learns of it, and the old key moves to `<key>.retired-<key ID>` only once the rotation is committed.
Whatever a crash interrupts, the key the record says is in force is on disk under one of those names,
and `load_key_in_force` finishes the swap."""

import os
from pathlib import Path

from fusioncell.ledger.note import NoteError, Signer


class LedgerKeyError(RuntimeError):
    pass


def _write_new(path: Path, signer: Signer) -> None:
    # O_EXCL: a key that signed checkpoints must never be silently replaced.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(signer.signer_key() + "\n")
        handle.flush()
        os.fsync(handle.fileno())


def create_key(path: Path, origin: str) -> Signer:
    """Write a new signer key to `path` (mode 0600); refuses to overwrite an existing key."""
    path.parent.mkdir(parents=True, exist_ok=True)
    signer = Signer.generate(origin)
    _write_new(path, signer)
    return signer


def load_key(path: Path) -> Signer:
    try:
        text = path.read_text().strip()
    except FileNotFoundError as exc:
        raise LedgerKeyError(f"no ledger key at {path}; run `fusioncell init` first") from exc
    if path.stat().st_mode & 0o077:
        raise LedgerKeyError(f"ledger key {path} is readable by others; chmod 600 it")
    try:
        return Signer.from_signer_key(text)
    except NoteError as exc:
        raise LedgerKeyError(f"ledger key {path} is damaged: {exc}") from None


def next_key_path(path: Path) -> Path:
    return path.with_name(path.name + ".next")


def retired_key_path(path: Path, signer: Signer) -> Path:
    return path.with_name(f"{path.name}.retired-{signer.key_id.hex()}")


def prepare_next_key(path: Path, origin: str) -> Signer:
    """The rotation's new key, written as `<key>.next`; a leftover of an interrupted rotation that the
    record never took up is replaced."""
    following = next_key_path(path)
    following.unlink(missing_ok=True)
    signer = Signer.generate(origin)
    _write_new(following, signer)
    return signer


def install_next_key(path: Path) -> Signer:
    """Retire the key at `path` and put `<key>.next` in its place. Safe to run from several processes
    at once (every worker may notice the rotation): the copy is exclusive, the swap atomic."""
    current = load_key(path)
    retired = retired_key_path(path, current)
    try:
        _write_new(retired, current)
    except FileExistsError:
        pass  # another process retired it already
    try:
        os.replace(next_key_path(path), path)
    except FileNotFoundError:
        pass  # another process swapped it in already
    return load_key(path)


def load_key_in_force(path: Path, vkey_in_force: str | None) -> Signer:
    """The key the record says signs now (None: no rotation yet, the key at `path`)."""
    signer = load_key(path)
    if vkey_in_force is None or signer.verifier_key() == vkey_in_force:
        return signer
    following = next_key_path(path)
    if following.exists() and load_key(following).verifier_key() == vkey_in_force:
        return install_next_key(path)
    raise LedgerKeyError(f"the key at {path} is not the one the record says is in force ({vkey_in_force})")
