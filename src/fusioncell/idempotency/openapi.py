"""The Idempotency-Key in the OpenAPI document: one reusable header parameter on every API write that takes it,
and the answer header of a replay."""

from fastapi import FastAPI

from fusioncell.idempotency import service
from fusioncell.idempotency.middleware import takes_key

PARAMETER = {
    "name": service.HEADER,
    "in": "header",
    "required": False,
    "description": (
        "A key of your choosing (8 to 128 visible ASCII characters), unique per request, to retry this write "
        "safely: a retry with the same key and the same request is answered the first answer again, with "
        "`Idempotency-Replayed: true`, and stores nothing. The same key with another request answers 422. "
        "Keys are per account and kept 7 days."
    ),
    "schema": {"type": "string", "pattern": service.KEY_PATTERN, "minLength": 8, "maxLength": 128},
}
REPLAYED = {
    "description": "`true` on an answer replayed for a retry with the same Idempotency-Key.",
    "schema": {"type": "string", "enum": ["true"]},
}


def document_idempotency(app: FastAPI) -> None:
    generate = app.openapi

    def openapi() -> dict:
        document = generate()
        if "IdempotencyKey" not in document.get("components", {}).get("parameters", {}):
            document.setdefault("components", {}).setdefault("parameters", {})["IdempotencyKey"] = PARAMETER
            for path, operations in document.get("paths", {}).items():
                for method, operation in operations.items():
                    if not takes_key(method.upper(), path):
                        continue
                    operation.setdefault("parameters", []).append({"$ref": "#/components/parameters/IdempotencyKey"})
                    for status, response in operation.get("responses", {}).items():
                        if status.startswith("2"):
                            response.setdefault("headers", {})[service.REPLAYED_HEADER] = REPLAYED
        return document

    app.openapi = openapi
