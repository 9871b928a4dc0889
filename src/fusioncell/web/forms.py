"""A page form's fields checked by the API's own body schema, so a form and the API refuse the same input
with the same words: the one error shape, each problem named `form.<field>`."""

from typing import TypeVar

from pydantic import BaseModel, ValidationError

from fusioncell import validation_messages

Body = TypeVar("Body", bound=BaseModel)


def form_body(schema: type[Body], **fields) -> Body:
    """The body the API would have received; fields given as None are left out (the schema's default)."""
    try:
        return schema.model_validate({name: value for name, value in fields.items() if value is not None})
    except ValidationError as exc:
        raise validation_messages.invalid_errors(exc.errors(), prefix="form.", empty="body") from None
