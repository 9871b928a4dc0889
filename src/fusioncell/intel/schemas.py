"""Request and response bodies of /api/v1/intel."""

import ipaddress
import re
import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import AwareDatetime, BaseModel, Field, model_validator

from fusioncell.access.schemas import EnvelopeRead, Strict
from fusioncell.cell.common import PartyCode
from fusioncell.db.base import Marking
from fusioncell.errors import Phrase
from fusioncell.i18n import N_
from fusioncell.intel.grading import Credibility, SourceReliability
from fusioncell.intel.models import ReportKind

_DOMAIN = re.compile(r"(?=.{1,253}$)(?!-)[A-Za-z0-9-]{1,63}(?<!-)(\.(?!-)[A-Za-z0-9-]{1,63}(?<!-))+")
_EMAIL = re.compile(r"[^@\s]{1,64}@[A-Za-z0-9.-]{1,253}")
_HEX = {"file:sha256": 64, "file:md5": 32}


class ObservableType(StrEnum):
    IPV4 = "ipv4-addr"
    IPV6 = "ipv6-addr"
    DOMAIN = "domain-name"
    URL = "url"
    EMAIL = "email-addr"
    SHA256 = "file:sha256"
    MD5 = "file:md5"


class ObservableIn(Strict):
    type: ObservableType
    value: str = Field(min_length=1, max_length=2048)

    @model_validator(mode="after")
    def _well_formed(self) -> "ObservableIn":
        kind, value = self.type, self.value
        try:
            if kind is ObservableType.IPV4:
                ipaddress.IPv4Network(value, strict=False)
            elif kind is ObservableType.IPV6:
                ipaddress.IPv6Network(value, strict=False)
        except ValueError:
            raise ValueError(Phrase(N_("{value!r} is not an {kind} address"), value=value, kind=kind)) from None
        if kind is ObservableType.DOMAIN and not _DOMAIN.fullmatch(value):
            raise ValueError(Phrase(N_("{value!r} is not a domain name"), value=value))
        if kind is ObservableType.URL and not re.match(r"(?i)(https?|ftp)://[^\s/$.?#].[^\s]*$", value):
            raise ValueError(Phrase(N_("{value!r} is not an http(s) or ftp URL"), value=value))
        if kind is ObservableType.EMAIL and not _EMAIL.fullmatch(value):
            raise ValueError(Phrase(N_("{value!r} is not an e-mail address"), value=value))
        if kind in _HEX and not re.fullmatch(rf"[0-9A-Fa-f]{{{_HEX[kind]}}}", value):
            raise ValueError(
                Phrase(
                    N_("a {algorithm} hash is {digits} hexadecimal digits"),
                    algorithm=kind.split(":")[1].upper(),
                    digits=_HEX[kind],
                )
            )
        return self


class PlaceIn(Strict):
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    name: str = Field(default="", max_length=200)


class ReportContentIn(Strict):
    """What a report says; a tearline says it again, sanitised."""

    title: str = Field(min_length=1, max_length=300)
    summary: str = Field(default="", max_length=20_000)
    source_reliability: SourceReliability = SourceReliability.F
    credibility: Credibility = Credibility.CANNOT_BE_JUDGED
    observables: list[ObservableIn] = Field(default_factory=list, max_length=500)
    threat_actors: list[str] = Field(default_factory=list, max_length=50)
    place: PlaceIn | None = None
    observed_at: AwareDatetime | None = None
    marking: Marking = Marking.AMBER
    releasable_to: list[PartyCode] = Field(default_factory=list, max_length=16)

    @model_validator(mode="after")
    def _names(self) -> "ReportContentIn":
        for name in self.threat_actors:
            if not name.strip() or len(name) > 200:
                raise ValueError(N_("a threat actor's name is 1 to 200 characters"))
        return self


class ReportCreate(ReportContentIn):
    source_description: str = Field(default="", max_length=2000)
    draft: bool = Field(default=False, description="Keep it as the party's draft instead of releasing it.")


class TearlineCreate(ReportContentIn):
    pass


class BundleImport(Strict):
    bundle: dict[str, Any]
    title: str | None = Field(default=None, max_length=300)
    source_reliability: SourceReliability | None = Field(
        default=None, description="Unset: the report's x_admiralty_source_reliability, else F."
    )
    credibility: Credibility | None = Field(
        default=None, description="Unset: the report's x_admiralty_credibility, else what its confidence stands for."
    )
    marking: Marking = Marking.AMBER
    releasable_to: list[PartyCode] = Field(default_factory=list, max_length=16)
    draft: bool = False
    allow_custom: bool = Field(default=False, description="Accept custom STIX types and properties.")


class SightingCreate(Strict):
    first_seen: AwareDatetime
    last_seen: AwareDatetime | None = None
    count: int = Field(default=1, ge=1, le=999_999_999)
    note: str = Field(default="", max_length=5000)

    @model_validator(mode="after")
    def _in_order(self) -> "SightingCreate":
        if self.last_seen is not None and self.last_seen < self.first_seen:
            raise ValueError(N_("last_seen is before first_seen"))
        return self


class OpinionValue(StrEnum):
    STRONGLY_DISAGREE = "strongly-disagree"
    DISAGREE = "disagree"
    NEUTRAL = "neutral"
    AGREE = "agree"
    STRONGLY_AGREE = "strongly-agree"


class OpinionCreate(Strict):
    opinion: OpinionValue
    explanation: str = Field(default="", max_length=5000)


class Reason(Strict):
    reason: str = Field(min_length=1, max_length=2000)


class ReportRead(EnvelopeRead):
    kind: ReportKind
    title: str
    summary: str
    admiralty_code: str
    source_reliability: SourceReliability
    source_reliability_name: str
    credibility: Credibility
    credibility_name: str
    confidence: int | None
    source_description: str
    stix_id: str | None
    collection: str | None
    readers: list[str]
    release_requested_by: str | None
    second_approved_by: str | None
    submitted_at: datetime | None
    approved_by: str | None
    released_at: datetime | None
    returned_reason: str | None
    retracted_at: datetime | None
    retraction_reason: str | None
    answers_id: uuid.UUID | None


class TearlineLinkRead(BaseModel):
    """A derived-from link, shown only to the original's readers."""

    original_id: uuid.UUID
    tearline_id: uuid.UUID
    relationship_id: str | None


class ReportDetail(ReportRead):
    objects: list[dict[str, Any]] = Field(description="The STIX objects, as served; empty once retracted.")
    answers: list[ReportRead]
    tearline_links: list[TearlineLinkRead]


class ReportPage(BaseModel):
    items: list[ReportRead]
    next_cursor: uuid.UUID | None


class AudiencePreview(BaseModel):
    readers: list[str] = Field(description="Every party that will read it: author, mediator, recipients.")
    collection: str | None = Field(description="The TAXII collection it will be in, if its audience has one.")
    waits_for: list[str] = Field(description="Who must approve before recipients see it.")
    problem: str | None = Field(description="Why this marking may not go to this audience, if it may not.")
