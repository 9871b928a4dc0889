"""`fusioncell ledger monitor`: follow a cell's log and alarm on any inconsistency or split view.

The monitor keeps every leaf it has seen (a local JSON state file), so it can compute the root of any
size it has passed. Each poll takes the served checkpoint and checks, in order: the log's signature;
that a size it has passed has the root its leaves give (else the log shows two histories: split view);
the server's consistency proof from the last checkpoint it accepted; that the new leaves rebuild the
new root. Any failure is an alarm: a structured log line, an optional webhook POST, and exit code 3.
A checkpoint without the witness quorum is a warning, not an alarm (it may simply not be cosigned yet).
After a rotation of the cell's key the monitor follows the handover from the key it trusts (proven, as
`ledger verify` does) and from then on checks with the new key; it logs the new key to configure.
"""

import base64
import json
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import structlog
import typer

from fusioncell.ledger import key_chain, merkle
from fusioncell.ledger.key_chain import KeyChainError
from fusioncell.ledger.note import Checkpoint, NoteError, Verifier, open_note, parse_checkpoint
from fusioncell.witness.cosignature import CosignatureVerifier, cosignatures_in

log = structlog.get_logger("fusioncell.monitor")
PAGE = 1000


class Alarm(Exception):
    """The log misbehaved: `kind` names how (split-view, inconsistent, bad-signature, leaves, rewritten)."""

    def __init__(self, kind: str, detail: str) -> None:
        super().__init__(f"{kind}: {detail}")
        self.kind = kind
        self.detail = detail


@dataclass
class MonitorState:
    """What the monitor has accepted: the leaves of the tree up to `size`, and that size's root."""

    leaves: list[bytes] = field(default_factory=list)
    root: bytes = merkle.EMPTY_ROOT

    @property
    def size(self) -> int:
        return len(self.leaves)

    def root_at(self, size: int) -> bytes:
        return merkle.root_from_leaf_hashes([merkle.leaf_hash(leaf) for leaf in self.leaves[:size]])

    @classmethod
    def load(cls, path: Path) -> "MonitorState":
        if not path.exists():
            return cls()
        data = json.loads(path.read_text())
        return cls([_unb64(x) for x in data["leaves"]], _unb64(data["root"]))

    def save(self, path: Path) -> None:
        data = {"size": self.size, "root": _b64(self.root), "leaves": [_b64(x) for x in self.leaves]}
        temporary = path.with_suffix(".tmp")
        temporary.write_text(json.dumps(data))
        temporary.replace(path)  # atomically: a crash must not leave half a state


@dataclass
class Policy:
    log_vkey: str
    witness_vkeys: list[str] = field(default_factory=list)
    quorum: int = 0


def poll(client: httpx.Client, state: MonitorState, policy: Policy, *, recheck: bool = False) -> Checkpoint:
    """One round: check the served checkpoint against the state, then advance the state. Raises Alarm."""
    note = _get(client, "/api/v1/ledger/checkpoint").text
    handovers = _follow_rotations(client, note, policy)
    checkpoint = _verified_checkpoint(note, policy)
    _check_witnesses(note, checkpoint, policy)
    if recheck:
        _recheck_leaves(client, state)
    if checkpoint.size <= state.size:
        seen = state.root if checkpoint.size == state.size else state.root_at(checkpoint.size)  # idle: no hashing
        if seen != checkpoint.root:
            raise Alarm("split-view", f"size {checkpoint.size} has another root than the one this monitor saw")
        if checkpoint.size < state.size:
            log.warning("monitor_stale_checkpoint", size=checkpoint.size, seen=state.size)
        _check_handovers(state, handovers)
        return checkpoint
    _check_consistency(client, state, checkpoint)
    new = _fetch_leaves(client, state.size, checkpoint.size)
    hashes = [merkle.leaf_hash(leaf) for leaf in state.leaves + new]
    if merkle.root_from_leaf_hashes(hashes) != checkpoint.root:
        raise Alarm("leaves", f"the served leaves do not rebuild the root of size {checkpoint.size}")
    _check_handovers(MonitorState(state.leaves + new, checkpoint.root), handovers)
    state.leaves += new
    state.root = checkpoint.root
    log.info("monitor_checkpoint_accepted", size=checkpoint.size, root=_b64(checkpoint.root))
    return checkpoint


def _follow_rotations(client: httpx.Client, note: str, policy: Policy) -> list[key_chain.Handover]:
    """When the trusted key no longer signs, the key its rotations lead to (each handover signed by both
    keys and proven into the log: ledger/key_chain.py) becomes the policy's key; anything else alarms."""
    try:
        open_note(note, [Verifier.from_vkey(policy.log_vkey)])
        return []
    except NoteError:
        pass
    rotations = _get(client, "/api/v1/ledger/keys").json()["rotations"]
    try:
        vkey, handovers = key_chain.follow(
            policy.log_vkey, rotations, lambda index: _get(client, f"/api/v1/ledger/entries/{index}").json()
        )
    except (KeyChainError, NoteError) as exc:
        raise Alarm("bad-signature", f"not signed by the trusted key nor one it handed over to: {exc}") from None
    if handovers:
        log.warning("monitor_key_rotated", previous=policy.log_vkey, vkey=vkey, rotations=len(handovers))
        policy.log_vkey = vkey
    return handovers


def _check_handovers(state: "MonitorState", handovers: list[key_chain.Handover]) -> None:
    if not handovers:
        return
    hashes = [merkle.leaf_hash(leaf) for leaf in state.leaves]
    for handover in handovers:
        try:
            handover.check_against(hashes)
        except KeyChainError as exc:
            raise Alarm("split-view", str(exc)) from None


def _verified_checkpoint(note: str, policy: Policy) -> Checkpoint:
    try:
        return parse_checkpoint(open_note(note, [Verifier.from_vkey(policy.log_vkey)]).text)
    except NoteError as exc:
        raise Alarm("bad-signature", str(exc)) from None


def _check_witnesses(note: str, checkpoint: Checkpoint, policy: Policy) -> None:
    if not policy.quorum:
        return
    try:
        found = cosignatures_in(note, [CosignatureVerifier.from_vkey(v) for v in policy.witness_vkeys])
    except ValueError as exc:
        raise Alarm("bad-signature", f"witness cosignature: {exc}") from None
    if len(found) < policy.quorum:
        log.warning("monitor_quorum_short", size=checkpoint.size, cosigned_by=sorted(found), quorum=policy.quorum)


def _check_consistency(client: httpx.Client, state: MonitorState, checkpoint: Checkpoint) -> None:
    if state.size == 0:
        return
    params = {"first": state.size, "second": checkpoint.size}
    proof = [_unb64(h) for h in _get(client, "/api/v1/ledger/proof/consistency", **params).json()["hashes"]]
    try:
        merkle.verify_consistency(state.size, checkpoint.size, proof, state.root, checkpoint.root)
    except (merkle.ProofError, ValueError) as exc:
        raise Alarm("inconsistent", f"size {checkpoint.size} does not extend size {state.size}: {exc}") from None


def _fetch_leaves(client: httpx.Client, start: int, end: int) -> list[bytes]:
    out: list[bytes] = []
    while start + len(out) < end:
        at = start + len(out)
        page = _get(client, "/api/v1/ledger/leaves", start=at, end=min(end, at + PAGE)).json()
        if page["start"] != at or not page["leaves"]:
            raise Alarm("leaves", f"the leaves page at {at} is malformed")
        out += [_unb64(leaf) for leaf in page["leaves"]]
    return out[: end - start]


def _recheck_leaves(client: httpx.Client, state: MonitorState) -> None:
    """Fetch every kept leaf again: a leaf rewritten in place shows up here even if no root moved."""
    if not state.size:
        return
    for index, (kept, served) in enumerate(zip(state.leaves, _fetch_leaves(client, 0, state.size), strict=True)):
        if kept != served:
            raise Alarm("rewritten", f"leaf {index} is not the leaf this monitor kept")


def _get(client: httpx.Client, path: str, **params) -> httpx.Response:
    response = client.get(path, params=params)
    if response.status_code != 200:
        raise httpx.HTTPStatusError(f"GET {path} answered {response.status_code}", request=None, response=response)
    return response


def raise_alarm(alarm: Alarm, *, url: str, webhook: str | None) -> None:
    """Say it everywhere it was asked to be said; a webhook that fails must not hide the alarm."""
    log.error("ledger_alarm", alarm=alarm.kind, detail=alarm.detail, url=url)
    if webhook:
        try:
            httpx.post(webhook, json={"alarm": alarm.kind, "detail": alarm.detail, "url": url}, timeout=10)
        except httpx.HTTPError as exc:
            log.error("ledger_alarm_webhook_failed", webhook=webhook, error=str(exc))


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def _unb64(text: str) -> bytes:
    return base64.b64decode(text, validate=True)


def open_client(url: str, token: str) -> httpx.Client:
    return httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=30)


def monitor_command(
    url: str = typer.Option(..., help="The cell's base URL, e.g. http://127.0.0.1:8000"),
    vkey: str = typer.Option(..., help="The cell's verifier key."),
    token: str = typer.Option(..., envvar="FUSIONCELL_TOKEN", help="An API token of any member."),
    state: Path = typer.Option(Path("monitor-state.json"), help="Where the leaves seen so far are kept."),
    witness_vkey: list[str] = typer.Option([], "--witness-vkey", help="A trusted witness's verifier key; repeat."),
    quorum: int = typer.Option(0, min=0, help="Warn when a checkpoint has fewer witness cosignatures."),
    webhook: str = typer.Option(None, help="POST a JSON alarm here too."),
    interval: float = typer.Option(10.0, min=0.1, help="Seconds between polls."),
    once: bool = typer.Option(False, "--once", help="Poll once and exit (0 fine, 3 alarm)."),
    recheck: bool = typer.Option(False, "--recheck", help="Also fetch every kept leaf again each poll."),
) -> None:
    """Follow a cell's log: verify each checkpoint's consistency with the last, keep the leaves, alarm."""
    policy = Policy(vkey, list(witness_vkey), quorum)
    kept = MonitorState.load(state)
    with open_client(url, token) as client:
        while True:
            try:
                checkpoint = poll(client, kept, policy, recheck=recheck)
            except Alarm as alarm:
                raise_alarm(alarm, url=url, webhook=webhook)
                raise typer.Exit(3) from None
            except httpx.HTTPError as exc:
                log.warning("monitor_unreachable", url=url, error=str(exc))  # an outage is not an alarm
                if once:
                    raise typer.Exit(1) from None
            else:
                kept.save(state)
                typer.echo(f"ok: size {checkpoint.size}, {kept.size} leaves kept")
            if once:
                return
            time.sleep(interval)
