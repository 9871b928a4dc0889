"""Attachment files on disk: content-addressed, written whole or not at all, checked for their type."""

import hashlib
import os
import tempfile
from pathlib import Path

from fusioncell.errors import Invalid, PayloadTooLarge, StorageUnavailable
from fusioncell.i18n import N_

# The first bytes each allowed type must start with; text must be UTF-8 without NUL bytes.
_SIGNATURES = {
    "application/pdf": (b"%PDF-",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
}
_TEXT_TYPES = {"text/plain", "text/csv"}


def check_content(content: bytes, media_type: str, *, allowed: frozenset[str], max_bytes: int) -> None:
    if len(content) > max_bytes:
        raise PayloadTooLarge(N_("the file is larger than the limit of {max_bytes} bytes"), max_bytes=max_bytes)
    if not content:
        raise Invalid(N_("the file is empty"))
    if media_type not in allowed:
        raise Invalid(
            N_("files of type {media_type!r} are not accepted; allowed: {allowed}"),
            media_type=media_type,
            allowed=", ".join(sorted(allowed)),
        )
    if media_type in _TEXT_TYPES:
        try:
            text = content.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise Invalid(N_("a text file must be UTF-8")) from exc
        if "\x00" in text:
            raise Invalid(N_("a text file must not contain NUL bytes"))
    elif not content.startswith(_SIGNATURES.get(media_type, (b"",))):
        raise Invalid(N_("the file's content is not {media_type}"), media_type=media_type)


def safe_filename(name: str | None) -> str:
    """The name a file is offered under again: no directories, at most 255 characters."""
    return (name or "attachment").replace("/", "_").replace("\\", "_")[:255]


def path_for(root: Path, sha256: str) -> Path:
    return root / sha256[:2] / sha256


def store(root: Path, content: bytes) -> str:
    """Write the file under its SHA-256 (once: the same content is stored once) and return the digest.
    Written to a temporary file, synced, then renamed, so a crash or a full disk leaves no half file."""
    digest = hashlib.sha256(content).hexdigest()
    target = path_for(root, digest)
    if target.exists():
        return digest
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
    except OSError as exc:
        raise StorageUnavailable(N_("the attachments directory cannot be written; nothing was saved")) from exc
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(content)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, target)
    except OSError as exc:
        Path(temporary).unlink(missing_ok=True)
        raise StorageUnavailable(
            N_("the file could not be stored (the attachments disk may be full); nothing was saved")
        ) from exc
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return digest
