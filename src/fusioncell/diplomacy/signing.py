"""What a party signs when it approves a statement, and the keys it signs with.

The canonical text of a version is RFC 8785 (JSON Canonicalization Scheme) JSON of

    {"statement_id": "<uuid>", "texts": {"<lang>": "<NFC text>", ...}, "version": <n>}

with every text in Unicode Normalization Form C, so the same words typed on two keyboards sign the same.
The statement id and version number are inside it: a signature cannot be replayed onto another statement
or another version of this one. A party's approval is an Ed25519 signature over the SHA-256 of those bytes.

Key files are PKCS#8 PEM (what `openssl pkey` reads), written owner-only. Private keys a party stores in
the cell for signing from the browser are sealed with AES-256-GCM under the cell's key-encryption key, a
file in the var directory beside the ledger key, bound (as associated data) to the party and key id.
"""

import base64
import hashlib
import os
import unicodedata
import uuid
from pathlib import Path

import rfc8785
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from fusioncell.config import Settings, get_settings

KEK_FILE = "statement-keys.kek"


class KeyFileError(ValueError):
    pass


def canonical_text(texts: dict[str, str], *, statement_id: uuid.UUID | str, version: int) -> bytes:
    return rfc8785.dumps(
        {
            "statement_id": str(statement_id),
            "version": version,
            "texts": {lang: unicodedata.normalize("NFC", text) for lang, text in texts.items()},
        }
    )


def digest(texts: dict[str, str], *, statement_id: uuid.UUID | str, version: int) -> bytes:
    """SHA-256 of the canonical text: the 32 bytes every party's Ed25519 signature covers."""
    return hashlib.sha256(canonical_text(texts, statement_id=statement_id, version=version)).digest()


def key_id_of(public_key: bytes) -> str:
    return hashlib.sha256(public_key).digest()[:8].hex()


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def unb64(text: str) -> bytes:
    return base64.b64decode(text, validate=True)


def verify(public_key: bytes, signature: bytes, signed_digest: bytes) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, signed_digest)
    except (InvalidSignature, ValueError):
        return False
    return True


def public_key_of(private_key: bytes) -> bytes:
    return Ed25519PrivateKey.from_private_bytes(private_key).public_key().public_bytes_raw()


def sign(private_key: bytes, signed_digest: bytes) -> bytes:
    return Ed25519PrivateKey.from_private_bytes(private_key).sign(signed_digest)


def new_private_key() -> bytes:
    return Ed25519PrivateKey.generate().private_bytes_raw()


# Key files a party holds outside the cell.


def write_key_file(path: Path, private_key: bytes) -> None:
    """PKCS#8 PEM, mode 0600; refuses to overwrite a key that may have signed already."""
    pem = Ed25519PrivateKey.from_private_bytes(private_key).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)


def read_key_file(path: Path) -> bytes:
    try:
        loaded = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except FileNotFoundError:
        raise KeyFileError(f"no key file at {path}") from None
    except (ValueError, TypeError) as exc:
        raise KeyFileError(f"{path} is not an unencrypted PKCS#8 PEM private key: {exc}") from None
    if not isinstance(loaded, Ed25519PrivateKey):
        raise KeyFileError(f"{path} holds a key that is not Ed25519")
    if path.stat().st_mode & 0o077:
        raise KeyFileError(f"key file {path} is readable by others; chmod 600 it")
    return loaded.private_bytes_raw()


# Private keys stored in the cell, sealed at rest.


def kek_path(settings: Settings | None = None) -> Path:
    settings = settings or get_settings()
    return settings.resolved_key_path().parent / KEK_FILE


def key_encryption_key(settings: Settings | None = None) -> bytes:
    """The cell's key-encryption key, created (0600) the first time a party stores a key."""
    path = kek_path(settings)
    try:
        return unb64(path.read_text().strip())
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it first: use theirs
        return unb64(path.read_text().strip())
    kek = AESGCM.generate_key(bit_length=256)
    with os.fdopen(fd, "w") as handle:
        handle.write(b64(kek) + "\n")
    return kek


def _associated(party: str, key_id: str) -> bytes:
    return f"fusioncell party key {party} {key_id}".encode()


def seal(kek: bytes, private_key: bytes, *, party: str, key_id: str) -> str:
    nonce = os.urandom(12)
    return b64(nonce + AESGCM(kek).encrypt(nonce, private_key, _associated(party, key_id)))


def unseal(kek: bytes, sealed: str, *, party: str, key_id: str) -> bytes:
    raw = unb64(sealed)
    return AESGCM(kek).decrypt(raw[:12], raw[12:], _associated(party, key_id))
