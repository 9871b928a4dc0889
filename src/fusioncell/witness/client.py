"""The log's side of C2SP tlog-witness: ask one witness to cosign a checkpoint.

`add_checkpoint` never raises for what a witness answers or for a witness that cannot be
reached: the pusher decides what to do from the AddResult (retry with the witness's
latest size on a conflict, alert on a refusal, try later when unreachable).
"""

import base64
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import httpx

SIZE_CONTENT_TYPE = "text/x.tlog.size"
MAX_PROOF_LINES = 63  # the spec's limit on what a client may send
_MAX_REASON = 500
_SIZE = re.compile(r"0|[1-9][0-9]*")

Outcome = Literal["cosigned", "conflict", "refused"]


@dataclass(frozen=True)
class AddResult:
    """What one witness said.

    cosigned: `lines` are its signature lines (each ending in a newline), unverified.
    conflict: its latest cosigned size for the origin is `latest_size`; send again from it.
    refused:  anything else; `status` is the HTTP status (0 when the witness could not be
              reached) and `reason` its explanation (422 means it saw an inconsistent log).
    """

    outcome: Outcome
    status: int
    lines: tuple[str, ...] = ()
    latest_size: int | None = None
    reason: str = ""

    @property
    def cosigned(self) -> bool:
        return self.outcome == "cosigned"

    @property
    def conflict(self) -> bool:
        return self.outcome == "conflict"

    @property
    def refused(self) -> bool:
        return self.outcome == "refused"

    @property
    def unreachable(self) -> bool:
        return self.outcome == "refused" and self.status == 0


def endpoint(url: str) -> str:
    """The add-checkpoint URL from a witness's submission prefix (or the full URL)."""
    url = url.rstrip("/")
    return url if url.endswith("/add-checkpoint") else f"{url}/add-checkpoint"


def request_body(old_size: int, proof: Sequence[bytes], note: str) -> bytes:
    """`old <size>`, the proof hashes in base64, a blank line, then the signed note."""
    if not isinstance(old_size, int) or isinstance(old_size, bool) or old_size < 0:
        raise ValueError(f"old_size must be a non-negative integer, got {old_size!r}")
    if len(proof) > MAX_PROOF_LINES:
        raise ValueError(f"a consistency proof has at most {MAX_PROOF_LINES} hashes, got {len(proof)}")
    if any(len(h) != 32 for h in proof):
        raise ValueError("every proof hash is 32 bytes")
    if not note.endswith("\n"):
        raise ValueError("the signed note must end in a newline")
    lines = [f"old {old_size}\n", *(base64.b64encode(h).decode() + "\n" for h in proof), "\n", note]
    return "".join(lines).encode()


def parse_response(status: int, content_type: str, text: str) -> AddResult:
    """Interpret a witness's answer to add-checkpoint."""
    if status == 200:
        lines = text.splitlines(keepends=True)
        if lines and all(line.startswith("\u2014 ") and line.endswith("\n") for line in lines):
            return AddResult("cosigned", status, lines=tuple(lines))
        return AddResult("refused", status, reason="malformed cosignature response")
    if status == 409 and content_type.split(";")[0].strip() == SIZE_CONTENT_TYPE:
        size = text[:-1] if text.endswith("\n") else None
        if size is not None and _SIZE.fullmatch(size):
            return AddResult("conflict", status, latest_size=int(size))
        return AddResult("refused", status, reason=f"malformed size response {text[:40]!r}")
    # A 409 without a size is a same-size checkpoint with another root: a fork, not a retry.
    return AddResult("refused", status, reason=text.strip()[:_MAX_REASON])


def _result(response: httpx.Response) -> AddResult:
    # Signature lines hold an em dash: decode as UTF-8 whatever charset the header claims.
    text = response.content.decode("utf-8", errors="replace")
    return parse_response(response.status_code, response.headers.get("content-type", ""), text)


def add_checkpoint(
    url: str,
    *,
    old_size: int,
    proof: list[bytes],
    note: str,
    timeout: float = 10.0,
    client: httpx.Client | None = None,
) -> AddResult:
    """POST a signed checkpoint to a witness. Pass `client` to keep the connection alive."""
    body = request_body(old_size, proof, note)
    try:
        if client is None:
            with httpx.Client() as own:
                response = own.post(endpoint(url), content=body, timeout=timeout)
        else:
            response = client.post(endpoint(url), content=body, timeout=timeout)
    except httpx.HTTPError as exc:
        return AddResult("refused", 0, reason=f"unreachable: {type(exc).__name__}: {exc}"[:_MAX_REASON])
    return _result(response)


async def add_checkpoint_async(
    url: str,
    *,
    old_size: int,
    proof: list[bytes],
    note: str,
    timeout: float = 10.0,
    client: httpx.AsyncClient | None = None,
) -> AddResult:
    """`add_checkpoint` for an event loop, so several witnesses can be asked at once."""
    body = request_body(old_size, proof, note)
    try:
        if client is None:
            async with httpx.AsyncClient() as own:
                response = await own.post(endpoint(url), content=body, timeout=timeout)
        else:
            response = await client.post(endpoint(url), content=body, timeout=timeout)
    except httpx.HTTPError as exc:
        return AddResult("refused", 0, reason=f"unreachable: {type(exc).__name__}: {exc}"[:_MAX_REASON])
    return _result(response)
