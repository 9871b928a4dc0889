"""C2SP tlog-cosignature (https://c2sp.org/tlog-cosignature): Ed25519 cosignature/v1.

A cosignature is a signed-note signature line whose key ID uses algorithm byte 0x04 and
whose signature is a `timestamped_signature`:
  key ID        SHA-256(name || "\\n" || 0x04 || public key)[:4]
  signed text   "cosignature/v1\\ntime <timestamp>\\n" || checkpoint note body
  line          — <name> base64(key ID || u64 big-endian timestamp || Ed25519 signature)
  vkey          <name>+<hex key ID>+base64(0x04 || public key)
  signer key    PRIVATE+KEY+<name>+<hex key ID>+base64(0x04 || seed)   (as Go's note keys)
"""

import base64
import binascii
import hashlib
import re
from collections.abc import Iterable

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

ALG_COSIGNATURE_V1 = 0x04
_SIG_PREFIX = "\u2014 "  # em dash, space: every note signature line starts so
_HEADER = "cosignature/v1\n"
_MAX_TIMESTAMP = 2**63 - 1  # the spec's bound, so the u64 never reads as negative elsewhere
_SIG_LEN = 4 + 8 + 64
_HEX_ID = re.compile(r"[0-9a-f]{8}")
_CONTROL = re.compile(r"[\x00-\x1f]")


class CosignatureError(ValueError):
    """A malformed key or line, or a cosignature that does not verify."""


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def _b64decode(text: str, what: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise CosignatureError(f"{what} is not valid base64") from None


def _check_name(name: str) -> None:
    # signed-note: a key name is non-empty, has no '+', no whitespace, no control characters.
    if not isinstance(name, str) or not name:
        raise CosignatureError("cosigner name must be a non-empty string")
    if "+" in name or _CONTROL.search(name) or any(c.isspace() for c in name):
        raise CosignatureError(f"cosigner name {name!r} contains '+', a space or a control character")
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        raise CosignatureError(f"cosigner name {name!r} is not valid Unicode") from None


def _check_body(text: str) -> None:
    # A checkpoint body has no blank line; one means a whole signed note was passed.
    if not isinstance(text, str) or not text.endswith("\n"):
        raise CosignatureError("checkpoint text must end in a newline")
    if "\n\n" in text:
        raise CosignatureError("pass the checkpoint note's body, not the signed note")


def _check_timestamp(timestamp: int) -> None:
    if not isinstance(timestamp, int) or isinstance(timestamp, bool) or not 0 <= timestamp <= _MAX_TIMESTAMP:
        raise CosignatureError(f"timestamp must be an integer in [0, 2**63), got {timestamp!r}")


def key_id(name: str, public_key: bytes) -> bytes:
    return hashlib.sha256(name.encode() + b"\n" + bytes([ALG_COSIGNATURE_V1]) + public_key).digest()[:4]


def signed_message(checkpoint_text: str, timestamp: int) -> bytes:
    """The exact bytes a cosigner signs for this checkpoint body and time."""
    return f"{_HEADER}time {timestamp}\n{checkpoint_text}".encode()


def _parse_key(hex_id: str, b64: str, what: str) -> tuple[bytes, bytes]:
    """Shared checks of vkeys and signer keys; returns (declared key ID, key material)."""
    if not _HEX_ID.fullmatch(hex_id.lower()):
        raise CosignatureError(f"{what} key ID must be 8 hex digits")
    raw = _b64decode(b64, f"{what} key")
    if len(raw) != 33 or raw[0] != ALG_COSIGNATURE_V1:
        raise CosignatureError(f"{what} is not an Ed25519 cosignature/v1 key (type 0x04, 32 bytes)")
    return bytes.fromhex(hex_id), raw[1:]


class CosignatureSigner:
    """A witness's Ed25519 cosigning key."""

    def __init__(self, name: str, private_key: Ed25519PrivateKey) -> None:
        _check_name(name)
        self.name = name
        self._key = private_key
        self.public_key = private_key.public_key().public_bytes_raw()
        self.key_id = key_id(name, self.public_key)

    @classmethod
    def generate(cls, name: str) -> "CosignatureSigner":
        return cls(name, Ed25519PrivateKey.generate())

    @classmethod
    def from_signer_key(cls, skey: str) -> "CosignatureSigner":
        parts = skey.strip().split("+", 4)
        if len(parts) != 5 or parts[:2] != ["PRIVATE", "KEY"]:
            raise CosignatureError("signer key must look like PRIVATE+KEY+<name>+<key ID>+<key>")
        declared, seed = _parse_key(parts[3], parts[4], "signer")
        signer = cls(parts[2], Ed25519PrivateKey.from_private_bytes(seed))
        if signer.key_id != declared:
            raise CosignatureError("signer key ID does not match its name and key")
        return signer

    def signer_key(self) -> str:
        seed = bytes([ALG_COSIGNATURE_V1]) + self.private_bytes()
        return f"PRIVATE+KEY+{self.name}+{self.key_id.hex()}+{_b64(seed)}"

    def private_bytes(self) -> bytes:
        """The 32-byte Ed25519 seed."""
        return self._key.private_bytes_raw()

    def vkey(self) -> str:
        return f"{self.name}+{self.key_id.hex()}+{_b64(bytes([ALG_COSIGNATURE_V1]) + self.public_key)}"

    def verifier(self) -> "CosignatureVerifier":
        return CosignatureVerifier(self.name, self.public_key)

    def cosign(self, checkpoint_text: str, timestamp: int) -> str:
        """The signature line, newline included, for a checkpoint body at a time."""
        _check_body(checkpoint_text)
        _check_timestamp(timestamp)
        signature = self._key.sign(signed_message(checkpoint_text, timestamp))
        raw = self.key_id + timestamp.to_bytes(8, "big") + signature
        return f"{_SIG_PREFIX}{self.name} {_b64(raw)}\n"


def _split_line(line: str) -> tuple[str, str]:
    """(name, base64) of one note signature line, with or without its newline."""
    if line.endswith("\n"):
        line = line[:-1]
    if not line.startswith(_SIG_PREFIX) or "\n" in line:
        raise CosignatureError("a signature line starts with an em dash and a space")
    name, _, b64 = line[len(_SIG_PREFIX) :].partition(" ")
    if not name or not b64:
        raise CosignatureError("a signature line needs a key name, a space and a signature")
    return name, b64


class CosignatureVerifier:
    """Checks cosignature/v1 lines by one named witness key."""

    def __init__(self, name: str, public_key: bytes) -> None:
        _check_name(name)
        try:
            self._key = Ed25519PublicKey.from_public_bytes(public_key)
        except ValueError as exc:
            raise CosignatureError(f"invalid Ed25519 public key: {exc}") from None
        self.name = name
        self.public_key = bytes(public_key)
        self.key_id = key_id(name, self.public_key)

    @classmethod
    def from_vkey(cls, vkey: str) -> "CosignatureVerifier":
        parts = vkey.strip().split("+", 2)  # base64 may itself contain '+'
        if len(parts) != 3:
            raise CosignatureError("verifier key must look like <name>+<key ID>+<key>")
        declared, public_key = _parse_key(parts[1], parts[2], "verifier")
        verifier = cls(parts[0], public_key)
        if verifier.key_id != declared:
            raise CosignatureError("verifier key ID does not match its name and key")
        return verifier

    def vkey(self) -> str:
        return f"{self.name}+{self.key_id.hex()}+{_b64(bytes([ALG_COSIGNATURE_V1]) + self.public_key)}"

    def matches(self, line: str) -> bool:
        """Whether a line claims to be by this key (name and key ID), valid or not."""
        try:
            name, b64 = _split_line(line)
            raw = _b64decode(b64, "signature")
        except CosignatureError:
            return False
        return name == self.name and raw[:4] == self.key_id

    def verify(self, checkpoint_text: str, line: str) -> int:
        """The cosignature's timestamp; CosignatureError unless the line is this key's and valid."""
        _check_body(checkpoint_text)
        name, b64 = _split_line(line)
        raw = _b64decode(b64, "signature")
        if name != self.name or raw[:4] != self.key_id:
            raise CosignatureError(f"the line is not by {self.name} ({self.key_id.hex()})")
        if len(raw) != _SIG_LEN:
            raise CosignatureError(f"a cosignature/v1 signature is {_SIG_LEN} bytes, got {len(raw)}")
        timestamp = int.from_bytes(raw[4:12], "big")
        if timestamp > _MAX_TIMESTAMP:
            raise CosignatureError("cosignature timestamp exceeds 2**63 - 1")
        try:
            self._key.verify(raw[12:], signed_message(checkpoint_text, timestamp))
        except InvalidSignature:
            raise CosignatureError(f"cosignature by {self.name} does not verify") from None
        return timestamp


def split_note(note: str) -> tuple[str, list[str]]:
    """(body, signature lines without newlines) of a signed note."""
    split = note.rfind("\n\n")  # a checkpoint body has no blank line, so the last one separates
    if split < 0 or not note.endswith("\n"):
        raise CosignatureError("a signed note is a body, a blank line and newline-ended signature lines")
    return note[: split + 1], note[split + 2 : -1].split("\n")


def cosignatures_in(note: str, verifiers: Iterable[CosignatureVerifier]) -> dict[str, int]:
    """Name → timestamp of each known witness's valid cosignature on a signed note.

    Lines by unknown keys (the log's own signature among them) are ignored. A line that
    names a known key but does not verify raises CosignatureError, as signed-note
    verifiers reject a note with a bad signature by a known key.
    """
    body, lines = split_note(note)
    known = list(verifiers)
    found: dict[str, int] = {}
    for line in lines:
        _split_line(line)  # a malformed line makes the whole note malformed
        for verifier in known:
            if verifier.matches(line):
                timestamp = verifier.verify(body, line)
                found[verifier.name] = max(timestamp, found.get(verifier.name, 0))
    return found
