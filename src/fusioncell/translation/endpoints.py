"""GET /api/v1/messages/{id}/translation?to=ar — a message's machine translation, for who may read the message;
GET /api/v1/machine-translation — which pairs this server can translate (none without a model)."""

import uuid
from typing import Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from fusioncell import translation
from fusioncell.access.dependencies import Caller, CallerDep
from fusioncell.runtime import SessionDep
from fusioncell.translation import service

router = APIRouter(prefix="/api/v1", tags=["machine translation"])

Language = Literal["en", "ar", "he"]


class MachineTranslationRead(BaseModel):
    """Machine output beside the original: not anyone's word, not stored, not the record."""

    model_config = ConfigDict(populate_by_name=True)

    machine_translation: Literal[True] = True
    message_id: uuid.UUID
    version: int = Field(description="The version of the message that was translated.")
    source: Language = Field(alias="from")
    target: Language = Field(alias="to")
    text: str
    model: str = Field(description="The installed package(s) that produced it; two joined by + went through English.")


class Pair(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    source: Language = Field(alias="from")
    target: Language = Field(alias="to")
    model: str


class MachineTranslationPairs(BaseModel):
    available: bool
    pairs: list[Pair]


@router.get("/machine-translation", response_model=MachineTranslationPairs)
def available_pairs(caller: Caller = CallerDep):
    """The language pairs this server's installed models translate; empty (and `available` false) without one."""
    pairs = []
    for source, target in translation.offered():
        packages = translation.catalogue().route(source, target)
        pairs.append(Pair(source=source, target=target, model=" + ".join(p.name for p in packages)))
    return MachineTranslationPairs(available=bool(pairs), pairs=pairs)


@router.get(
    "/messages/{message_id}/translation",
    response_model=MachineTranslationRead,
    responses={409: {"description": "No model for that pair, no model at all, or the message was retracted."}},
)
def message_translation(
    message_id: uuid.UUID,
    to: Language = Query(description="The language to translate into."),
    source: Language | None = Query(
        default=None, alias="from", description="The message's language; by default the one recorded with it."
    ),
    caller: Caller = CallerDep,
    session: Session = SessionDep,
):
    """A machine translation of a message the caller may read; a message it may not read answers 404 exactly
    as a missing one. The translation is computed on request and never stored: the original is the record."""
    result = service.translate_message(session, subject=caller.subject, message_id=message_id, target=to, source=source)
    return MachineTranslationRead(
        message_id=result.message_id,
        version=result.version,
        source=result.source,
        target=result.target,
        text=result.text,
        model=result.model,
    )
