"""GET /api/v1/stream: Server-Sent Events of what the caller may read, as it happens."""

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import StreamingResponse

from fusioncell.access.dependencies import Caller, CallerDep
from fusioncell.errors import FusionError, Invalid
from fusioncell.events.stream import stream_events
from fusioncell.events.tail import LedgerTail
from fusioncell.i18n import N_

router = APIRouter(prefix="/api/v1", tags=["live updates"])

EVENT_STREAM = "text/event-stream"


class StreamUnavailable(FusionError):
    status_code = 503
    code = "unavailable"


def _resume_point(header: str | None, query: int | None) -> int | None:
    if header is None or not header.strip():
        return query
    try:
        value = int(header.strip())
    except ValueError as exc:
        raise Invalid(N_("Last-Event-ID must be an event id this stream sent (a ledger index).")) from exc
    if value < -1:
        raise Invalid(N_("Last-Event-ID must be -1 or more."), details={"last_event_id": value})
    return value


@router.get(
    "/stream",
    response_class=StreamingResponse,
    responses={
        200: {
            "description": (
                "Server-Sent Events, one per ledger entry the caller may read: `id:` the ledger index, "
                "`event:` the record kind, `data:` JSON `{index, kind, action, id, version, record}` with "
                "the record as the caller may see it now. A comment `: keepalive` every 15 s."
            ),
            "content": {EVENT_STREAM: {}},
        }
    },
)
async def stream(
    request: Request,
    last_event_id_header: str | None = Header(
        default=None, alias="Last-Event-ID", max_length=32, description="Resume after this event (EventSource)."
    ),
    last_event_id: int | None = Query(
        default=None, ge=-1, le=2**62, description="Resume after this event, for clients that cannot set headers."
    ),
    caller: Caller = CallerDep,
):
    """What the caller may read, as it happens; reconnect with `Last-Event-ID` to resume without loss.

    The caller is resolved (and its database session released) before the stream starts; the stream
    itself holds no session or transaction."""
    tail: LedgerTail | None = getattr(request.app.state, "ledger_tail", None)
    if tail is None or not tail.running:
        raise StreamUnavailable(N_("Live updates are not running on this server."))
    after = _resume_point(last_event_id_header, last_event_id)
    return StreamingResponse(
        stream_events(tail, caller.subject, after),
        media_type=EVENT_STREAM,
        # Cache-Control: no-store comes with every non-static response (http.EdgeMiddleware).
        headers={"X-Accel-Buffering": "no"},
    )
