"""ID enumeration through writes: acting on a record one may not read answers exactly as acting on a missing one.

The write counterpart of tests/access/test_id_enumeration.py. Every non-GET route whose path carries a record
id (or a channel code, or a collection id) — API and page form posts alike, derived from the app's routes and
failing when a new one is not listed in WRITES or NOT_RECORDS — is called

  - with a VALID body (WRITES below: JSON for the API, form fields plus the session's CSRF token for the pages,
    posted with a real session cookie), so that the request gets past validation to the record's lookup,
  - by members of parties that may not read ISR's real records of that kind (drafts, pending the mediator,
    released to FRA alone, released to nobody; which member may not read which record is the oracle's
    `expected_readers`, not the rule under test): SYR's liaison officer, intelligence officer and admin, the
    mediator's supervisor (who reads all but drafts) and FRA's observer,
  - and, for each of them, with ids of nothing: random UUIDv4 and UUIDv7, and ids adjacent to the real ones
    (for channels and TAXII collections: codes and ids no channel or collection has). A route naming a second
    id (a commitment's contest, an article's suggested link) gets a real one under each real record.

Every answer about a real unreadable record must equal the answer about a missing one — status, body (the
asked id and the request id masked), headers — and that answer must be the route's 404, or a refusal made
before any lookup (403: a role that may never act there), which is then the same for both. For every route at
least one member must reach the lookup (a 404), so that no route is vouched for by 403s or 422s alone. And
nothing is written: the ledger's size, every table's row count and the real records' versions (and statuses)
are the same after as before. The control, asked last: the records' own readers (ISR's liaison officer and
admin, the mediator's supervisor) are not answered 404 for all of them, so the records are there to be found.
"""

import random
import re
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fusioncell.access.dependencies import SESSION_COOKIE
from fusioncell.access.models import ApiToken, User
from fusioncell.access.service import start_web_session
from fusioncell.app import create_app
from fusioncell.db.base import Base, recorded_models
from fusioncell.intel.collections import collections_of
from fusioncell.ledger.service import tree_size
from tests.access.matrix import expected_readers
from tests.access.test_every_endpoint import routes
from tests.access.test_id_enumeration import (
    MAKERS,
    adjacent_ids,
    answer,
    api_records,
    hidden_states,
    random_ids,
    uuid7_of,
    uuid7_parts,
)
from tests.support import PASSWORD, Member, Population, bearer
from tests.taxii.stix import TAXII, envelope, indicator

# ---- the routes and a valid body for each ----

SOON = (datetime.now(UTC) + timedelta(days=7)).isoformat()
AGO = (datetime.now(UTC) - timedelta(hours=2)).isoformat()
TODAY = date.today().isoformat()
ELSEWHERE = "01a2179d-0000-7000-8000-0000000000ee"  # an incident / evidence id in a body: exists nowhere


@dataclass(frozen=True)
class Write:
    """A valid request: `json` for the API, `form` for a page (the CSRF token is added), neither for none."""

    json: dict | None = None
    form: dict | None = None
    page: bool = False

    @property
    def kind_of_body(self) -> str:
        return "form" if self.page else "json"


def api(body: dict | None = None) -> Write:
    return Write(json=body)


def page(form: dict | None = None) -> Write:
    return Write(form=form or {}, page=True)


REASON = {"reason": "Probe: this must never be stored."}
WRITES: dict[tuple[str, str], Write] = {
    # Accounts and webhooks (not enveloped: another party's answers as a missing one).
    ("POST", "/api/v1/tokens/{token_id}/revoke"): api(),
    ("POST", "/account/tokens/{token_id}/revoke"): page(),
    ("POST", "/api/v1/webhooks/{webhook_id}/disable"): api(),
    ("POST", "/webhooks/{webhook_id}/disable"): page(),
    # The hotline.
    ("POST", "/api/v1/messages/{message_id}/read"): api(),
    ("POST", "/api/v1/messages/{message_id}/acknowledge"): api(),
    ("POST", "/api/v1/messages/{message_id}/approve"): api(),
    ("POST", "/api/v1/messages/{message_id}/retract"): api(REASON),
    ("POST", "/api/v1/messages/{message_id}/return"): api({"comment": "Probe: please rephrase."}),
    ("POST", "/api/v1/messages/{message_id}/relay"): api({"channel": "usa-syr", "body": "Probe relay."}),
    ("POST", "/hotline/messages/{message_id}/acknowledge"): page(),
    ("POST", "/hotline/messages/{message_id}/approve"): page(),
    ("POST", "/hotline/messages/{message_id}/retract"): page(REASON),
    ("POST", "/hotline/messages/{message_id}/return"): page({"comment": "Probe: please rephrase."}),
    ("POST", "/hotline/messages/{message_id}/relay"): page({"channel": "usa-syr", "body": "Probe relay."}),
    ("POST", "/hotline/{channel_code}/messages"): page({"body": "Probe message.", "precedence": "routine"}),
    ("POST", "/hotline/{channel_code}/read"): page({"ids": [ELSEWHERE]}),
    # Deconfliction notices.
    ("POST", "/api/v1/notices/{notice_id}/acknowledge"): api(),
    ("POST", "/api/v1/notices/{notice_id}/retract"): api(REASON),
    ("POST", "/notices/{notice_id}/acknowledge"): page(),
    ("POST", "/notices/{notice_id}/retract"): page(REASON),
    # Incidents and complaints.
    ("POST", "/api/v1/incidents/{incident_id}/release"): api(),
    ("POST", "/api/v1/incidents/{incident_id}/approve"): api(),
    ("POST", "/api/v1/incidents/{incident_id}/acknowledge"): api(),
    ("POST", "/api/v1/incidents/{incident_id}/investigate"): api(),
    ("POST", "/api/v1/incidents/{incident_id}/finding"): api({"finding": "substantiated", "reasons": "Probe."}),
    ("POST", "/api/v1/incidents/{incident_id}/close"): api(),
    ("POST", "/api/v1/incidents/{incident_id}/retract"): api(REASON),
    ("POST", "/api/v1/incidents/{incident_id}/complaints"): api({"grounds": "Probe grounds."}),
    ("POST", "/api/v1/complaints/{complaint_id}/answer"): api({"answer": "Probe answer."}),
    ("POST", "/api/v1/complaints/{complaint_id}/ruling"): api({"ruling": "upheld", "reasons": "Probe."}),
    ("POST", "/incidents/{incident_id}/release"): page(),
    ("POST", "/incidents/{incident_id}/approve"): page(),
    ("POST", "/incidents/{incident_id}/acknowledge"): page(),
    ("POST", "/incidents/{incident_id}/investigate"): page(),
    ("POST", "/incidents/{incident_id}/finding"): page({"finding": "substantiated", "reasons": "Probe."}),
    ("POST", "/incidents/{incident_id}/close"): page(),
    ("POST", "/incidents/{incident_id}/retract"): page(REASON),
    ("POST", "/incidents/{incident_id}/complaints"): page({"grounds": "Probe grounds."}),
    ("POST", "/complaints/{complaint_id}/answer"): page({"answer": "Probe answer."}),
    ("POST", "/complaints/{complaint_id}/ruling"): page({"ruling": "upheld", "reasons": "Probe."}),
    # Fusion.
    ("POST", "/api/v1/fusions/{fusion_id}/confirm"): api({"description": "Probe: one incident."}),
    ("POST", "/api/v1/fusions/{fusion_id}/split"): api({"incident_ids": [ELSEWHERE], "reason": "Probe."}),
    ("POST", "/api/v1/fusions/{fusion_id}/dismiss"): api(REASON),
    ("POST", "/fusions/{fusion_id}/confirm"): page({"description": "Probe: one incident."}),
    ("POST", "/fusions/{fusion_id}/split"): page({"incident_ids": [ELSEWHERE], "reason": "Probe."}),
    ("POST", "/fusions/{fusion_id}/dismiss"): page(REASON),
    # Verification.
    ("POST", "/api/v1/positions/{position_id}/schedule"): api({"due_at": SOON, "note": "Probe."}),
    ("POST", "/api/v1/positions/{position_id}/withdraw"): api({"note": "Probe."}),
    ("POST", "/api/v1/positions/{position_id}/verify"): api({"note": "Probe."}),
    ("POST", "/positions/{position_id}/schedule"): page({"due_on": SOON[:10], "note": "Probe."}),
    ("POST", "/positions/{position_id}/withdraw"): page({"note": "Probe."}),
    ("POST", "/positions/{position_id}/verify"): page({"note": "Probe."}),
    # Intelligence.
    ("POST", "/api/v1/intel/reports/{report_id}/release"): api(),
    ("POST", "/api/v1/intel/reports/{report_id}/second-approval"): api(),
    ("POST", "/api/v1/intel/reports/{report_id}/approve"): api(),
    ("POST", "/api/v1/intel/reports/{report_id}/return"): api(REASON),
    ("POST", "/api/v1/intel/reports/{report_id}/retract"): api(REASON),
    ("POST", "/api/v1/intel/reports/{report_id}/tearlines"): api(
        {"title": "Probe tearline", "summary": "Probe.", "marking": "TLP:GREEN", "releasable_to": ["SYR"]}
    ),
    ("POST", "/api/v1/intel/reports/{report_id}/sightings"): api({"first_seen": AGO, "count": 1, "note": "Probe."}),
    ("POST", "/api/v1/intel/reports/{report_id}/opinions"): api({"opinion": "agree", "explanation": "Probe."}),
    ("POST", "/intel/reports/{report_id}/release"): page(),
    ("POST", "/intel/reports/{report_id}/second-approval"): page(),
    ("POST", "/intel/reports/{report_id}/approve"): page(),
    ("POST", "/intel/reports/{report_id}/return"): page(REASON),
    ("POST", "/intel/reports/{report_id}/retract"): page(REASON),
    ("POST", "/intel/reports/{report_id}/tearlines"): page(
        {"title": "Probe tearline", "summary": "Probe.", "marking": "TLP:GREEN", "releasable_to": ["SYR"]}
    ),
    ("POST", "/intel/reports/{report_id}/sightings"): page({"first_seen": AGO[:16], "count": "1", "note": "Probe."}),
    ("POST", "/intel/reports/{report_id}/opinions"): page({"opinion": "agree", "explanation": "Probe."}),
    # TAXII: an envelope posted to a collection (the collection is the record addressed).
    ("POST", "/taxii2/api/collections/{collection_id}/objects/"): api(envelope([indicator(7)])),
    # Joint statements.
    ("POST", "/api/v1/statements/{statement_id}/versions"): api(
        {"texts": {"en": "Probe.", "ar": "مسبار.", "he": "בדיקה."}, "note": "Probe."}
    ),
    ("POST", "/api/v1/statements/{statement_id}/comments"): api({"version": 1, "paragraph": 1, "text": "Probe."}),
    ("POST", "/api/v1/statements/{statement_id}/signatures"): api(
        {"version": 1, "key_id": "0123456789abcdef", "signature": "A" * 86 + "=="}
    ),
    ("POST", "/api/v1/statements/{statement_id}/signatures/stored"): api({"version": 1, "password": PASSWORD}),
    ("POST", "/api/v1/statements/{statement_id}/publish"): api(),
    ("POST", "/statements/{statement_id}/sign"): page({"version": "1", "password": PASSWORD}),
    ("POST", "/statements/{statement_id}/comments"): page({"version": "1", "paragraph": "1", "text": "Probe."}),
    ("POST", "/statements/{statement_id}/versions"): page(
        {"text_en": "Probe.", "text_ar": "مسبار.", "text_he": "בדיקה.", "note": "Probe."}
    ),
    ("POST", "/statements/{statement_id}/publish"): page(),
    # Meetings.
    ("POST", "/api/v1/meetings/{meeting_id}/minutes"): api({"text": "Probe minutes."}),
    ("POST", "/api/v1/meetings/{meeting_id}/minutes/approve"): api({"draft": 1}),
    ("POST", "/meetings/{meeting_id}/minutes"): page({"text": "Probe minutes."}),
    ("POST", "/meetings/{meeting_id}/minutes/approve"): page({"draft": "1"}),
    # Commitments.
    ("POST", "/api/v1/commitments/{commitment_id}/agree"): api(),
    ("POST", "/api/v1/commitments/{commitment_id}/notes"): api({"body": "Probe note."}),
    ("POST", "/api/v1/commitments/{commitment_id}/claim"): api({"state": "done", "note": "Probe."}),
    ("POST", "/api/v1/commitments/{commitment_id}/evidence"): api({"kind": "incident", "id": ELSEWHERE}),
    ("POST", "/api/v1/commitments/{commitment_id}/contests"): api({"reasons": "Probe."}),
    ("POST", "/api/v1/commitments/{commitment_id}/contests/{contest_id}/ruling"): api(
        {"outcome": "upheld", "reason": "Probe."}
    ),
    ("POST", "/api/v1/commitments/{commitment_id}/mark"): api({"state": "breached", "reason": "Probe."}),
    ("POST", "/commitments/{commitment_id}/agree"): page(),
    ("POST", "/commitments/{commitment_id}/notes"): page({"body": "Probe note."}),
    ("POST", "/commitments/{commitment_id}/claim"): page({"state": "done", "note": "Probe."}),
    ("POST", "/commitments/{commitment_id}/evidence"): page({"kind": "incident", "record_id": ELSEWHERE}),
    ("POST", "/commitments/{commitment_id}/contests"): page({"reasons": "Probe."}),
    ("POST", "/commitments/{commitment_id}/contests/{contest_id}/ruling"): page(
        {"outcome": "upheld", "reason": "Probe.", "state": ""}
    ),
    ("POST", "/commitments/{commitment_id}/mark"): page({"state": "breached", "reason": "Probe."}),
    # The commercial desk.
    ("PATCH", "/api/v1/projects/{project_id}"): api({"name": "Probe rename", "jobs": 1}),
    ("POST", "/api/v1/projects/{project_id}/stage"): api({"stage": "agreed", "on": TODAY, "reason": "Probe."}),
    ("POST", "/api/v1/projects/{project_id}/release"): api({"releasable_to": ["SYR"]}),
    ("POST", "/api/v1/projects/{project_id}/retract"): api(REASON),
    ("POST", "/projects/{project_id}/stage"): page({"stage": "agreed", "on": TODAY, "reason": "Probe."}),
    ("POST", "/projects/{project_id}/release"): page({"release_to": ["SYR"]}),
    ("POST", "/projects/{project_id}/retract"): page(REASON),
    # Open sources: a suggested link of the article.
    ("POST", "/api/v1/osint/articles/{article_id}/links/{link_id}/confirm"): api(),
    ("POST", "/api/v1/osint/articles/{article_id}/links/{link_id}/dismiss"): api(),
    ("POST", "/osint/articles/{article_id}/links/{link_id}/confirm"): page(),
    ("POST", "/osint/articles/{article_id}/links/{link_id}/dismiss"): page(),
    # The glossary.
    ("POST", "/api/v1/glossary/{term_id}/versions"): api(
        {"wording": {"en": "probe", "ar": "مسبار", "he": "בדיקה"}, "note": "Probe."}
    ),
    ("POST", "/api/v1/glossary/{term_id}/approvals"): api({"version": 1}),
    ("POST", "/glossary/{term_id}/versions"): page(
        {"wording_en": "probe", "wording_ar": "مسبار", "wording_he": "בדיקה", "note": "Probe."}
    ),
    ("POST", "/glossary/{term_id}/approve"): page({"version": "1"}),
}
NOT_RECORDS = {
    # TAXII's catch-all: 401, then 404 or 405 whatever follows; no record behind it.
    *((method, "/taxii2/{rest:path}") for method in ("POST", "PUT", "PATCH", "DELETE", "OPTIONS")),
}
# The path parameter → the kind of record it names (MAKERS' kinds, plus those made here).
KINDS = {
    "token_id": "token",
    "webhook_id": "webhook",
    "message_id": "message",
    "channel_code": "channel",
    "notice_id": "notice",
    "incident_id": "incident",
    "complaint_id": "complaint",
    "fusion_id": "fusion",
    "position_id": "position",
    "report_id": "report",
    "collection_id": "collection",
    "statement_id": "statement",
    "meeting_id": "meeting",
    "commitment_id": "commitment",
    "project_id": "project",
    "article_id": "article",
    "term_id": "term",
}
# A second id under the record (a contest of a commitment, a suggested link of an article): each real record
# gets a real one (with the record's envelope), asked with the record's id; ids of nothing are asked with this.
INNER = {"contest_id": "01a2179d-0000-7000-8000-0000000000c0", "link_id": "01a2179d-0000-7000-8000-0000000000d0"}

# Who asks: members of parties that may not read ISR's records (which ones each may not read: the oracle).
ASKERS = (
    ("SYR", "liaison"),
    ("SYR", "officer:intelligence"),
    ("SYR", "admin"),
    ("USA", "supervisor"),  # the mediator: reads all but drafts, and alone approves, relays, rules, fuses
    ("FRA", "observer"),  # an observer: verifies positions, reads what is released to it
)
# Who may read the records: the owner's liaison officer and admin (webhooks and tokens), and the mediator.
OWNERS = (("ISR", "liaison"), ("ISR", "admin"), ("USA", "supervisor"))
# Readers of the records made through the API (tests/access/test_id_enumeration.py::api_records).
API_READERS = {
    "API draft": {"ISR"},
    "API message on usa-isr": {"ISR", "USA"},
    "API upload not sent yet": {"ISR", "USA"},  # not sure who reads an unsent upload: probed as SYR's and FRA's
    "API upload sent on usa-isr": {"ISR", "USA"},
    "API project": {"ISR", "USA"},
    "ISR's webhook": {"ISR"},
    "ISR's token": {"ISR"},
}
SAMPLES = 2  # random ids of each version per route; adjacent ids: two per real record


def test_every_write_route_with_an_id_is_probed(runtime):
    found = {(m, p) for m, p in routes(create_app(runtime, background=False)) if m != "GET" and "{" in p}
    unlisted = found - WRITES.keys() - NOT_RECORDS
    assert not unlisted, f"probe these routes for ID enumeration through writes: {sorted(unlisted)}"
    lacking = (WRITES.keys() | NOT_RECORDS) - found
    assert not lacking, f"routes listed here that the app lacks: {sorted(lacking)}"
    for _, path in WRITES:
        params = re.findall(r"\{([^}]+)\}", path)
        assert params[0] in KINDS and all(p in INNER for p in params[1:]), path


# ---- the records, and the ids of nothing ----


@dataclass
class Real:
    label: str
    id: str
    readers: set[str]
    inner: str | None = None  # the real contest or link under it, for the routes that name one


def inner_record(db: Session, kind: str, record_id: str, state) -> str:
    """A contest of the commitment, or a suggested link of the article to an incident, in the same envelope
    as it (so that whoever may read the record may act on it: the link is shown to readers of both ends)."""
    from fusioncell.diplomacy.commitments.models import Commitment, CommitmentContest
    from fusioncell.osint.models import Article
    from tests.osint.reading_support import make_link

    if kind == "article":
        article = db.get(Article, uuid.UUID(record_id))
        target = MAKERS["incident"](db, state)
        return str(make_link(db, article=article, target_kind="incident", target_id=target).id)
    commitment = db.get(Commitment, uuid.UUID(record_id))
    contest = CommitmentContest(
        origin_party=commitment.origin_party,
        created_by="test",
        status=commitment.status,
        releasable_to=commitment.releasable_to,
        commitment_id=commitment.id,
        claimed_state="done",
        prior_state="agreed",
        reasons="Probe contest.",
    )
    db.add(contest)
    db.flush()
    return str(contest.id)


def real_records(client, db, population, cell, kind: str, *, inner: bool = False) -> list[Real]:
    made: list[Real] = []
    if kind in MAKERS:
        for state in hidden_states(cell):
            record_id = MAKERS[kind](db, state)
            child = inner_record(db, kind, record_id, state) if inner else None
            made.append(Real(state.label, record_id, expected_readers(state, cell), child))
        db.commit()
        if inner:
            return made
    if kind == "token":
        isr = population.member("ISR", "liaison")
        token = db.execute(select(ApiToken).where(ApiToken.user_id == isr.user_id)).scalars().first()
        made.append(Real("ISR's token", str(token.id), {"ISR"}))
    elif kind == "channel":
        made += [Real(f"channel {c.code}", c.code, set(c.members)) for c in cell.channels if "SYR" not in c.members]
    elif kind == "collection":
        made += [Real(f"collection {c.code}", c.id, set(c.parties)) for c in collections_of(cell)]
    else:
        made += [Real(label, i, API_READERS[label]) for label, i in api_records(client, population, kind)]
    assert made, kind
    return made


def missing_ids(kind: str, made: list[Real], seed: str) -> list[str]:
    rng = random.Random(seed)
    if kind == "channel":
        return ["no-such-channel", "usa-isx", "isr-usa", "usa-isr2", "observersx"]
    if kind == "collection":
        return [str(uuid.UUID(int=rng.getrandbits(128), version=4)) for _ in range(4)] + [
            str(uuid.uuid5(uuid.UUID(made[0].id), "x"))
        ]
    uuids = [r.id for r in made]
    anchor = uuid7_parts(uuid.UUID(uuids[0]))[0]
    drawn = random_ids(rng, anchor)  # three UUIDv4, then three UUIDv7 around the real ones' time
    missing = [*drawn[:SAMPLES], *drawn[-SAMPLES:]]
    for real in uuids:
        if uuid.UUID(real).version == 7:
            adjacent = adjacent_ids(real, rng)
            missing += [adjacent[0], adjacent[-4]]  # the counter + 1, the next millisecond
        else:
            missing.append(str(uuid7_of(anchor, rng.getrandbits(80))))
    return [i for i in dict.fromkeys(missing) if i not in set(uuids)]


# ---- nothing written ----


def footprint(db: Session, made: list[Real]) -> dict:
    """The ledger's size, every table's row count, the real records' versions."""
    db.expire_all()
    counts = {
        table.name: db.execute(select(func.count()).select_from(table)).scalar_one()
        for table in Base.metadata.sorted_tables
    }
    versions = {}
    by_kind = list(recorded_models())
    for real in made:
        try:
            key = uuid.UUID(real.id)
        except ValueError:
            continue
        for model in by_kind:
            row = db.get(model, key)
            if row is not None:
                versions[real.label] = (row.version, getattr(row, "status", None))
                break
    return {"ledger size": tree_size(db), "rows": counts, "versions": versions}


# ---- asking ----


@dataclass
class Asker:
    member: Member
    headers: dict[str, str]
    csrf: str = ""
    cookies: dict[str, str] = field(default_factory=dict)


def askers_for(db: Session, population: Population, page_route: bool, who=ASKERS) -> list[Asker]:
    found = []
    for party, role in who:
        member = population.member(party, role)
        if not page_route:
            found.append(Asker(member, bearer(member)))
            continue
        # A real session, as the login form opens one (without hashing the password again for each route).
        web_session, secret = start_web_session(db, user=db.get(User, member.user_id), hours=1)
        found.append(Asker(member, {"accept": "text/html"}, web_session.csrf_token, {SESSION_COOKIE: secret}))
    db.commit()
    return found


class WriteProbe:
    def __init__(self, client: TestClient, method: str, path: str, write: Write) -> None:
        self.client, self.method, self.path, self.write = client, method, path, write
        self.failures: list[str] = []
        self.checks = 0
        self.reached = 0  # askers whose missing id answered 404: the lookup was reached
        self.answers: dict[int, int] = {}

    def url(self, record_id: str, inner: str | None = None) -> str:
        url = self.path
        for name, default in INNER.items():
            url = url.replace("{" + name + "}", inner or default)
        return re.sub(r"\{[^}]+\}", record_id, url)

    def send(self, asker: Asker, record_id: str, inner: str | None = None):
        headers = dict(asker.headers)
        if self.path.startswith("/taxii2/"):
            headers |= {"Accept": TAXII, "Content-Type": TAXII}
        self.client.cookies.clear()
        for name, value in asker.cookies.items():
            self.client.cookies.set(name, value)
        if self.write.page:
            data = {"csrf_token": asker.csrf, **(self.write.form or {})}
            return self.client.request(
                self.method, self.url(record_id, inner), data=data, headers=headers, follow_redirects=False
            )
        return self.client.request(
            self.method, self.url(record_id, inner), json=self.write.json, headers=headers, follow_redirects=False
        )

    def compare(self, asker: Asker, unreadable: list[Real], missing: list[str]) -> None:
        who = asker.member.username
        reference_id = missing[0]
        reference = answer(self.send(asker, reference_id), reference_id)
        self.answers[reference.status] = self.answers.get(reference.status, 0) + 1
        if reference.status == 404:
            self.reached += 1
        elif reference.status != 403:
            self.failures.append(
                f"{who} {self.method} {self.url(reference_id)} (missing) answered {reference.status}, not the 404 of "
                f"a missing record nor a refusal before the lookup: {reference.body[:300]}"
            )
            return
        asked = [(f"real {r.label}", r.id, r.inner) for r in unreadable] + [("missing", i, None) for i in missing[1:]]
        for label, asked_id, inner in asked:
            got = answer(self.send(asker, asked_id, inner), asked_id)
            self.checks += 1
            differences = got.differences(reference)
            if differences:
                self.failures.append(
                    f"{who} {self.method} {self.url(asked_id)} ({label}) differs from missing {reference_id}: "
                    + "; ".join(differences)
                )


@pytest.mark.parametrize(("method", "path"), sorted(WRITES))
def test_a_write_on_an_unreadable_record_answers_exactly_as_on_a_missing_one(
    client, db, population, cell, record_property, method, path
):
    write = WRITES[(method, path)]
    params = re.findall(r"\{([^}]+)\}", path)
    kind = KINDS[params[0]]
    made = real_records(client, db, population, cell, kind, inner=len(params) > 1)
    missing = missing_ids(kind, made, f"{method} {path}")
    askers = askers_for(db, population, write.page)
    before = footprint(db, made)
    probe = WriteProbe(client, method, path, write)
    for asker in askers:
        unreadable = [r for r in made if asker.member.party not in r.readers]
        if not unreadable:
            continue
        # The first asker gets every missing id; the others a few (the real records all the same).
        probe.compare(asker, unreadable, missing if asker is askers[0] else missing[:3])
    after = footprint(db, made)
    # The control: those who may read the records are not answered 404 for all of them (asked last, since these
    # writes may well succeed; the test's transaction is rolled back).
    owners = askers_for(db, population, write.page, OWNERS)
    owned = {
        probe.send(owner, real.id, real.inner).status_code
        for owner in owners
        for real in made
        if owner.member.party in real.readers
    }
    record_property("checks", probe.checks)
    record_property("askers reaching the lookup", probe.reached)
    assert not probe.failures, f"{len(probe.failures)} answers differ:\n" + "\n".join(probe.failures[:30])
    assert probe.checks, "nothing was probed"
    assert probe.reached, f"no asker reached the lookup (answers to a missing id: {probe.answers}): the probe is void"
    assert owned - {404}, f"even the records' readers get 404 for all of them: the probe is void ({owned})"
    changed = {name: (before[name], after[name]) for name in before if before[name] != after[name]}
    if "rows" in changed:
        changed["rows"] = {t: (n, after["rows"][t]) for t, n in before["rows"].items() if after["rows"][t] != n}
    assert not changed, f"the refused writes changed something: {changed}"


def test_the_probe_tells_a_readable_record_from_a_missing_one(client, db, population, cell):
    """The control: SYR acknowledging an incident released to it is not answered as a missing one is, so the
    comparison above would see a record that shows through a write."""
    from tests.access.matrix import EnvelopeState
    from tests.incidents.test_matrix import make_incident

    readable = Real(
        "ISR released to SYR",
        make_incident(db, EnvelopeState("readable", "ISR", "released", frozenset({"SYR"}))),
        {"ISR", "SYR"},
    )
    db.commit()
    for method, path in (
        ("POST", "/api/v1/incidents/{incident_id}/complaints"),
        ("POST", "/incidents/{incident_id}/complaints"),
    ):
        probe = WriteProbe(client, method, path, WRITES[(method, path)])
        [asker] = [a for a in askers_for(db, population, path.startswith("/incidents")) if a.member.party == "SYR"][:1]
        probe.compare(asker, [readable], missing_ids("incident", [readable], "control")[:2])
        assert probe.reached and len(probe.failures) == 1, (path, probe.failures)
