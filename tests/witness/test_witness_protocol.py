"""C2SP tlog-witness add-checkpoint, in process: every status the spec names, the state
it keeps, and the client a log uses (through the same app)."""

import base64

import pytest
from starlette.testclient import TestClient

from fusioncell.ledger.merkle import EMPTY_ROOT
from fusioncell.ledger.note import Checkpoint, Signer, format_checkpoint
from fusioncell.witness.client import add_checkpoint
from fusioncell.witness.cosignature import CosignatureSigner
from fusioncell.witness.server import MAX_BODY, Witness, create_app
from fusioncell.witness.state import WitnessState
from tests.witness.toylog import ToyLog, body

ORIGIN = "cell.example/ledger"


@pytest.fixture
def log() -> ToyLog:
    return ToyLog(ORIGIN).grow(20)


@pytest.fixture
def signer() -> CosignatureSigner:
    return CosignatureSigner.generate("witness.isr.example")


@pytest.fixture
def state(tmp_path):
    state = WitnessState(tmp_path / "witness.sqlite")
    yield state
    state.close()


@pytest.fixture
def http(log, signer, state):
    witness = Witness(signer, {ORIGIN: [log.signer.verifier()]}, state, clock=lambda: 1_700_000_000)
    with TestClient(create_app(witness)) as client:
        yield client


def post(http, old, proof, note):
    return http.post("/add-checkpoint", content=body(old, proof, note))


def advance(http, log, old, new):
    return post(http, old, log.proof(old, new), log.note(new))


def test_cosigns_a_growing_log(http, log, signer, state):
    verifier = signer.verifier()
    for old, new in [(0, 1), (1, 3), (3, 8), (8, 8), (8, 13), (13, 20)]:
        response = advance(http, log, old, new)
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith("text/plain")
        assert verifier.verify(log.text(new), response.text) == 1_700_000_000
    stored = state.latest(ORIGIN)
    assert (stored.size, stored.root, stored.note) == (20, log.root(20), log.note(20))


def test_first_checkpoint_may_be_empty(http, log):
    assert advance(http, log, 0, 0).status_code == 200
    assert advance(http, log, 0, 4).status_code == 200


def test_stale_old_size_gets_409_with_the_latest_size(http, log):
    assert advance(http, log, 0, 8).status_code == 200
    for old in (0, 5, 9):
        response = post(http, old, log.proof(old, 13) if old <= 8 else [], log.note(13))
        assert response.status_code == 409
        assert response.headers["content-type"] == "text/x.tlog.size"  # exactly, no charset
        assert response.text == "8\n"


def test_fork_after_a_consistent_checkpoint_is_422(http, log, state):
    assert advance(http, log, 0, 8).status_code == 200
    forked = log.fork(6, seed="forked").grow(13)
    # The fork's own proof is internally fine but cannot start from the root the witness holds.
    response = post(http, 8, forked.proof(8, 13), forked.note(13))
    assert response.status_code == 422
    assert state.latest(ORIGIN).size == 8
    (refusal,) = state.refusals(ORIGIN)
    assert (refusal.old_size, refusal.note) == (8, forked.note(13))
    # The honest log carries on.
    assert advance(http, log, 8, 13).status_code == 200


def test_same_size_other_root_is_409_without_a_size(http, log, state):
    assert advance(http, log, 0, 8).status_code == 200
    forked = log.fork(7, seed="forked").grow(8)
    response = post(http, 8, [], forked.note(8))
    assert response.status_code == 409
    assert not response.headers["content-type"].startswith("text/x.tlog.size")
    assert len(state.refusals(ORIGIN)) == 1


@pytest.mark.parametrize(
    "make_proof",
    [
        lambda log: log.proof(8, 13)[:-1],  # too short
        lambda log: [*log.proof(8, 13), EMPTY_ROOT],  # too long
        lambda log: [bytes(32)] + log.proof(8, 13)[1:],  # a wrong hash
        lambda log: [],  # missing
    ],
)
def test_bad_proofs_are_422(http, log, make_proof):
    assert advance(http, log, 0, 8).status_code == 200
    assert post(http, 8, make_proof(log), log.note(13)).status_code == 422


def test_size_zero_rules_are_422(http, log):
    # From size 0 the proof must be empty; an empty checkpoint must carry the empty root.
    assert post(http, 0, [EMPTY_ROOT], log.note(5)).status_code == 422
    wrong_empty = log.signer.sign_note(format_checkpoint(Checkpoint(ORIGIN, 0, bytes(32))))
    assert post(http, 0, [], wrong_empty).status_code == 422


def test_unknown_origin_is_404_and_unsigned_is_403(http, log):
    stranger = ToyLog("other.example/log").grow(3)
    assert post(http, 0, [], stranger.note(3)).status_code == 404
    impostor = ToyLog(ORIGIN).grow(3)  # same origin, another key
    assert post(http, 0, [], impostor.note(3)).status_code == 403
    # A line under the log's name and key ID that does not verify: 403, not ignored.
    bad = log.note(3).replace(log.text(3), log.text(3).replace("\n3\n", "\n4\n"), 1)
    assert post(http, 0, [], bad).status_code == 403


def test_old_size_above_the_checkpoint_is_400(http, log):
    assert advance(http, log, 0, 8).status_code == 200
    assert post(http, 9, [], log.note(8)).status_code == 400


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"old 0\n",  # no blank line, no checkpoint
        b"old 01\n\n",
        b"old -1\n\n",
        b"new 0\n\n",
        b"old 0\nnot base64!\n\n",
        b"old 0\n" + base64.b64encode(bytes(31)) + b"\n\n",
        b"old 0\n" + b"\xff\n\n",
        b"old 0\n\nonly an origin\n\n\xe2\x80\x94 x AAAA\n",
    ],
)
def test_malformed_bodies_are_400(http, log, raw):
    response = http.post("/add-checkpoint", content=raw + (log.note(3).encode() if raw.endswith(b"\n\n") else b""))
    assert response.status_code == 400, response.text


def test_too_many_proof_lines_is_400(http, log):
    assert post(http, 0, [EMPTY_ROOT] * 64, log.note(5)).status_code == 400


def test_bodies_are_bounded(http, log):
    note = log.note(3)
    padded = note.replace("\n\n", "\n\n" + "\u2014 x " + "A" * MAX_BODY + "\n", 1)
    assert post(http, 0, [], padded).status_code == 413


def test_status_line(http, log, signer):
    assert advance(http, log, 0, 5).status_code == 200
    response = http.get("/")
    assert response.status_code == 200
    assert response.text == f"fusioncell witness {signer.vkey()} witnessing {ORIGIN} at 5\n"


def test_compare_and_swap(state, log):
    assert state.advance(ORIGIN, None, 3, log.root(3), log.note(3))
    assert not state.advance(ORIGIN, None, 4, log.root(4), log.note(4))  # already created
    first = state.latest(ORIGIN)
    assert state.advance(ORIGIN, first, 5, log.root(5), log.note(5))
    assert not state.advance(ORIGIN, first, 6, log.root(6), log.note(6))  # stale expectation
    assert state.latest(ORIGIN).size == 5


@pytest.mark.filterwarnings("ignore:You should not use the 'timeout' argument")
def test_client_outcomes(http, log):
    url = "http://testserver"
    first = add_checkpoint(url, old_size=0, proof=[], note=log.note(8), timeout=5, client=http)
    assert first.cosigned and len(first.lines) == 1 and first.lines[0].endswith("\n")
    stale = add_checkpoint(url, old_size=0, proof=[], note=log.note(9), timeout=5, client=http)
    assert stale.conflict and stale.latest_size == 8
    forked = log.fork(6, seed="forked").grow(13)
    refused = add_checkpoint(url, old_size=8, proof=forked.proof(8, 13), note=forked.note(13), timeout=5, client=http)
    assert refused.refused and refused.status == 422 and "consistency" in refused.reason
    fork_same_size = log.fork(7, seed="other").grow(8)
    same = add_checkpoint(url, old_size=8, proof=[], note=fork_same_size.note(8), timeout=5, client=http)
    assert same.refused and same.status == 409 and same.latest_size is None
    ok = add_checkpoint(url + "/add-checkpoint", old_size=8, proof=log.proof(8, 13), note=log.note(13), client=http)
    assert ok.cosigned


def test_losing_a_race_is_a_409_with_the_winner_s_size(http, log, state, monkeypatch):
    assert advance(http, log, 0, 8).status_code == 200
    real_advance = state.advance

    def overtaken(origin, expected, size, root, note):
        # Another request moves the log to 13 between this one's check and its write.
        assert real_advance(origin, expected, 13, log.root(13), log.note(13))
        return real_advance(origin, expected, size, root, note)

    monkeypatch.setattr(state, "advance", overtaken)
    response = advance(http, log, 8, 10)
    assert response.status_code == 409
    assert response.text == "13\n"
    assert state.latest(ORIGIN).size == 13


def test_client_unreachable():
    result = add_checkpoint("http://127.0.0.1:9", old_size=0, proof=[], note="a\n1\nb\n\n\u2014 x y\n", timeout=2)
    assert result.refused and result.unreachable and result.status == 0


def test_log_key_signer_is_not_a_cosigner():
    # The cell's signed-note key and a witness key are different key types (0x01 vs 0x04).
    log_signer = Signer.generate(ORIGIN)
    with pytest.raises(ValueError):
        CosignatureSigner.from_signer_key(log_signer.signer_key())


def test_state_file_is_durable(state):
    # WAL with synchronous=FULL: each committed update is fsync'd before the answer goes out.
    with state._lock:
        assert state._db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert state._db.execute("PRAGMA synchronous").fetchone()[0] == 2
