"""The glossary's service: who may propose, revise and approve; versions and what is agreed; every refusal
changes nothing; every change is in the record, in the same transaction; every party reads the glossary."""

import json

import pytest
from sqlalchemy import func, select

from fusioncell.access.rule import can_read_record
from fusioncell.errors import Conflict, Forbidden, Invalid, NotFound
from fusioncell.glossary import service
from fusioncell.glossary.demo import REVISED, TERMS, seed_demo_glossary
from fusioncell.glossary.models import GlossaryApproval, GlossaryTerm, GlossaryVersion
from fusioncell.glossary.service import Wording
from fusioncell.ledger.audit import audit
from fusioncell.ledger.models import LedgerEntry

AOS = Wording(
    wording={"en": "Area of Separation", "ar": "منطقة الفصل", "he": "אזור ההפרדה"},
    variants={"en": ["AOS"], "ar": [], "he": []},
    note="first wording",
)
AOS_2 = Wording(
    wording={"en": "Area of Separation", "ar": "منطقة الفصل", "he": "אזור ההפרדה"},
    variants={"en": ["AOS", "Areas of Separation"], "ar": [], "he": ["אזור הפרדה"]},
    note="plural and the Hebrew without its article",
)


def counts(db) -> dict[str, int]:
    models = (GlossaryTerm, GlossaryVersion, GlossaryApproval, LedgerEntry)
    return {m.__name__: db.execute(select(func.count()).select_from(m)).scalar_one() for m in models}


def entries(db, kind: str) -> list[LedgerEntry]:
    return list(db.execute(select(LedgerEntry).where(LedgerEntry.kind == kind).order_by(LedgerEntry.index)).scalars())


def test_proposed_approved_by_both_principals_then_agreed(db, cell, subject):
    usa, isr, syr = subject("usa.liaison"), subject("isr.liaison"), subject("syr.liaison")
    term = service.propose_term(db, cell=cell, subject=usa, key="area-of-separation", content=AOS)
    assert term.state == "proposed" and term.agreed_version is None and term.required_parties == {"ISR", "SYR"}
    assert term.origin_party == "USA" and term.releasable_to == cell.party_codes - {"USA"}
    assert service.agreed_versions(db, subject=isr) == []

    service.approve_term(db, cell=cell, subject=isr, term_id=term.id, version=1)
    assert term.agreed_version is None and service.agreed_versions(db, subject=isr) == []
    service.approve_term(db, cell=cell, subject=syr, term_id=term.id, version=1)
    assert term.state == "agreed" and term.agreed_version == 1 and term.agreed_at is not None
    [(found, version)] = service.agreed_versions(db, subject=syr)
    assert found.id == term.id and version.number == 1 and version.forms("en") == ["Area of Separation", "AOS"]


def test_a_revision_needs_approval_again_while_the_agreed_version_stands(db, cell, subject):
    usa, isr, syr = subject("usa.liaison"), subject("isr.liaison"), subject("syr.liaison")
    term = service.propose_term(db, cell=cell, subject=usa, key="area-of-separation", content=AOS)
    for party in (isr, syr):
        service.approve_term(db, cell=cell, subject=party, term_id=term.id, version=1)

    version = service.revise_term(db, cell=cell, subject=usa, term_id=term.id, content=AOS_2)
    assert version.number == 2 and term.latest_version == 2 and term.agreed_version == 1 and term.state == "revised"
    [(_, agreed)] = service.agreed_versions(db, subject=isr)
    assert agreed.number == 1, "the version agreed before stays the one marked"
    service.approve_term(db, cell=cell, subject=isr, term_id=term.id, version=2)
    assert term.agreed_version == 1
    assert service.missing_approvals(term, service.approvals_of(db, [term])[term.id]) == {"SYR"}
    service.approve_term(db, cell=cell, subject=syr, term_id=term.id, version=2)
    assert term.agreed_version == 2 and term.state == "agreed"
    versions = service.versions_of(db, [term])[term.id]
    assert [service.version_state(term, v) for v in versions] == ["superseded", "agreed"]


def test_a_version_replaced_before_it_was_agreed(db, cell, subject):
    usa, isr = subject("usa.liaison"), subject("isr.liaison")
    term = service.propose_term(db, cell=cell, subject=usa, key="area-of-separation", content=AOS)
    service.approve_term(db, cell=cell, subject=isr, term_id=term.id, version=1)
    service.revise_term(db, cell=cell, subject=usa, term_id=term.id, content=AOS_2)
    assert term.state == "proposed"
    assert service.missing_approvals(term, service.approvals_of(db, [term])[term.id]) == {"ISR", "SYR"}
    versions = service.versions_of(db, [term])[term.id]
    assert [service.version_state(term, v) for v in versions] == ["replaced", "awaiting"]
    with pytest.raises(Conflict):
        service.approve_term(db, cell=cell, subject=isr, term_id=term.id, version=1)


@pytest.mark.parametrize(
    "username",
    ["usa.admin", "isr.liaison", "syr.liaison", "fra.observer", "undof.observer", "isr.officer-intelligence"],
)
def test_only_the_mediator_s_liaison_supervisors_and_diplomacy_officers_propose(db, cell, subject, username):
    before = counts(db)
    with pytest.raises(Forbidden):
        service.propose_term(db, cell=cell, subject=subject(username), key="ceasefire", content=AOS)
    assert counts(db) == before
    assert service.can_propose(subject("usa.supervisor")) and service.can_propose(subject("usa.liaison"))


@pytest.mark.parametrize(
    "username",
    ["usa.liaison", "usa.supervisor", "fra.observer", "jor.observer", "isr.admin", "syr.officer-deescalation"],
)
def test_only_a_principal_s_liaison_or_diplomacy_officers_approve(db, cell, subject, username):
    term = service.propose_term(db, cell=cell, subject=subject("usa.liaison"), key="aos", content=AOS)
    before = counts(db)
    with pytest.raises(Forbidden):
        service.approve_term(db, cell=cell, subject=subject(username), term_id=term.id, version=1)
    assert counts(db) == before


def test_refusals_change_nothing(db, cell, subject):
    usa, isr, syr = subject("usa.liaison"), subject("isr.liaison"), subject("syr.liaison")
    term = service.propose_term(db, cell=cell, subject=usa, key="area-of-separation", content=AOS)
    service.approve_term(db, cell=cell, subject=isr, term_id=term.id, version=1)
    before = counts(db)
    empty = Wording(wording={"en": "x", "ar": " ", "he": "y"}, variants={})
    refusals = [
        (Conflict, lambda: service.propose_term(db, cell=cell, subject=usa, key="area-of-separation", content=AOS)),
        (Invalid, lambda: service.propose_term(db, cell=cell, subject=usa, key="other", content=empty)),
        (Invalid, lambda: service.revise_term(db, cell=cell, subject=usa, term_id=term.id, content=AOS)),
        (Forbidden, lambda: service.revise_term(db, cell=cell, subject=isr, term_id=term.id, content=AOS_2)),
        (Conflict, lambda: service.approve_term(db, cell=cell, subject=isr, term_id=term.id, version=1)),
        (Invalid, lambda: service.approve_term(db, cell=cell, subject=syr, term_id=term.id, version=3)),
        (NotFound, lambda: service.approve_term(db, cell=cell, subject=syr, term_id=usa.user_id, version=1)),
    ]
    for error, refused in refusals:
        with pytest.raises(error):
            refused()
        assert counts(db) == before
    service.approve_term(db, cell=cell, subject=syr, term_id=term.id, version=1)
    with pytest.raises(Conflict):
        service.approve_term(db, cell=cell, subject=syr, term_id=term.id, version=1)


def test_every_change_is_in_the_record_and_the_audit_finds_the_rows_as_recorded(db, cell, subject, signer):
    usa, isr, syr = subject("usa.liaison"), subject("isr.liaison"), subject("syr.liaison")
    start = counts(db)["LedgerEntry"]
    term = service.propose_term(db, cell=cell, subject=usa, key="area-of-separation", content=AOS)
    assert counts(db)["LedgerEntry"] == start + 2  # the term and its version 1
    service.approve_term(db, cell=cell, subject=isr, term_id=term.id, version=1)
    service.approve_term(db, cell=cell, subject=syr, term_id=term.id, version=1)
    service.revise_term(db, cell=cell, subject=usa, term_id=term.id, content=AOS_2)
    actions = [e.action for e in entries(db, "glossary-term")]
    assert actions == ["glossary-term-proposed", "glossary-term-agreed", "glossary-term-revised"]
    assert [e.action for e in entries(db, "glossary-version")] == [
        "glossary-version-proposed",
        "glossary-version-agreed",
        "glossary-version-proposed",
    ]
    assert [(json.loads(e.body)["party"], json.loads(e.body)["actor"]) for e in entries(db, "glossary-approval")] == [
        ("ISR", "isr.liaison"),
        ("SYR", "syr.liaison"),
    ]
    assert term.ledger_index == entries(db, "glossary-term")[-1].index
    db.flush()
    assert audit(db, verifier=signer.verifier()) == []


def test_every_party_of_the_cell_reads_the_glossary_through_the_one_rule(db, cell, subject):
    term = service.propose_term(db, cell=cell, subject=subject("usa.liaison"), key="aos", content=AOS)
    for username in ("usa.admin", "isr.admin", "syr.liaison", "fra.observer", "jor.observer", "undof.observer"):
        member = subject(username)
        assert can_read_record(member, term)
        assert [t.key for t in service.list_terms(db, subject=member)] == ["aos"]
        assert service.readable_term(db, subject=member, term_id=term.id).id == term.id


def test_the_stamp_changes_with_every_agreement(db, cell, subject):
    usa, isr, syr = subject("usa.liaison"), subject("isr.liaison"), subject("syr.liaison")
    first = service.glossary_stamp(db)
    term = service.propose_term(db, cell=cell, subject=usa, key="aos", content=AOS)
    proposed = service.glossary_stamp(db)
    service.approve_term(db, cell=cell, subject=isr, term_id=term.id, version=1)
    service.approve_term(db, cell=cell, subject=syr, term_id=term.id, version=1)
    agreed = service.glossary_stamp(db)
    assert len({first, proposed, agreed}) == 3


def test_the_demo_glossary(db, cell, subject):
    usa, isr, syr = subject("usa.liaison"), subject("isr.liaison"), subject("syr.liaison")
    seed_demo_glossary(db, cell=cell, usa=usa, isr=isr, syr=syr)
    terms = service.list_terms(db, subject=subject("undof.observer"))
    assert [t.key for t in terms] == sorted(TERMS)
    states = {t.key: t.state for t in terms}
    assert states.pop(REVISED) == "revised" and set(states.values()) == {"agreed"}
    revised = next(t for t in terms if t.key == REVISED)
    assert service.missing_approvals(revised, service.approvals_of(db, [revised])[revised.id]) == {"SYR"}
    agreed = service.agreed_versions(db, subject=isr)
    assert len(agreed) == len(TERMS) and all(v.note.startswith("[Illustrative") for _, v in agreed)
