"""Building blocks every part of a cell definition shares: codes, coordinates, names, the base model."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
SLUG_PATTERN = r"^[a-z][a-z0-9-]*$"
PARTY_CODE_PATTERN = r"^[A-Z][A-Z0-9]{1,9}$"
Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN)]
PartyCode = Annotated[str, StringConstraints(pattern=PARTY_CODE_PATTERN)]
Latitude = Annotated[float, Field(ge=-90, le=90)]
Longitude = Annotated[float, Field(ge=-180, le=180)]

Problem = tuple[tuple[str | int, ...], str]  # (path into the definition, message)


class Model(BaseModel):
    """Unknown keys are mistakes (a typo must not be silently ignored); definitions never change in use."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Side(StrEnum):
    WEST = "west"
    EAST = "east"
    NORTH = "north"
    SOUTH = "south"


class Names(Model):
    """A display name in each of the cell's working languages."""

    en: Text
    ar: Text
    he: Text

    def get(self, language: str) -> str:
        """The name in `language` ("en", "ar", "he"), English when there is none."""
        return getattr(self, language) if language in ("en", "ar", "he") else self.en


def duplicate_code_problems(field: str, items: tuple) -> list[Problem]:
    """One problem per item whose code an earlier item of the same list already has."""
    out: list[Problem] = []
    first: dict[str, int] = {}
    for i, item in enumerate(items):
        if item.code in first:
            out.append(((field, i, "code"), f"duplicate code {item.code!r} (also {field}[{first[item.code]}])"))
        first.setdefault(item.code, i)
    return out
