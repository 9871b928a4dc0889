"""The HTTP side of the Idempotency-Key: a pure ASGI middleware around the routes.

For an API write that sends the header it checks the key (422 before anything is written), digests the
request and leaves an `Attempt` on the request's state. The caller's dependency (access/dependencies.py)
claims the key inside the request's transaction once it knows whose key it is; the endpoint runs; the
request's transaction commits (runtime.get_session) before the answer is serialised. Only then, here, is the
answer known: it is held back, stored in a short second transaction, and sent. A retry is answered from the
stored answer with `Idempotency-Replayed: true`, without running its endpoint.
"""

import asyncio
import re
import time

import anyio
import structlog
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from fusioncell.errors import Invalid
from fusioncell.http import error_response, replaying
from fusioncell.i18n import N_
from fusioncell.idempotency import service
from fusioncell.idempotency.service import Answer, Attempt

log = structlog.get_logger("fusioncell.idempotency")

STATE = "idempotency"  # request.state.idempotency: the Attempt, if the request carries a key
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# How long a concurrent duplicate waits for the answer of the request that claimed the key in this same process
# (less than a client's usual timeout). A key claimed by another process answers 409 at once: that process may
# have been killed between its commit and storing its answer (or it is another worker, still running).
PENDING_WAIT_SECONDS = 2.0

# API writes that take no generic key: the hotline's send has its own (the `idempotency_key` column of its
# messages), logging in has no account to own a key, and the answers or requests of the others carry a secret
# (a token, a webhook's secret, an account's password) that must not be kept, nor a fast digest of it.
EXCLUDED = (
    ("POST", re.compile(r"/api/v1/messages")),
    ("POST", re.compile(r"/api/v1/auth/.*")),
    ("POST", re.compile(r"/api/v1/tokens")),
    ("POST", re.compile(r"/api/v1/webhooks")),
    ("POST", re.compile(r"/api/v1/statements/[^/]+/signatures/stored")),
)


def takes_key(method: str, path: str) -> bool:
    """Whether an API write takes the generic Idempotency-Key (TAXII has its own status model)."""
    if method not in WRITE_METHODS or not path.startswith("/api/v1/"):
        return False
    return not any(method == excluded and pattern.fullmatch(path) for excluded, pattern in EXCLUDED)


class IdempotencyMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not takes_key(scope["method"], scope["path"]):
            await self.app(scope, receive, send)
            return
        key = next((v.decode("latin-1") for k, v in scope["headers"] if k.lower() == b"idempotency-key"), None)
        if key is None:
            await self.app(scope, receive, send)
            return
        if not service.valid_key(key):
            exc = Invalid(
                N_("The Idempotency-Key must be 8 to 128 visible ASCII characters; nothing was stored."),
                details={"header": service.HEADER},
            )
            await _error_response(exc, scope, receive)(scope, receive, send)
            return
        body, receive = await _read_body(receive)
        query = scope.get("query_string", b"").decode("latin-1")
        attempt = Attempt(
            key=key,
            digest=service.request_digest(scope["method"], scope["path"], query, body),
            method=scope["method"],
            path=scope["path"],
        )
        scope.setdefault("state", {})[STATE] = attempt

        held: list[Message] = []

        async def hold(message: Message) -> None:
            held.append(message)

        await self.app(scope, receive, hold)  # an exception leaves the key as the transaction left it
        runtime = scope["app"].state.runtime
        status = next((m["status"] for m in held if m["type"] == "http.response.start"), 500)
        if attempt.outcome == service.CLAIMED:
            if status < 400:  # the write and its key committed: keep the answer for the retries
                answer = Answer(status, b"".join(m.get("body", b"") for m in held), _media_type(held))
                await _write(runtime, service.store_answer, username=attempt.username, key=key, answer=answer)
            else:
                await _write(runtime, service.release, username=attempt.username, key=key)
        elif attempt.outcome == service.PENDING and attempt.in_this_process:
            answer = await _wait_for_answer(runtime, attempt)
            if answer is not None:
                attempt.answer = answer
                attempt.outcome = service.REPLAY
        if attempt.outcome == service.REPLAY and attempt.answer is not None:
            await _replay(attempt.answer, send)
            return
        for message in held:
            await send(message)


async def _read_body(receive: Receive) -> tuple[bytes, Receive]:
    chunks: list[Message] = []
    while True:
        message = await receive()
        chunks.append(message)
        if message["type"] != "http.request" or not message.get("more_body", False):
            break
    body = b"".join(m.get("body", b"") for m in chunks if m["type"] == "http.request")
    return body, replaying(chunks, receive)


def _media_type(held: list[Message]) -> str | None:
    start = next((m for m in held if m["type"] == "http.response.start"), None)
    headers = dict(start.get("headers", [])) if start else {}
    value = headers.get(b"content-type")
    return value.decode("latin-1") if value is not None else None


async def _write(runtime, function, **values) -> None:
    """A short write transaction of its own, queued at the write gate like a request's. If it fails, the answer
    still goes out: the write is committed, and its key without an answer makes a retry answer 409 naming it."""

    def run() -> None:
        with runtime.database.writing() as session:
            function(session, **values)

    try:
        async with runtime.write_gate():
            await anyio.to_thread.run_sync(run)
    except Exception:
        log.exception("idempotency key not updated", step=function.__name__)


async def _wait_for_answer(runtime, attempt: Attempt) -> Answer | None:
    """A concurrent duplicate: the first request's answer, once it has stored it; None if it does not come
    (the server that committed the write died before storing it, or the request is still running)."""

    def look():
        with runtime.database.reading() as session:
            row = service.stored(session, username=attempt.username, key=attempt.key)
            if row is None or row.status_code is None or row.request_digest != attempt.digest:
                return None
            return Answer(row.status_code, row.response_body or b"", row.media_type)

    deadline, pause = time.monotonic() + PENDING_WAIT_SECONDS, 0.05
    while time.monotonic() < deadline:
        await asyncio.sleep(pause)
        if (answer := await anyio.to_thread.run_sync(look)) is not None:
            return answer
        pause = min(pause * 2, 1.0)
    return None


async def _replay(answer: Answer, send: Send) -> None:
    headers = [
        (b"content-length", str(len(answer.body)).encode()),
        (service.REPLAYED_HEADER.lower().encode(), b"true"),
    ]
    if answer.media_type:
        headers.append((b"content-type", answer.media_type.encode("latin-1")))
    await send({"type": "http.response.start", "status": answer.status_code, "headers": headers})
    await send({"type": "http.response.body", "body": answer.body})


def _error_response(exc: Invalid, scope: Scope, receive: Receive):
    return error_response(exc, Request(scope, receive))
