"""Bodies and answers of /api/v1/glossary. Shapes are checked here, each problem at its field; what needs the
term or the cell (the key taken, the latest version, who may act) is the service's."""

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field

from fusioncell.access.schemas import EnvelopeRead, Strict
from fusioncell.glossary.service import Wording

KEY_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
Form = Annotated[str, Field(min_length=1, max_length=200)]
Forms = Annotated[list[Form], Field(default_factory=list, max_length=20)]


class WordingBody(Strict):
    """The wording in each of the cell's three languages: all three are required."""

    en: Form
    ar: Form
    he: Form


class VariantsBody(Strict):
    """Other forms the highlighter matches (a plural, the Arabic with or without its article...). Arabic and
    Hebrew prefixes (و ف ب ل ال / ה ו ב ל מ ש כ) are matched without listing them."""

    en: Forms
    ar: Forms
    he: Forms


class TermCreate(Strict):
    key: str = Field(min_length=1, max_length=64, pattern=KEY_PATTERN, description="lower-case letters, digits, dashes")
    wording: WordingBody
    variants: VariantsBody = Field(default_factory=VariantsBody)
    note: str = Field(default="", max_length=2000)


class TermRevise(Strict):
    wording: WordingBody
    variants: VariantsBody = Field(default_factory=VariantsBody)
    note: str = Field(default="", max_length=2000)


def content_of(body: "TermCreate | TermRevise") -> Wording:
    """What the service takes from a checked body (the API's and the page forms' alike)."""
    return Wording(wording=body.wording.model_dump(), variants=body.variants.model_dump(), note=body.note)


class ApprovalCreate(Strict):
    version: int = Field(ge=1, description="the version approved: the latest, exactly")


class VersionRead(EnvelopeRead):
    term_id: uuid.UUID
    number: int
    state: str  # agreed / awaiting / superseded / replaced
    wording: dict[str, str]
    variants: dict[str, list[str]]
    note: str
    agreed_at: datetime | None


class ApprovalRead(EnvelopeRead):
    term_id: uuid.UUID
    version_number: int
    party: str
    approved_by: str


class TermRead(EnvelopeRead):
    key: str
    state: str  # proposed / agreed / revised (an agreed version stands, a newer one waits)
    required_parties: list[str]
    latest_version: int
    agreed_version: int | None
    agreed_at: datetime | None
    agreed: VersionRead | None  # the wording the cell agreed: the one highlighted
    latest: VersionRead
    missing_approvals: list[str]  # required parties yet to approve the latest version
    versions: list[VersionRead]
    approvals: list[ApprovalRead]


class TermPage(BaseModel):
    items: list[TermRead]
    next_cursor: str | None
