"""The TAXII 2.1 routes: discovery at /taxii2/, one API root at /taxii2/api/, its collections and statuses.

Every answer under /taxii2/, errors included, is a TAXII resource of TAXII's media type: the routes use
`TaxiiRoute`, which renders whatever a request raises as a TAXII error message, and a last route answers
any other path under /taxii2/ (404, or 405 where another method would do). A collection the caller may
not see and its objects answer exactly as ones that do not exist: both come from `collection_for`.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass

import anyio
import structlog
from fastapi import APIRouter, Depends, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from fastapi.routing import APIRoute
from pydantic import BaseModel
from sqlalchemy.orm import Session
from starlette.exceptions import HTTPException as StarletteHTTPException

from fusioncell.access.subjects import Subject
from fusioncell.errors import FusionError, NotFound, Unauthenticated
from fusioncell.i18n import N_
from fusioncell.intel.collections import Collection, collection_for
from fusioncell.runtime import Runtime, SessionDep, get_runtime
from fusioncell.taxii import API_ROOT_PATH, DISCOVERY_PATH, MEDIA_TYPE_TAXII, OBJECTS_PATH, service
from fusioncell.taxii.auth import REALM, Credentials, CredentialsDep, taxii_subject
from fusioncell.taxii.schemas import ErrorMessage

log = structlog.get_logger("fusioncell.taxii")

COLLECTION = API_ROOT_PATH + "collections/{collection_id}/"
OBJECT = COLLECTION + "objects/{object_id}/"
TAXII_TYPE = "application/taxii+json"
_TITLES = {
    400: "Bad request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    406: "Not acceptable",
    413: "Request too large",
    415: "Unsupported media type",
    422: "Unprocessable request",
    429: "Too many requests",
    500: "Server error",
}


class NotAcceptable(FusionError):
    status_code = 406
    code = "not_acceptable"


class UnsupportedMediaType(FusionError):
    status_code = 415
    code = "unsupported_media_type"


class MethodNotAllowed(FusionError):
    status_code = 405
    code = "method_not_allowed"


# --- answers ---


def taxii_response(content: BaseModel | str, *, status_code: int = 200, headers: dict | None = None) -> Response:
    body = content if isinstance(content, str) else content.model_dump_json(exclude_none=True)
    return Response(body, status_code=status_code, media_type=MEDIA_TYPE_TAXII, headers=headers)


def taxii_error(status_code: int, description: str, *, headers: dict | None = None) -> Response:
    # No per-request id in the body (X-Request-ID carries it): a refused read of a collection or object
    # the caller may not see must be byte for byte the answer about one that does not exist.
    message = ErrorMessage(
        title=_TITLES.get(status_code, "Error"), description=description, http_status=str(status_code)
    )
    return taxii_response(message, status_code=status_code, headers=headers)


def error_for(exc: Exception) -> Response:
    if isinstance(exc, FusionError):
        headers = {"WWW-Authenticate": REALM} if isinstance(exc, Unauthenticated) else None
        if isinstance(exc, MethodNotAllowed):
            headers = {"Allow": exc.details}
        return taxii_error(exc.status_code, exc.message, headers=headers)
    if isinstance(exc, RequestValidationError):
        problems = "; ".join(f"{'.'.join(map(str, e.get('loc', ())))}: {e.get('msg')}" for e in exc.errors()[:5])
        return taxii_error(400, f"The request is not valid: {problems}")
    if isinstance(exc, StarletteHTTPException):
        return taxii_error(exc.status_code, str(exc.detail), headers=exc.headers)
    log.exception("unhandled error", exc_info=exc)
    return taxii_error(500, "Something went wrong on the server; the request changed nothing.")


class TaxiiRoute(APIRoute):
    """A route whose errors go out as TAXII error messages rather than the API's error shape."""

    def get_route_handler(self) -> Callable:
        handler = super().get_route_handler()

        async def answer(request: Request) -> Response:
            try:
                return await handler(request)
            except Exception as exc:  # rendered here: the app's handlers would answer in the API's shape
                return error_for(exc)

        return answer


# --- media types ---


def _media_ranges(header: str) -> list[tuple[str, dict[str, str]]]:
    ranges = []
    for item in header.split(","):
        kind, *params = (part.strip() for part in item.split(";"))
        if kind:
            pairs = (p.partition("=") for p in params)
            ranges.append((kind.lower(), {k.strip().lower(): v.strip().strip('"') for k, _, v in pairs}))
    return ranges


def _is_taxii_21(kind: str, params: dict[str, str]) -> bool:
    return kind == TAXII_TYPE and params.get("version", "2.1") == "2.1"


async def accepts_taxii(request: Request) -> None:
    """406 unless the Accept header allows TAXII 2.1 (no header, or a wildcard, allows anything)."""
    header = request.headers.get("accept")
    if header is None:
        return
    for kind, params in _media_ranges(header):
        if params.get("q", "1").strip() in ("0", "0.0", "0.00", "0.000"):
            continue
        if kind in ("*/*", "application/*") or _is_taxii_21(kind, params):
            return
    raise NotAcceptable(
        N_("This server answers in {media_type} only; the Accept header does not allow it."),
        media_type=MEDIA_TYPE_TAXII,
    )


async def posted_objects(request: Request) -> list:
    """415 unless the body is TAXII 2.1; 400 unless it is an envelope (or a bundle) with objects.

    Parsed in a worker thread: neither on the event loop (a large envelope takes milliseconds) nor after
    the request's session opens (a POST's holds the write gate)."""
    ranges = _media_ranges(request.headers.get("content-type", ""))
    if len(ranges) != 1 or not _is_taxii_21(*ranges[0]):
        raise UnsupportedMediaType(N_("Send the objects as {media_type}."), media_type=MEDIA_TYPE_TAXII)
    body = await request.body()
    try:
        envelope = await anyio.to_thread.run_sync(json.loads, body)
    except (ValueError, UnicodeDecodeError):
        raise service.BadRequest(N_("The body is not JSON.")) from None
    objects = envelope.get("objects") if isinstance(envelope, dict) else None
    if not isinstance(objects, list) or not objects:
        raise service.BadRequest(N_('The body is not a TAXII envelope: {"objects": [...]} with at least one object.'))
    return objects


def query_params(request: Request) -> dict[str, list[str]]:
    return {name: request.query_params.getlist(name) for name in request.query_params.keys()}


def max_content_length(request: Request, runtime: Runtime) -> int:
    """The body the edge lets through to Add Objects: its upload limit there if app.py sets one, else the default."""
    for middleware in request.app.user_middleware:
        limits = middleware.kwargs.get("upload_limits")
        if limits is not None:
            return limits.get(OBJECTS_PATH, middleware.kwargs.get("max_body_bytes", runtime.settings.max_body_bytes))
    return runtime.settings.max_body_bytes


def page_response(page: service.PageText) -> Response:
    return taxii_response(page.text, headers=page.headers)


@dataclass(frozen=True)
class CollectionCall:
    """Who asks, and the collection they asked for: one their party is in, or the 404 of a missing one."""

    subject: Subject
    collection: Collection


def collection_call(
    collection_id: str,
    credentials: Credentials = CredentialsDep,
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
) -> CollectionCall:
    subject = taxii_subject(session, runtime, credentials)
    return CollectionCall(subject, collection_for(runtime.cell, subject, collection_id))


CollectionCallDep = Depends(collection_call)
router = APIRouter(route_class=TaxiiRoute, tags=["taxii"], dependencies=[Depends(accepts_taxii)])


# --- discovery, API root, collections ---


@router.get(DISCOVERY_PATH)
def discovery(
    credentials: Credentials = CredentialsDep, session: Session = SessionDep, runtime: Runtime = Depends(get_runtime)
):
    taxii_subject(session, runtime, credentials)
    return taxii_response(service.discovery(runtime.cell))


@router.get(API_ROOT_PATH)
def api_root(
    request: Request,
    credentials: Credentials = CredentialsDep,
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
):
    taxii_subject(session, runtime, credentials)
    return taxii_response(service.api_root(runtime.cell, max_content_length=max_content_length(request, runtime)))


@router.get(API_ROOT_PATH + "collections/")
def collections(
    credentials: Credentials = CredentialsDep, session: Session = SessionDep, runtime: Runtime = Depends(get_runtime)
):
    subject = taxii_subject(session, runtime, credentials)
    return taxii_response(service.collections(runtime.cell, subject))


@router.get(COLLECTION)
def collection(call: CollectionCall = CollectionCallDep):
    return taxii_response(service.collection_resource(call.subject, call.collection))


# --- objects ---


@router.get(COLLECTION + "objects/")
def get_objects(request: Request, call: CollectionCall = CollectionCallDep, session: Session = SessionDep):
    page_filter = service.object_filter(query_params(request), allowed=service.OBJECTS_FILTERS)
    return page_response(
        service.objects_page(session, subject=call.subject, collection=call.collection, filter=page_filter)
    )


@router.post(OBJECTS_PATH, status_code=202)
def add_objects(
    call: CollectionCall = CollectionCallDep,
    objects: list = Depends(posted_objects),
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
):
    """The objects are stored (or refused, all of them) before the answer: the status is already complete."""
    status = service.receive(
        session, cell=runtime.cell, subject=call.subject, collection=call.collection, objects=objects
    )
    return taxii_response(service.status_resource(status), status_code=202)


@router.get(OBJECT)
def get_object(
    request: Request, object_id: str, call: CollectionCall = CollectionCallDep, session: Session = SessionDep
):
    page_filter = service.object_filter(query_params(request), allowed=service.OBJECT_FILTERS, object_id=object_id)
    page = service.objects_page(session, subject=call.subject, collection=call.collection, filter=page_filter)
    if page.empty and page_filter.after is None:
        raise NotFound(N_("No such object."))
    return page_response(page)


@router.get(OBJECT + "versions/")
def get_object_versions(
    request: Request, object_id: str, call: CollectionCall = CollectionCallDep, session: Session = SessionDep
):
    page_filter = service.object_filter(query_params(request), allowed=service.VERSIONS_FILTERS, object_id=object_id)
    page = service.versions_page(session, subject=call.subject, collection=call.collection, filter=page_filter)
    if page.empty and page_filter.after is None:
        raise NotFound(N_("No such object."))
    return page_response(page)


@router.get(COLLECTION + "manifest/")
def get_manifest(request: Request, call: CollectionCall = CollectionCallDep, session: Session = SessionDep):
    page_filter = service.object_filter(query_params(request), allowed=service.OBJECTS_FILTERS)
    return page_response(
        service.manifest_page(session, subject=call.subject, collection=call.collection, filter=page_filter)
    )


# --- status ---


@router.get(API_ROOT_PATH + "status/{status_id}/")
def get_status(
    status_id: str,
    credentials: Credentials = CredentialsDep,
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
):
    subject = taxii_subject(session, runtime, credentials)
    return taxii_response(service.status_resource(service.status_for(session, subject=subject, status_id=status_id)))


# --- anything else under /taxii2/ (keep last) ---

_ALL_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


def _methods_at(path: str) -> list[str]:
    """The methods the TAXII routes take at this path (none: the path is no TAXII resource)."""
    methods: set[str] = set()
    for route in router.routes:
        if isinstance(route, APIRoute) and route.name != "elsewhere" and route.path_regex.match(path):
            methods |= route.methods or set()
    return sorted(methods)


@router.api_route(DISCOVERY_PATH + "{rest:path}", methods=_ALL_METHODS, include_in_schema=False)
def elsewhere(
    request: Request,
    rest: str,
    credentials: Credentials = CredentialsDep,
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
):
    """Strangers are refused here too (401), as on every route that is not public."""
    taxii_subject(session, runtime, credentials)
    allowed = _methods_at(request.url.path)
    if allowed:
        raise MethodNotAllowed(N_("{method} is not supported here."), method=request.method, details=", ".join(allowed))
    raise NotFound(N_("No TAXII resource here (TAXII URLs end with a slash)."))
