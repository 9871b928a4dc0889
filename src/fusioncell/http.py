"""The HTTP edge: one error shape, request IDs and structured logs, the body limit, security headers."""

import json
import re
import time
import uuid

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from fusioncell import i18n, validation_messages
from fusioncell.access.dependencies import LoginRequired
from fusioncell.errors import FusionError, PayloadTooLarge, in_language
from fusioncell.i18n import N_
from fusioncell.web.templating import templates

log = structlog.get_logger("fusioncell.http")

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
_STATUS_CODES = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    415: "unsupported_media_type",
}


def error_body(code: str, message: str, details=None) -> dict:
    return {"error": {"code": code, "message": message, "details": details}}


def error_response(exc: FusionError, request: Request | None = None) -> JSONResponse:
    """An error answered rather than raised; in the request's language when the request is given."""
    if request is None:
        return JSONResponse(error_body(exc.code, exc.message, exc.details), status_code=exc.status_code)
    with i18n.speaking(request_language(request)):
        body = error_body(exc.code, exc.in_language(), exc.details_in_language())
    return JSONResponse(body, status_code=exc.status_code)


_TITLES = {  # translated where shown (error.html)
    400: N_("Bad request"),
    401: N_("Please log in"),
    403: N_("Not allowed"),
    404: N_("Not found"),
    413: N_("Too large"),
    422: N_("Not valid"),
    429: N_("Slow down"),
    500: N_("Server error"),
}


def _wants_html(request: Request) -> bool:
    """A person's browser on a page gets a page; API clients always get the JSON error shape."""
    return not request.url.path.startswith(("/api/", "/taxii2")) and "text/html" in request.headers.get("accept", "")


def request_language(request: Request) -> str:
    """The language an answer to this request speaks: the account's choice once the caller is known, else the
    Accept-Language of the browser or API client, else English."""
    return i18n.choose(
        account_language=getattr(request.state, "account_language", None),
        accept_language=request.headers.get("accept-language"),
    )


def _rendered(request: Request, status: int, code: str, message, details=None, values: dict | None = None) -> Response:
    """`message` is a catalog template (N_) with its `values`, written in the request's language. (The values
    are a dict, not keywords: an error's value may well be called `code` or `status`.)"""
    with i18n.speaking(request_language(request)):
        text = i18n.gettext(message).format(**in_language(values)) if values else i18n.gettext(message)
        details = in_language(details)  # a validation problem reads in the request's language too
        if _wants_html(request):
            context = {
                "title": _TITLES.get(status, N_("Error")),
                "message": text,
                "caller": None,
                "cell": request.app.state.runtime.cell,
                "request_id": structlog.contextvars.get_contextvars().get("request_id"),
            }
            return templates.TemplateResponse(request, "error.html", context, status_code=status)
    return JSONResponse(error_body(code, text, details), status_code=status)


async def text_without_nul(request: Request) -> None:
    """Every route's first check (the app's global dependency): no NUL character in a path or query parameter,
    nor in a string of a JSON body, a form's field or a text body. PostgreSQL refuses NUL in any text it is sent
    and SQLite's full-text MATCH reads it as the end of the query: either way a 500 (the API fuzzing found it on
    PostgreSQL). Refused as invalid text, before any lookup. Files in a multipart form may hold any byte."""
    problems = [
        (where, name)
        for where, params in (("path", request.path_params.items()), ("query", request.query_params.multi_items()))
        for name, value in params
        if isinstance(value, str) and "\x00" in value
    ]
    if request.method in ("POST", "PUT", "PATCH"):
        problems += await _nul_in_body(request)
    if problems:
        raise RequestValidationError(
            [{"type": "string_unicode", "loc": loc, "msg": "Input should be a valid string"} for loc in problems[:5]]
        )


async def _nul_in_body(request: Request) -> list[tuple]:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/")):
        form = await request.form()  # parsed once: the route's own form reads this one
        return [("body", name) for name, value in form.multi_items() if isinstance(value, str) and "\x00" in value]
    body = await request.body()
    if content_type.endswith("json"):
        if b"\\u0000" not in body:  # the only way a JSON string holds a NUL
            return []
        try:
            document = json.loads(body)
        except ValueError:
            return []  # the route's own parsing answers for it
        return [("body", *path) for path in _nul_paths(document, ())]
    if content_type.startswith("text/") and b"\x00" in body:
        return [("body",)]
    return []


def _nul_paths(value, path: tuple) -> list[tuple]:
    if isinstance(value, str):
        return [path] if "\x00" in value else []
    if isinstance(value, dict):
        return [found for key, item in value.items() for found in _nul_paths(item, (*path, key))] + (
            [(*path, key) for key in value if "\x00" in key]
        )
    if isinstance(value, list):
        return [found for index, item in enumerate(value) for found in _nul_paths(item, (*path, index))]
    return []


def _validation_details(exc: RequestValidationError) -> list[dict]:
    return validation_messages.details_of(exc.errors())


# What an API operation may answer besides its own success, every one in the shape of error_body(). FastAPI
# would document only a 422 of its own {"detail": [...]} shape, which the handlers below never send.
_DOCUMENTED_ERRORS = {
    400: "The request body could not be read.",
    401: "No valid token.",
    403: "The caller may not do this.",
    404: "No such record, or none the caller may read: the two are indistinguishable.",
    409: "The record is not in a state that allows this.",
    413: "The request body is too large.",
    422: "The request is not valid.",
    429: "Too many attempts; wait and try again.",
}
_ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "details"],
            "properties": {"code": {"type": "string"}, "message": {"type": "string"}, "details": {}},
        }
    },
    "title": "Error",
}


_TAXII_ERRORS = {status: description for status, description in _DOCUMENTED_ERRORS.items() if status != 409} | {
    406: "The Accept header names no TAXII 2.1 media type.",
    415: "The body is not of the TAXII 2.1 media type.",
}
_TAXII_ERROR_SCHEMA = {  # taxii.schemas.ErrorMessage
    "type": "object",
    "required": ["title", "description", "http_status"],
    "properties": {"title": {"type": "string"}, "description": {"type": "string"}, "http_status": {"type": "string"}},
    "title": "TaxiiError",
}


def document_errors(app: FastAPI) -> None:
    """The OpenAPI document names the error answers of every API operation, as they are: under /api/ the
    shape of error_body(), under /taxii2/ a TAXII error message, and every TAXII answer in TAXII's media type."""
    from fusioncell.taxii import MEDIA_TYPE_TAXII

    generate = app.openapi

    def openapi() -> dict:
        if app.openapi_schema is None:
            document = generate()  # FastAPI's, cached on the app: amended in place, once
            schemas = document.setdefault("components", {}).setdefault("schemas", {})
            schemas["Error"], schemas["TaxiiError"] = _ERROR_SCHEMA, _TAXII_ERROR_SCHEMA
            for path, operations in document.get("paths", {}).items():
                if path.startswith("/api/"):
                    errors, media_type, schema = _DOCUMENTED_ERRORS, "application/json", "Error"
                elif path.startswith("/taxii2/"):
                    errors, media_type, schema = _TAXII_ERRORS, MEDIA_TYPE_TAXII, "TaxiiError"
                else:
                    continue
                error = {"content": {media_type: {"schema": {"$ref": f"#/components/schemas/{schema}"}}}}
                for operation in operations.values():
                    responses = operation.setdefault("responses", {})
                    if media_type != "application/json":
                        for response in responses.values():
                            if "application/json" in response.get("content", {}):
                                response["content"] = {media_type: response["content"]["application/json"]}
                    for status, description in errors.items():
                        documented = responses.get(str(status))
                        if documented is None or "HTTPValidationError" in json.dumps(documented):
                            responses[str(status)] = {"description": description} | error
        return app.openapi_schema

    app.openapi = openapi


def install_error_handlers(app: FastAPI) -> None:
    document_errors(app)

    @app.exception_handler(LoginRequired)
    async def _login_required(request: Request, exc: LoginRequired):
        return RedirectResponse(f"/login?next={request.url.path}", status_code=303)

    @app.exception_handler(FusionError)
    async def _fusion(request: Request, exc: FusionError):
        return _rendered(request, exc.status_code, exc.code, exc.template, exc.details, exc.values)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError):
        details = _validation_details(exc)
        summary = validation_messages.summary_of(details, limit=5)
        return _rendered(
            request, 422, "invalid", N_("The request is not valid: {summary}"), details, {"summary": summary}
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException):
        code = _STATUS_CODES.get(exc.status_code, "http_error")
        message = {
            404: N_("No such record."),
            400: N_("The request body could not be read: send UTF-8 JSON (or a form) as the API describes."),
        }.get(exc.status_code, str(exc.detail))
        response = _rendered(request, exc.status_code, code, message)
        response.headers.update(exc.headers or {})
        return response

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception):
        # The trace goes to the log under the request ID, never to the user.
        log.exception("unhandled error", exc_info=exc)
        request_id = structlog.contextvars.get_contextvars().get("request_id")
        message = N_("Something went wrong on the server; the request changed nothing. Quote request {request_id}.")
        return _rendered(request, 500, "internal", message, values={"request_id": request_id})


def replaying(messages: list[Message], receive: Receive) -> Receive:
    """A receive that hands out the body messages already read, then goes on reading the client's."""
    replay = iter(messages)

    async def replay_receive() -> Message:
        try:
            return next(replay)
        except StopIteration:
            return await receive()

    return replay_receive


class EdgeMiddleware:
    """Pure ASGI (so streaming responses pass through): request ID, access log, body limit, headers."""

    def __init__(self, app: ASGIApp, *, max_body_bytes: int, hsts: bool, upload_limits: dict[str, int]) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.hsts = hsts
        # Paths that take files get their own, larger limit (the file's limit plus the form's framing).
        # A path may be a route's template: "/hotline/{channel_code}/messages" (a field is one segment).
        self.upload_limits = [
            (re.compile(re.sub(r"\\{[^/]+?\\}", "[^/]+", re.escape(path))), limit)
            for path, limit in upload_limits.items()
        ]

    def _limit(self, path: str) -> int:
        return next((limit for pattern, limit in self.upload_limits if pattern.fullmatch(path)), self.max_body_bytes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        sent_id = headers.get("x-request-id", "")
        request_id = sent_id if _REQUEST_ID.match(sent_id) else uuid.uuid4().hex
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=request_id)
        started = time.perf_counter()
        status = {"code": 500}

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
                extra = [
                    (b"x-request-id", request_id.encode()),
                    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
                    (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"no-referrer"),
                    (b"x-frame-options", b"DENY"),
                    (b"cross-origin-opener-policy", b"same-origin"),
                ]
                if not scope["path"].startswith("/static/"):
                    # Records and secrets must not linger in shared or browser caches.
                    extra.append((b"cache-control", b"no-store"))
                if self.hsts:
                    extra.append((b"strict-transport-security", b"max-age=31536000; includeSubDomains"))
                message["headers"] = list(message.get("headers", [])) + extra
            await send(message)

        try:
            declared = int(headers.get("content-length", "0") or 0)
        except ValueError:
            declared = 0
        limit = self._limit(scope["path"])
        if declared > limit:
            await self._too_large(scope, receive, send_with_headers, limit)
        else:
            writes = scope["method"] in ("POST", "PUT", "PATCH")
            body_receive = await self._bounded(receive, limit) if writes else receive
            if body_receive is None:
                await self._too_large(scope, receive, send_with_headers, limit)
            else:
                await self.app(scope, body_receive, send_with_headers)
        log.info(
            "request",
            method=scope["method"],
            path=scope["path"],
            status=status["code"],
            ms=round((time.perf_counter() - started) * 1000, 1),
        )

    async def _bounded(self, receive: Receive, limit: int) -> Receive | None:
        """Read the body up to the limit; None if it is larger (a chunked body may lie about nothing)."""
        chunks, total = [], 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                chunks.append(message)
                break
            total += len(message.get("body", b""))
            if total > limit:
                return None
            chunks.append(message)
            if not message.get("more_body", False):
                break
        return replaying(chunks, receive)

    async def _too_large(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        exc = PayloadTooLarge(N_("The request body is larger than the limit of {limit} bytes."), limit=limit)
        if scope["path"].startswith("/taxii2/"):  # TAXII clients read TAXII error messages
            from fusioncell.taxii.endpoints import taxii_error  # lazy: no import cycle

            await taxii_error(413, exc.message)(scope, receive, send)
            return
        request = Request(scope, receive)
        if _wants_html(request):  # a person's form (the composer's files): the error page, not JSON
            message = N_("What you sent is larger than the limit of {limit} bytes; nothing was stored. Send less.")
            await _rendered(request, 413, exc.code, message, values={"limit": f"{limit:,}"})(scope, receive, send)
            return
        with i18n.speaking(request_language(request)):  # an API client's Accept-Language (no account is known yet)
            body = json.dumps(error_body(exc.code, exc.in_language())).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
