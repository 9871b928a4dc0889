"""cosignature/v1 (C2SP tlog-cosignature): byte layout checked by an independent
re-derivation, round trips, and tampering.

No published vector pairs a known witness key with its cosignature (the spec's example
line has no public key), so the layout is checked against the spec's example line and
the signature against bytes assembled here by hand.
"""

import base64
import hashlib

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from fusioncell.ledger.note import Verifier, open_note
from fusioncell.witness.cosignature import (
    CosignatureError,
    CosignatureSigner,
    CosignatureVerifier,
    cosignatures_in,
)
from tests.witness.toylog import ToyLog

SEED = bytes(range(32))
NAME = "witness.isr.example/w1"
BODY = "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
TIME = 1679315147  # the spec's example time


@pytest.fixture
def signer() -> CosignatureSigner:
    return CosignatureSigner(NAME, Ed25519PrivateKey.from_private_bytes(SEED))


def _raw(line: str) -> bytes:
    prefix = f"\u2014 {NAME} "
    assert line.startswith(prefix) and line.endswith("\n")
    return base64.b64decode(line[len(prefix) : -1], validate=True)


def test_spec_example_line_layout():
    # From c2sp.org/tlog-cosignature: key ID, then the u64 time the example message shows.
    raw = base64.b64decode(
        "jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/zXcrtPHeolMI5OWXEhZCB9dlrDJsX3b2oyin1nPZqhf5nNo0xUe+mbIUBkBIfZ+qnA=="
    )
    assert len(raw) == 4 + 8 + 64
    assert int.from_bytes(raw[4:12], "big") == TIME


def test_key_id_and_vkey_bytes(signer):
    public = Ed25519PrivateKey.from_private_bytes(SEED).public_key().public_bytes_raw()
    want_id = hashlib.sha256(NAME.encode() + b"\x0a\x04" + public).digest()[:4]
    assert signer.key_id == want_id
    name, hex_id, key = signer.vkey().split("+", 2)
    assert (name, hex_id) == (NAME, want_id.hex())
    assert base64.b64decode(key) == b"\x04" + public
    # Not the signed-note (0x01) key ID: a cosigner key is never mistaken for a log key.
    assert Verifier(NAME, public).key_id != want_id


def test_line_bytes_are_the_spec_structure(signer):
    line = signer.cosign(BODY, TIME)
    raw = _raw(line)
    assert len(raw) == 76
    assert raw[:4] == signer.key_id
    assert raw[4:12] == TIME.to_bytes(8, "big")
    message = ("cosignature/v1\n" + f"time {TIME}\n" + BODY).encode()
    public = Ed25519PublicKey.from_public_bytes(signer.public_key)
    public.verify(raw[12:], message)  # raises if the signed bytes differ in any way
    # Ed25519 is deterministic: the same key, body and time give the same line.
    assert signer.cosign(BODY, TIME) == line


def test_round_trip_through_vkey(signer):
    verifier = CosignatureVerifier.from_vkey(signer.vkey())
    assert (verifier.name, verifier.key_id) == (NAME, signer.key_id)
    line = signer.cosign(BODY, TIME)
    assert verifier.verify(BODY, line) == TIME
    assert verifier.verify(BODY, line.rstrip("\n")) == TIME
    assert verifier.verify(BODY, signer.cosign(BODY, 0)) == 0
    assert verifier.verify(BODY, signer.cosign(BODY, 2**63 - 1)) == 2**63 - 1


def test_signer_key_round_trip(signer):
    again = CosignatureSigner.from_signer_key(signer.signer_key())
    assert again.private_bytes() == SEED == signer.private_bytes()
    assert again.vkey() == signer.vkey()
    assert signer.signer_key().startswith(f"PRIVATE+KEY+{NAME}+{signer.key_id.hex()}+")


def test_extension_lines_are_signed(signer):
    body = BODY + "extension line\n"
    line = signer.cosign(body, TIME)
    verifier = signer.verifier()
    assert verifier.verify(body, line) == TIME
    with pytest.raises(CosignatureError):
        verifier.verify(BODY, line)


@pytest.mark.parametrize(
    "tamper",
    [
        lambda raw: raw[:-1] + bytes([raw[-1] ^ 1]),  # signature bit
        lambda raw: raw[:4] + (TIME + 1).to_bytes(8, "big") + raw[12:],  # timestamp
        lambda raw: bytes([raw[0] ^ 1]) + raw[1:],  # key ID
        lambda raw: raw[:-1],  # truncated
        lambda raw: raw + b"\x00",  # extended
    ],
)
def test_tampered_lines_are_refused(signer, tamper):
    raw = tamper(_raw(signer.cosign(BODY, TIME)))
    line = f"\u2014 {NAME} {base64.b64encode(raw).decode()}\n"
    with pytest.raises(CosignatureError):
        signer.verifier().verify(BODY, line)


def test_other_body_name_or_key_is_refused(signer):
    line = signer.cosign(BODY, TIME)
    verifier = signer.verifier()
    with pytest.raises(CosignatureError):
        verifier.verify(BODY.replace("20852163", "20852164"), line)
    with pytest.raises(CosignatureError):
        verifier.verify(BODY, line.replace(NAME, "witness.syr.example/w1"))
    other = CosignatureSigner.generate(NAME)
    with pytest.raises(CosignatureError):
        other.verifier().verify(BODY, line)
    with pytest.raises(CosignatureError):
        verifier.verify(BODY, "not a signature line\n")
    # A whole signed note is not a checkpoint body.
    with pytest.raises(CosignatureError):
        verifier.verify(BODY + "\n" + line, line)


def test_timestamp_bounds(signer):
    for bad in (-1, 2**63, 1.5, True):
        with pytest.raises(CosignatureError):
            signer.cosign(BODY, bad)
    # A line claiming a time above 2**63 - 1 is refused even with a valid key ID.
    raw = _raw(signer.cosign(BODY, TIME))
    raw = raw[:4] + (2**63).to_bytes(8, "big") + raw[12:]
    with pytest.raises(CosignatureError):
        signer.verifier().verify(BODY, f"\u2014 {NAME} {base64.b64encode(raw).decode()}\n")


@pytest.mark.parametrize(
    "vkey",
    [
        "noplus",
        "w+00000000+",
        "w+zzzzzzzz+BAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "w+00000000+AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",  # type 0x01, not 0x04
    ],
)
def test_bad_vkeys(vkey):
    with pytest.raises(CosignatureError):
        CosignatureVerifier.from_vkey(vkey)


def test_vkey_with_wrong_key_id(signer):
    name, _, key = signer.vkey().split("+", 2)
    with pytest.raises(CosignatureError):
        CosignatureVerifier.from_vkey(f"{name}+00000000+{key}")


@pytest.mark.parametrize("name", ["", "a b", "a+b", "tab\there"])
def test_bad_names(name):
    with pytest.raises(CosignatureError):
        CosignatureSigner.generate(name)


def test_cosignatures_in_a_cosigned_note():
    log = ToyLog("cell.example/ledger").grow(5)
    isr = CosignatureSigner.generate("witness.isr.example")
    syr = CosignatureSigner.generate("witness.syr.example")
    stranger = CosignatureSigner.generate("witness.elsewhere.example")
    text = log.text(5)
    note = log.note(5) + isr.cosign(text, 100) + stranger.cosign(text, 101) + syr.cosign(text, 102)
    verifiers = [isr.verifier(), syr.verifier()]
    assert cosignatures_in(note, verifiers) == {"witness.isr.example": 100, "witness.syr.example": 102}
    assert cosignatures_in(note, []) == {}
    # The log's own signature still opens the note; cosignature lines are foreign to it.
    assert open_note(note, [log.signer.verifier()]).text == text


def test_cosignatures_in_refuses_a_bad_line_by_a_known_key():
    log = ToyLog("cell.example/ledger").grow(5)
    isr = CosignatureSigner.generate("witness.isr.example")
    line_for_other_size = isr.cosign(log.text(4), 100)
    with pytest.raises(CosignatureError):
        cosignatures_in(log.note(5) + line_for_other_size, [isr.verifier()])
    with pytest.raises(CosignatureError):
        cosignatures_in(log.text(5), [isr.verifier()])  # no signature block at all


def test_cosignatures_in_keeps_the_latest_time():
    log = ToyLog("cell.example/ledger").grow(2)
    isr = CosignatureSigner.generate("witness.isr.example")
    note = log.note(2) + isr.cosign(log.text(2), 7) + isr.cosign(log.text(2), 9)
    assert cosignatures_in(note, [isr.verifier()]) == {"witness.isr.example": 9}
