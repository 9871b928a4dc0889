"""Signed-note and checkpoint tests, anchored on the Go sumdb/note Ed25519 vector."""

import base64
import json
import os
from pathlib import Path

import pytest

from fusioncell.ledger import merkle
from fusioncell.ledger.note import (
    Checkpoint,
    NoteError,
    Signer,
    Verifier,
    format_checkpoint,
    key_id,
    open_note,
    parse_checkpoint,
)

# shared/ sits beside the repository; FUSIONCELL_SHARED_DIR overrides.
SHARED = Path(os.environ.get("FUSIONCELL_SHARED_DIR") or Path(__file__).resolve().parents[3] / "shared")
VECTOR = json.loads((SHARED / "testdata" / "signed-note" / "peterneumann.json").read_text())
ROOT = merkle.root_from_leaf_hashes([merkle.leaf_hash(b"x")])


def _peter():
    return Verifier.from_vkey(VECTOR["vkey"])


def test_signer_reproduces_vector_byte_for_byte():
    signer = Signer.from_signer_key(VECTOR["skey"])
    assert signer.name == "PeterNeumann" and signer.key_id.hex() == "c74f20a3"
    assert signer.signer_key() == VECTOR["skey"]
    assert signer.verifier_key() == VECTOR["vkey"]
    assert signer.sign_note(VECTOR["text"]).encode() == VECTOR["signed_note"].encode()


def test_verifier_key_round_trip():
    v = _peter()
    assert (v.name, v.key_id.hex()) == ("PeterNeumann", "c74f20a3")
    assert v.verifier_key() == VECTOR["vkey"]


@pytest.mark.parametrize("vkey", VECTOR["bad_vkeys"])
def test_vector_bad_vkeys_rejected(vkey):
    with pytest.raises(NoteError):
        Verifier.from_vkey(vkey)


def _vkey(name="n", kid=None, alg=b"\x01", key=bytes(range(32))):
    """A verifier key string with one part spoiled; the key ID is right unless given."""
    return f"{name}+{kid or key_id(name, key).hex()}+{base64.b64encode(alg + key).decode()}"


@pytest.mark.parametrize(
    "vkey",
    [
        _vkey(name="bad name"),
        "+" + _vkey()[2:],  # empty name
        _vkey(kid="0000000g"),
        _vkey(kid="0000000"),
        _vkey(kid="00000000"),  # key ID mismatch
        _vkey(alg=b"\x02"),
        _vkey(key=bytes(31)),
        _vkey()[:-1] + "!",  # not base64
        _vkey()[:-1],  # broken padding / length
        "PeterNeumann+c74f20a3",
    ],
)
def test_malformed_vkeys_rejected(vkey):
    with pytest.raises(NoteError):
        Verifier.from_vkey(vkey)


@pytest.mark.parametrize("name", ["", "a+b", "a b", "a\tb", "a\u00a0b", "a\ud800b"])
def test_bad_names_rejected(name):
    with pytest.raises(NoteError):
        Signer.generate(name)


def test_bad_signer_keys_rejected():
    good = VECTOR["skey"]
    for skey in [good.replace("PRIVATE", "PUBLIC"), good.replace("c74f20a3", "c74f20a4"), good[:-4]]:
        with pytest.raises(NoteError):
            Signer.from_signer_key(skey)


def test_open_vector_note():
    note = open_note(VECTOR["signed_note"], [_peter()])
    assert note.text == VECTOR["text"]
    assert [(n, k.hex()) for n, k, _ in note.signatures] == [("PeterNeumann", "c74f20a3")]


def test_tampered_note_rejected():
    signed = VECTOR["signed_note"]
    with pytest.raises(NoteError, match="does not verify"):
        open_note(signed.replace("cryptography", "cryptograph"), [_peter()])
    sig = signed.rsplit(" ", 1)[1].strip()
    raw = bytearray(base64.b64decode(sig))
    raw[10] ^= 1
    with pytest.raises(NoteError, match="does not verify"):
        open_note(signed.replace(sig, base64.b64encode(bytes(raw)).decode()), [_peter()])


def test_unknown_signers_ignored_but_one_known_needed():
    other = Signer.generate("example.com/other")
    both = (
        Signer.from_signer_key(VECTOR["skey"]).sign_note(VECTOR["text"])
        + other.sign_note(VECTOR["text"]).split("\n\n")[-1]
    )
    note = open_note(both, [_peter()])
    assert [n for n, _, _ in note.signatures] == ["PeterNeumann"]
    assert len(open_note(both, [_peter(), other.verifier()]).signatures) == 2
    with pytest.raises(NoteError, match="known key"):
        open_note(VECTOR["signed_note"], [other.verifier()])
    # Same name, other key (so other key ID): still unknown, not a failure.
    impostor = Signer.generate("PeterNeumann")
    assert open_note(both, [_peter(), impostor.verifier()]).signatures[0][0] == "PeterNeumann"


@pytest.mark.parametrize(
    "signed",
    [
        VECTOR["signed_note"].replace("\n\n", "\n"),  # no blank line
        VECTOR["signed_note"][:-1],  # no final newline
        VECTOR["signed_note"].replace("\u2014 ", "-- "),
        VECTOR["signed_note"].replace("problem,", "problem,\x07"),
        VECTOR["signed_note"].replace("PeterNeumann ", "PeterNeumann"),  # no space before base64
        VECTOR["signed_note"].replace("PeterNeumann ", "PeterNeumann !"),  # not base64
        VECTOR["signed_note"] + "\u2014 x QUJD\n",  # too short to hold a key ID and signature
    ],
)
def test_malformed_notes_rejected(signed):
    with pytest.raises(NoteError):
        open_note(signed, [_peter()])


def test_generated_signer_round_trip():
    signer = Signer.generate("example.com/log")
    again = Signer.from_signer_key(signer.signer_key())
    assert again.verifier_key() == signer.verifier_key()
    text = "first\n\nblank line above\n"
    assert open_note(again.sign_note(text), [Verifier.from_vkey(signer.verifier_key())]).text == text
    assert signer.verifier().verify(b"msg", signer.sign(b"msg"))
    assert not signer.verifier().verify(b"msh", signer.sign(b"msg"))
    with pytest.raises(NoteError):
        signer.sign_note("no trailing newline")


def test_checkpoint_round_trip():
    cp = Checkpoint("example.com/log", 12345, ROOT)
    text = format_checkpoint(cp)
    assert text == f"example.com/log\n12345\n{base64.b64encode(ROOT).decode()}\n"
    assert parse_checkpoint(text) == cp
    ext = Checkpoint("example.com/log", 0, merkle.EMPTY_ROOT, ("ext one", "two"))
    assert parse_checkpoint(format_checkpoint(ext)) == ext
    signer = Signer.generate("example.com/log")
    assert parse_checkpoint(open_note(signer.sign_note(text), [signer.verifier()]).text) == cp


def test_spec_example_checkpoint():
    text = "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
    cp = parse_checkpoint(text)
    assert (cp.origin, cp.size, len(cp.root)) == ("example.com/behind-the-sofa", 20852163, 32)
    assert format_checkpoint(cp) == text


_B64 = base64.b64encode(ROOT).decode()


@pytest.mark.parametrize(
    "text",
    [
        f"o\n012\n{_B64}\n",  # leading zero
        f"o\n00\n{_B64}\n",
        f"o\n-1\n{_B64}\n",
        f"o\n+1\n{_B64}\n",
        f"o\n 1\n{_B64}\n",
        f"o\n\u0661\n{_B64}\n",  # non-ASCII digit
        f"o\n{2**64}\n{_B64}\n",
        f"o\n1\n{_B64[:-2]}!=\n",  # bad base64
        f"o\n1\n{base64.b64encode(ROOT[:31]).decode()}\n",  # short root
        f"o\n1\n{_B64}",  # missing final newline
        f"\n1\n{_B64}\n",  # empty origin
        "o\n1\n",
        f"o\n1\n{_B64}\n\n",  # empty extension line
    ],
)
def test_malformed_checkpoints_rejected(text):
    with pytest.raises(NoteError):
        parse_checkpoint(text)


@pytest.mark.parametrize(
    "cp",
    [
        Checkpoint("", 1, ROOT),
        Checkpoint("a\nb", 1, ROOT),
        Checkpoint("o", -1, ROOT),
        Checkpoint("o", 1, ROOT[:31]),
        Checkpoint("o", 1, ROOT, ("",)),
    ],
)
def test_format_rejects_bad_checkpoints(cp):
    with pytest.raises(NoteError):
        format_checkpoint(cp)
