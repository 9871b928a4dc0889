"""C2SP signed notes (https://c2sp.org/signed-note) with Ed25519 keys, and the C2SP
tlog-checkpoint note text (https://c2sp.org/tlog-checkpoint).

Key strings follow golang.org/x/mod/sumdb/note, so keys and notes interoperate with Go
tooling and C2SP witnesses:
  verifier key  <name>+<hex key ID>+<base64(0x01 || public key)>
  signer key    PRIVATE+KEY+<name>+<hex key ID>+<base64(0x01 || seed)>
  key ID        SHA-256(name || "\\n" || 0x01 || public key)[:4]
"""

import base64
import binascii
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

_ALG_ED25519 = 0x01
_SIG_PREFIX = "\u2014 "  # em dash, space
_MAX_SIGNATURES = 100  # the spec asks for a limit of at least 16; Go's is 100
_HEX_ID = re.compile(r"[0-9a-fA-F]{8}")
_SIZE = re.compile(r"0|[1-9][0-9]*")  # [0-9], not \d: only ASCII digits
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f]")  # any C0 control but newline


class NoteError(ValueError):
    """A malformed key, note or checkpoint, or a note that does not verify."""


def _b64decode(text: str, what: str, *, canonical: bool = True) -> bytes:
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise NoteError(f"{what} is not valid base64") from None
    # Several strings decode to the same bytes; accept only the one encoders produce.
    if canonical and base64.b64encode(raw).decode() != text:
        raise NoteError(f"{what} is not canonical base64")
    return raw


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def _check_unicode(text: str, what: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise NoteError(f"{what} is not valid Unicode") from None
    if _CONTROL.search(text):
        raise NoteError(f"{what} contains a control character")


def _check_name(name: str) -> None:
    if not isinstance(name, str) or not name:
        raise NoteError("key name must be a non-empty string")
    _check_unicode(name, "key name")
    if "+" in name or any(c.isspace() for c in name):
        raise NoteError(f"key name {name!r} contains '+' or a space")


def key_id(name: str, public_key: bytes) -> bytes:
    return hashlib.sha256(name.encode() + b"\n" + bytes([_ALG_ED25519]) + public_key).digest()[:4]


def _parse_key(name: str, hex_id: str, b64: str, what: str) -> tuple[bytes, bytes]:
    """Checks the shared parts of both key strings; returns (declared key ID, key bytes)."""
    _check_name(name)
    if not _HEX_ID.fullmatch(hex_id):
        raise NoteError(f"{what} key ID must be 8 hex digits")
    raw = _b64decode(b64, f"{what} key", canonical=False)
    if not raw or raw[0] != _ALG_ED25519:
        raise NoteError(f"{what} is not an Ed25519 key (algorithm byte {raw[:1].hex() or 'missing'})")
    if len(raw) != 33:
        raise NoteError(f"{what} key is {len(raw) - 1} bytes, not 32")
    _b64decode(b64, f"{what} key")  # now also insist on the canonical spelling
    return bytes.fromhex(hex_id), raw[1:]


class Verifier:
    """Checks Ed25519 signatures by one named key."""

    def __init__(self, name: str, public_key: bytes) -> None:
        _check_name(name)
        try:
            self._key = Ed25519PublicKey.from_public_bytes(public_key)
        except ValueError as exc:
            raise NoteError(f"invalid Ed25519 public key: {exc}") from None
        self.name = name
        self.public_key = bytes(public_key)
        self.key_id = key_id(name, self.public_key)

    @classmethod
    def from_vkey(cls, vkey: str) -> "Verifier":
        parts = vkey.split("+", 2)  # base64 may itself contain '+'
        if len(parts) != 3:
            raise NoteError("verifier key must look like <name>+<key ID>+<key>")
        declared, public_key = _parse_key(*parts, what="verifier")
        verifier = cls(parts[0], public_key)
        if verifier.key_id != declared:
            raise NoteError("verifier key ID does not match its name and key")
        return verifier

    def verifier_key(self) -> str:
        return f"{self.name}+{self.key_id.hex()}+{_b64(bytes([_ALG_ED25519]) + self.public_key)}"

    def verify(self, message: bytes, signature: bytes) -> bool:
        try:
            self._key.verify(signature, message)
        except InvalidSignature:
            return False
        return True


class Signer:
    """An Ed25519 note signer."""

    def __init__(self, name: str, private_key: Ed25519PrivateKey) -> None:
        _check_name(name)
        self.name = name
        self._key = private_key
        self.public_key = private_key.public_key().public_bytes_raw()
        self.key_id = key_id(name, self.public_key)

    @classmethod
    def generate(cls, name: str) -> "Signer":
        return cls(name, Ed25519PrivateKey.generate())

    @classmethod
    def from_signer_key(cls, skey: str) -> "Signer":
        parts = skey.split("+", 4)
        if len(parts) != 5 or parts[:2] != ["PRIVATE", "KEY"]:
            raise NoteError("signer key must look like PRIVATE+KEY+<name>+<key ID>+<key>")
        declared, seed = _parse_key(*parts[2:], what="signer")
        signer = cls(parts[2], Ed25519PrivateKey.from_private_bytes(seed))
        if signer.key_id != declared:  # only checkable once the public key is derived
            raise NoteError("signer key ID does not match its name and key")
        return signer

    def signer_key(self) -> str:
        seed = self._key.private_bytes_raw()
        return f"PRIVATE+KEY+{self.name}+{self.key_id.hex()}+{_b64(bytes([_ALG_ED25519]) + seed)}"

    def verifier_key(self) -> str:
        return self.verifier().verifier_key()

    def verifier(self) -> Verifier:
        return Verifier(self.name, self.public_key)

    def sign(self, message: bytes) -> bytes:
        return self._key.sign(message)

    def sign_note(self, text: str) -> str:
        return sign_note_by(text, [self])

    def signature_line(self, text: str) -> str:
        return f"{_SIG_PREFIX}{self.name} {_b64(self.key_id + self.sign(text.encode()))}\n"


def sign_note_by(text: str, signers: Sequence[Signer]) -> str:
    """One note signed by several keys, a line each (a key handover: the old key and the new)."""
    _check_text(text)
    if not signers:
        raise NoteError("a note needs at least one signer")
    return f"{text}\n" + "".join(signer.signature_line(text) for signer in signers)


def _check_text(text: str) -> None:
    if not isinstance(text, str) or not text.endswith("\n"):
        raise NoteError("note text must end in a newline")
    _check_unicode(text, "note text")


@dataclass
class Note:
    text: str
    signatures: list[tuple[str, bytes, bytes]]  # (name, key ID, signature), verified only


def open_note(signed: str, verifiers: Sequence[Verifier]) -> Note:
    """Parse a signed note and verify it against known keys.

    Lines by unknown keys (name and key ID not both known) are ignored; a known key's
    signature that fails rejects the whole note, and so does having no known signature.
    """
    if isinstance(signed, bytes):
        try:
            signed = signed.decode("utf-8")
        except UnicodeDecodeError:
            raise NoteError("note is not valid UTF-8") from None
    _check_unicode(signed, "note")
    split = signed.rfind("\n\n")  # the text may hold blank lines; the last one separates
    if split < 0:
        raise NoteError("note has no blank line before its signatures")
    text, block = signed[: split + 1], signed[split + 2 :]
    if not block.endswith("\n"):
        raise NoteError("note must end with a newline-terminated signature line")
    lines = block[:-1].split("\n")
    if len(lines) > _MAX_SIGNATURES:
        raise NoteError(f"note has more than {_MAX_SIGNATURES} signatures")

    known: dict[tuple[str, bytes], Verifier] = {}
    for v in verifiers:
        other = known.setdefault((v.name, v.key_id), v)
        if other.public_key != v.public_key:
            raise NoteError(f"two verifiers share name {v.name!r} and key ID {v.key_id.hex()}")

    message = text.encode()
    verified: list[tuple[str, bytes, bytes]] = []
    for line in lines:
        if not line.startswith(_SIG_PREFIX):
            raise NoteError("signature line must start with an em dash and a space")
        name, _, b64 = line[len(_SIG_PREFIX) :].partition(" ")
        if not b64:
            raise NoteError("signature line needs a key name, a space and a signature")
        _check_name(name)
        # Foreign signers' encoders are not ours to police beyond validity.
        raw = _b64decode(b64, "signature", canonical=False)
        if len(raw) < 5:
            raise NoteError("signature is too short")
        kid, sig = raw[:4], raw[4:]
        verifier = known.get((name, kid))
        if verifier is None:
            continue
        if not verifier.verify(message, sig):
            raise NoteError(f"signature by {name} ({kid.hex()}) does not verify")
        if all((name, kid) != (n, k) for n, k, _ in verified):
            verified.append((name, kid, sig))
    if not verified:
        raise NoteError("note is not signed by any known key")
    return Note(text, verified)


@dataclass(frozen=True)
class Checkpoint:
    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...] = ()


def format_checkpoint(cp: Checkpoint) -> str:
    if not cp.origin or "\n" in cp.origin:
        raise NoteError("checkpoint origin must be one non-empty line")
    if not isinstance(cp.size, int) or isinstance(cp.size, bool) or not 0 <= cp.size < 2**64:
        raise NoteError(f"checkpoint size must be an integer in [0, 2**64), got {cp.size!r}")
    if len(cp.root) != 32:
        raise NoteError(f"checkpoint root is {len(cp.root)} bytes, not 32")
    if any(not ext or "\n" in ext for ext in cp.extensions):
        raise NoteError("checkpoint extension lines must be non-empty single lines")
    text = "".join(f"{line}\n" for line in (cp.origin, str(cp.size), _b64(cp.root), *cp.extensions))
    _check_unicode(text, "checkpoint")
    return text


def parse_checkpoint(text: str) -> Checkpoint:
    if not text.endswith("\n"):
        raise NoteError("checkpoint text must end in a newline")
    _check_unicode(text, "checkpoint")
    lines = text[:-1].split("\n")
    if len(lines) < 3:
        raise NoteError("checkpoint needs origin, size and root lines")
    origin, size, root, *extensions = lines
    if not origin:
        raise NoteError("checkpoint origin is empty")
    if not _SIZE.fullmatch(size) or int(size) >= 2**64:
        raise NoteError(f"checkpoint size {size!r} is not a decimal without leading zeros")
    raw = _b64decode(root, "checkpoint root")
    if len(raw) != 32:
        raise NoteError(f"checkpoint root is {len(raw)} bytes, not 32")
    if any(not ext for ext in extensions):
        raise NoteError("checkpoint extension lines must be non-empty")
    return Checkpoint(origin, int(size), raw, tuple(extensions))
