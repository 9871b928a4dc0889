"""The witness's HTTP service: C2SP tlog-witness `add-checkpoint` (https://c2sp.org/tlog-witness).

Status codes, in the order the spec states its checks: 400 malformed body or old size
above the checkpoint's; 404 unknown origin; 403 no trusted log signature (or a trusted
key's signature fails); 409 + text/x.tlog.size for an old size that is not the latest
cosigned one; 409 (plain) for the latest size with another root; 422 for a consistency
proof that does not verify (also a size-0 checkpoint without the empty root, or a
non-empty proof from size 0). 200 carries the cosignature line, sent only once the new
state is committed.
"""

import base64
import binascii
import logging
import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from fusioncell.ledger.merkle import EMPTY_ROOT, ProofError, verify_consistency
from fusioncell.ledger.note import Checkpoint, NoteError, Verifier, open_note, parse_checkpoint
from fusioncell.witness.client import MAX_PROOF_LINES, SIZE_CONTENT_TYPE
from fusioncell.witness.cosignature import CosignatureError, CosignatureSigner, split_note
from fusioncell.witness.state import MAX_SIZE, Stored, WitnessState

MAX_BODY = 64 * 1024  # a checkpoint, 63 proof lines and a few signatures fit many times over
SIGNATURE_CONTENT_TYPE = "text/plain; charset=utf-8"  # the spec names none for the 200 body
_OLD = re.compile(r"old (0|[1-9][0-9]*)")
_log = logging.getLogger("fusioncell.witness")


class Reject(Exception):
    """An add-checkpoint answer other than 200."""

    def __init__(self, status: int, message: str, content_type: str = "text/plain; charset=utf-8") -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.content_type = content_type


def conflict(latest_size: int) -> Reject:
    return Reject(409, f"{latest_size}\n", SIZE_CONTENT_TYPE)


@dataclass(frozen=True)
class AddRequest:
    old_size: int
    proof: list[bytes]
    note: str  # the signed note as received
    text: str  # its body: the checkpoint text that is cosigned
    checkpoint: Checkpoint


def _proof_hash(line: str) -> bytes:
    try:
        raw = base64.b64decode(line, validate=True)
    except (binascii.Error, ValueError):
        raise Reject(400, "a proof line is not base64") from None
    if len(raw) != 32 or base64.b64encode(raw).decode() != line:
        raise Reject(400, "a proof line is not the canonical base64 of 32 bytes")
    return raw


def parse_request(body: bytes) -> AddRequest:
    """Split an add-checkpoint body; Reject(400) if it is not well formed."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise Reject(400, "the body is not UTF-8") from None
    head, blank, note = text.partition("\n\n")
    if not blank:
        raise Reject(400, "the body needs an old size line, proof lines, an empty line and a checkpoint")
    old_line, *proof_lines = head.split("\n")
    match = _OLD.fullmatch(old_line)
    if not match:
        raise Reject(400, "the first line must be `old <size>` in decimal without leading zeros")
    if len(proof_lines) > MAX_PROOF_LINES:
        raise Reject(400, f"more than {MAX_PROOF_LINES} proof lines")
    proof = [_proof_hash(line) for line in proof_lines]
    try:
        checkpoint_text, lines = split_note(note)
        checkpoint = parse_checkpoint(checkpoint_text)
    except (CosignatureError, NoteError) as exc:
        raise Reject(400, f"malformed checkpoint: {exc}") from None
    if any(not line.startswith("\u2014 ") for line in lines):
        raise Reject(400, "malformed checkpoint: a signature line starts with an em dash")
    return AddRequest(int(match.group(1)), proof, note, checkpoint_text, checkpoint)


def logs_by_origin(vkeys: Sequence[str]) -> dict[str, list[Verifier]]:
    """The logs a witness serves: each vkey's name is its log's origin (as Go's note keys)."""
    logs: dict[str, list[Verifier]] = {}
    for vkey in vkeys:
        verifier = Verifier.from_vkey(vkey)
        logs.setdefault(verifier.name, []).append(verifier)
    return logs


class Witness:
    """Checks a checkpoint against what this witness saw of its log, then cosigns it."""

    def __init__(
        self,
        signer: CosignatureSigner,
        logs: Mapping[str, Sequence[Verifier]],
        state: WitnessState,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.signer = signer
        self.logs = dict(logs)
        self.state = state
        self.clock = clock

    def add_checkpoint(self, request: AddRequest) -> str:
        """The cosignature line(s); Reject with the status the spec asks for otherwise."""
        origin = request.checkpoint.origin
        verifiers = self.logs.get(origin)
        if verifiers is None:
            raise Reject(404, f"unknown log origin {origin!r}")
        try:
            open_note(request.note, verifiers)
        except NoteError as exc:
            raise Reject(403, f"checkpoint not signed by the log's key: {exc}") from None
        size = request.checkpoint.size
        if request.old_size > size:
            raise Reject(400, f"old size {request.old_size} is above the checkpoint's size {size}")
        if size > MAX_SIZE:
            raise Reject(400, "checkpoint size above 2**63 - 1")
        stored = self.state.latest(origin)
        if request.old_size != (stored.size if stored else 0):
            raise conflict(stored.size if stored else 0)
        self._check_consistency(request, stored)
        if not self.state.advance(origin, stored, size, request.checkpoint.root, request.note):
            # Another request for this log won the race between our read and our write.
            now = self.state.latest(origin)
            raise conflict(now.size if now else 0)
        return self.signer.cosign(request.text, int(self.clock()))

    def _check_consistency(self, request: AddRequest, stored: Stored | None) -> None:
        size, root = request.checkpoint.size, request.checkpoint.root
        if stored is not None and stored.size == size and stored.root != root:
            self._refuse(request, "same size as the latest cosigned checkpoint, different root")
            raise Reject(409, f"size {size} was cosigned with another root hash")
        old_root = stored.root if stored else EMPTY_ROOT
        try:
            verify_consistency(request.old_size, size, request.proof, old_root, root, allow_empty_first=True)
        except ProofError as exc:
            self._refuse(request, str(exc))
            raise Reject(422, f"consistency proof does not verify: {exc}") from None

    def _refuse(self, request: AddRequest, reason: str) -> None:
        # Signed by the log yet not an extension of what it showed before: keep the evidence.
        proof = "".join(base64.b64encode(h).decode() + "\n" for h in request.proof)
        self.state.record_refusal(request.checkpoint.origin, request.old_size, proof, request.note, reason)
        cp = request.checkpoint
        _log.warning("refused checkpoint of %s at size %d: %s", cp.origin, cp.size, reason)

    def handle(self, body: bytes) -> Response:
        """One add-checkpoint request body to its HTTP answer."""
        try:
            line = self.add_checkpoint(parse_request(body))
        except Reject as reject:
            response = Response(reject.message.encode(), status_code=reject.status)
            response.headers["content-type"] = reject.content_type
            return response
        response = Response(line.encode(), status_code=200)
        response.headers["content-type"] = SIGNATURE_CONTENT_TYPE
        return response

    def status_line(self) -> str:
        logs = {s.origin: s.size for s in self.state.all_latest()}
        sizes = ", ".join(f"{origin} at {logs.get(origin, 0)}" for origin in sorted(self.logs))
        return f"fusioncell witness {self.signer.vkey()} witnessing {sizes or 'no logs'}\n"


async def _bounded_body(request: Request) -> bytes | None:
    """The body, or None once it is longer than MAX_BODY (checked while reading)."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > MAX_BODY:
        return None
    chunks, total = [], 0
    async for chunk in request.stream():
        total += len(chunk)
        if total > MAX_BODY:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def create_app(witness: Witness) -> Starlette:
    async def add_checkpoint(request: Request) -> Response:
        body = await _bounded_body(request)
        if body is None:
            return Response(f"request body over {MAX_BODY} bytes\n", status_code=413, media_type="text/plain")
        # Signing and the fsync'd commit block: keep them off the event loop.
        return await run_in_threadpool(witness.handle, body)

    async def status(request: Request) -> Response:
        return Response(await run_in_threadpool(witness.status_line), media_type="text/plain")

    routes = [
        Route("/add-checkpoint", add_checkpoint, methods=["POST"]),
        Route("/", status, methods=["GET"]),
    ]
    app = Starlette(routes=routes)
    app.state.witness = witness
    return app
