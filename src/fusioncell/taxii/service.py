"""What the TAXII endpoints do, without HTTP: read a request's filters, page a collection, take a POST and
keep its status. Plain functions over the desk's store; never commits (the request does).

Who reads which object is the store's query (the releasability rule, object by object); which collections
a caller sees is intel/collections.py. This module only translates between TAXII and them.
"""

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy.orm import Session

from fusioncell.access.subjects import Subject
from fusioncell.cell.definition import CellDefinition
from fusioncell.db.types import utcnow
from fusioncell.errors import FusionError, NotFound
from fusioncell.i18n import N_
from fusioncell.intel.collections import Collection, can_add_to, visible_collections
from fusioncell.intel.queries import ObjectFilter, ObjectPage, collection_objects
from fusioncell.intel.timestamps import normalise, stix_version_of
from fusioncell.intel.uploads import Receipt, receive_objects
from fusioncell.taxii import API_ROOT_PATH, MAX_PAGE_SIZE
from fusioncell.taxii.models import TaxiiStatus
from fusioncell.taxii.schemas import (
    ApiRoot,
    CollectionResource,
    Collections,
    Discovery,
    envelope_text,
    manifest_record,
    manifest_text,
    status_text,
    taxii_timestamp,
    versions_text,
)

# The filters each kind of request takes (TAXII 2.1 sections 5.3-5.8); any other match[] is refused.
OBJECTS_FILTERS = frozenset({"id", "type", "version", "spec_version"})
OBJECT_FILTERS = frozenset({"version", "spec_version"})
VERSIONS_FILTERS = frozenset({"spec_version"})
_MAX_VALUES = 1000  # values in one match[] filter
_MAX_VALUE_LENGTH = 300


class BadRequest(FusionError):
    """TAXII answers a request it cannot understand with 400."""


# --- discovery, API root, collections ---


def discovery(cell: CellDefinition) -> Discovery:
    return Discovery(
        title=f"fusioncell: {cell.names.en}",
        description="The intelligence desk's collections, each one audience of the cell, over TAXII 2.1.",
        default=API_ROOT_PATH,
        api_roots=[API_ROOT_PATH],
    )


def api_root(cell: CellDefinition, *, max_content_length: int) -> ApiRoot:
    return ApiRoot(
        title=f"{cell.names.en}: intelligence",
        description="One collection per audience; a caller sees the collections its party is one of.",
        max_content_length=max_content_length,
    )


def collection_resource(subject: Subject, collection: Collection) -> CollectionResource:
    return CollectionResource(
        id=collection.id,
        title=collection.title,
        description=collection.description,
        alias=collection.code,
        can_read=True,
        can_write=can_add_to(subject, collection),
    )


def collections(cell: CellDefinition, subject: Subject) -> Collections:
    return Collections(collections=[collection_resource(subject, c) for c in visible_collections(cell, subject)])


# --- a request's filters ---


def object_filter(
    params: Mapping[str, Sequence[str]], *, allowed: frozenset[str], object_id: str | None = None
) -> ObjectFilter:
    """added_after, match[...], limit and next, as TAXII spells them (a match[] may repeat or use commas)."""
    matches: dict[str, frozenset[str]] = {}
    for name, values in params.items():
        if name.startswith("match[") and name.endswith("]"):
            field = name[len("match[") : -1]
            if field not in allowed:
                raise BadRequest(
                    N_("match[{field}] is not a filter of this endpoint (it takes {filters})."),
                    field=field,
                    filters=_names(allowed),
                )
            matches[field] = _match_values(name, values)
    versions = matches.get("version", frozenset({"last"}))
    for version in versions - {"first", "last", "all"}:
        try:
            normalise(version)
        except ValueError:
            raise BadRequest(N_("match[version] takes first, last, all or STIX timestamps.")) from None
    return ObjectFilter(
        added_after=_added_after(params.get("added_after", ())),
        ids=frozenset({object_id}) if object_id is not None else matches.get("id", frozenset()),
        types=matches.get("type", frozenset()),
        versions=versions,
        spec_versions=matches.get("spec_version", frozenset()),
        after=decode_next(params.get("next", ())),
        limit=_limit(params.get("limit", ())),
    )


def all_versions(page_filter: ObjectFilter) -> ObjectFilter:
    """The versions endpoint lists every version, whatever match[version] would say."""
    return replace(page_filter, versions=frozenset({"all"}))


def _names(fields: frozenset[str]) -> str:
    return ", ".join(f"match[{f}]" for f in sorted(fields)) or "no match[] filter"


def _match_values(name: str, values: Sequence[str]) -> frozenset[str]:
    found = {part.strip() for value in values for part in value.split(",") if part.strip()}
    if not found:
        raise BadRequest(N_("{name} is empty."), name=name)
    if len(found) > _MAX_VALUES or any(len(v) > _MAX_VALUE_LENGTH for v in found):
        raise BadRequest(N_("{name} has too many or too long values."), name=name)
    return frozenset(found)


def _single(name: str, values: Sequence[str]) -> str | None:
    if len(values) > 1:
        raise BadRequest(N_("{name} may be given once."), name=name)
    return values[0] if values else None


def parse_timestamp(text: str, *, name: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None or "T" not in text:
        raise BadRequest(N_("{name} is not a timestamp such as 2026-01-31T12:00:00.000Z."), name=name)
    return moment


def _added_after(values: Sequence[str]) -> datetime | None:
    text = _single("added_after", values)
    return None if text is None else parse_timestamp(text, name="added_after")


def _limit(values: Sequence[str]) -> int:
    text = _single("limit", values)
    if text is None:
        return MAX_PAGE_SIZE
    if not text.isdigit() or int(text) < 1:
        raise BadRequest(N_("limit must be a positive whole number."))
    return min(int(text), MAX_PAGE_SIZE)


# --- the `next` cursor: the seq of the last object served, opaque to clients ---


def encode_next(seq: int) -> str:
    return f"{seq:x}"


def decode_next(values: Sequence[str]) -> int | None:
    text = _single("next", values)
    if text is None:
        return None
    try:
        seq = int(text, 16)
    except ValueError:
        seq = -1
    if seq < 0 or len(text) > 16:
        raise BadRequest(N_("next is not a value this server gave."))
    return seq


# --- pages of objects ---


@dataclass(frozen=True)
class PageText:
    """A page as it goes out: the JSON text and the X-TAXII-Date-Added headers (none when empty)."""

    text: str
    headers: dict[str, str]
    empty: bool


def _headers(page: ObjectPage) -> dict[str, str]:
    if not page.objects:
        return {}
    return {
        "X-TAXII-Date-Added-First": taxii_timestamp(page.objects[0].date_added),
        "X-TAXII-Date-Added-Last": taxii_timestamp(page.objects[-1].date_added),
    }


def _next_of(page: ObjectPage) -> str | None:
    return encode_next(page.objects[-1].seq) if page.more and page.objects else None


def objects_page(session: Session, *, subject: Subject, collection: Collection, filter: ObjectFilter) -> PageText:
    page = collection_objects(session, subject=subject, collection=collection, filter=filter)
    text = envelope_text([o.body for o in page.objects], more=page.more, next_cursor=_next_of(page))
    return PageText(text, _headers(page), not page.objects)


def manifest_page(session: Session, *, subject: Subject, collection: Collection, filter: ObjectFilter) -> PageText:
    page = collection_objects(session, subject=subject, collection=collection, filter=filter)
    records = [manifest_record(o.stix_id, o.date_added, o.version, o.spec_version) for o in page.objects]
    return PageText(manifest_text(records, more=page.more, next_cursor=_next_of(page)), _headers(page), not records)


def versions_page(session: Session, *, subject: Subject, collection: Collection, filter: ObjectFilter) -> PageText:
    page = collection_objects(session, subject=subject, collection=collection, filter=all_versions(filter))
    versions = [o.version for o in page.objects]
    return PageText(versions_text(versions, more=page.more, next_cursor=_next_of(page)), _headers(page), not versions)


# --- POST and its status ---


def receive(
    session: Session,
    *,
    cell: CellDefinition,
    subject: Subject,
    collection: Collection,
    objects: list,
    now: datetime | None = None,
) -> TaxiiStatus:
    """Hand the objects to the store (all stored or none) and keep the status the client may ask for again."""
    now = now or utcnow()
    receipt = receive_objects(session, cell=cell, subject=subject, collection=collection, objects=objects, now=now)
    successes, failures = _details(receipt, objects, now)
    status = TaxiiStatus(
        id=uuid.uuid4(),
        party=subject.party,
        created_by=subject.username,
        collection_id=collection.id,
        report_id=receipt.report_id,
        request_timestamp=now,
        status="complete",
        total_count=len(successes) + len(failures),
        success_count=len(successes),
        failure_count=len(failures),
        pending_count=0,
        successes=successes,
        failures=failures,
        pendings=[],
    )
    session.add(status)
    return status


def _details(receipt: Receipt, objects: list, now: datetime) -> tuple[list[dict], list[dict]]:
    """One status detail per object of the request, as TAXII counts them. When anything failed, nothing
    was stored and the store lists every object as a failure. Otherwise every object succeeded: the store
    names those it stored now; one it had already (a retried POST) or serves itself (TLP's definitions)
    is there as well."""
    if receipt.failures:
        return [], [
            {"id": stix_id or "", "version": version or "", "message": message}
            for stix_id, version, message in receipt.failures
        ]
    if len(receipt.successes) == len(objects):  # the usual case: all new, named in the order sent
        return [{"id": stix_id, "version": version} for stix_id, version in receipt.successes], []
    stored = dict(receipt.successes)  # for objects with neither modified nor created: the store's date_added
    return [{"id": o["id"], "version": _version(o, stored, now)} for o in objects], []


def _version(obj: dict, stored: dict[str, str], now: datetime) -> str:
    if isinstance(obj.get("modified") or obj.get("created"), str):
        return stix_version_of(obj, now)
    return stored.get(obj["id"]) or stix_version_of(obj, now)


def status_for(session: Session, *, subject: Subject, status_id: str) -> TaxiiStatus:
    """The posting party's status; another party's answers as one that does not exist."""
    try:
        key = uuid.UUID(status_id)
    except ValueError:
        raise NotFound(N_("No such status.")) from None
    status = session.get(TaxiiStatus, key)
    if status is None or status.party != subject.party:
        raise NotFound(N_("No such status."))
    return status


def status_resource(status: TaxiiStatus) -> str:
    """The status as TAXII writes it (JSON text)."""
    fields = {
        "id": str(status.id),
        "status": status.status,
        "request_timestamp": taxii_timestamp(status.request_timestamp),
    }
    return status_text(fields, successes=status.successes, failures=status.failures, pendings=status.pendings)
