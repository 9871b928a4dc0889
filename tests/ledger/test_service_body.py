"""append_entries writes its entry bodies with a fast encoder (_entry_bodies) and its rows with a bulk
insert (db/bulk.py insert_rows). Both must give exactly what entry_body (rfc8785.dumps) and insert(table) give."""

import hashlib
import random
import uuid
from datetime import UTC, datetime, timedelta, timezone
from enum import StrEnum

import pytest
import rfc8785
from sqlalchemy import insert, select, text

from fusioncell.ledger import merkle
from fusioncell.ledger.models import LedgerEntry, LedgerNode
from fusioncell.ledger.service import EntryDraft, _entry_bodies, append_entries, entry_body, tree_size

SAFE = 2**53 - 1
AT = datetime(2025, 3, 9, 1, 2, 3, 456789, tzinfo=UTC)

# Every character class RFC 8785 treats differently, and the ones it must leave alone.
NASTY = (
    [chr(c) for c in range(0x20)]  # C0 controls: \b \f \n \r \t short, the rest \u00xx
    + ['"', "\\", "/", "\x7f", "\x80", "\x9f", "\xa0", "\xad"]
    + ["\u2028", "\u2029", "\ufeff", "\ufffd", "\uffff", "\U0001f600", "\U0010ffff", "\u0301"]
)
NAMES = [
    "alpha.analyst",
    "José Martí",
    "Ḫaim Cohen",
    "محمد الأحمد",
    "יעל לוי",
    "李雷",
    "Zoë Ørsted-Łukasz",
    "Ὀδυσσεύς",
    "agent 🕊️",
    "",
]


def body_dict(index: int, at: datetime, draft: EntryDraft) -> dict:
    return {
        "index": index,
        "time": at.isoformat(timespec="microseconds"),
        "actor": draft.actor,
        "party": draft.party,
        "action": draft.action,
        "kind": draft.kind,
        "id": draft.record_id,
        "version": draft.version,
        "digest": draft.digest,
    }


def make_draft(**changes) -> EntryDraft:
    fields = dict(
        kind="message",
        record_id=str(uuid.uuid4()),
        version=1,
        action="create",
        actor="alpha.analyst",
        party="ISR",
        digest=hashlib.sha256(b"x").hexdigest(),
        origin_party="ISR",
        status="released",
        releasable_to=frozenset({"ISR"}),
    )
    fields.update(changes)
    return EntryDraft(**fields)


def random_text(rng: random.Random) -> str:
    pool = NASTY + list("abcXYZ09 .-_:") + list("".join(NAMES))
    return "".join(rng.choice(pool) for _ in range(rng.randint(0, 24)))


def assert_same(start: int, at: datetime, drafts: list[EntryDraft]) -> None:
    fast = _entry_bodies(start, at, drafts)
    for offset, draft in enumerate(drafts):
        expected = rfc8785.dumps(body_dict(start + offset, at, draft))
        assert fast[offset] == expected == entry_body(start + offset, at, draft)


def test_the_template_keys_are_in_rfc8785_order():
    draft = make_draft()
    assert _entry_bodies(0, AT, [draft]) == [entry_body(0, AT, draft)]
    keys = list(body_dict(0, AT, make_draft()))
    assert sorted(keys, key=lambda k: k.encode("utf-16be")) == [
        "action", "actor", "digest", "id", "index", "kind", "party", "time", "version"
    ]  # fmt: skip


def test_every_character_is_escaped_or_kept_exactly_as_rfc8785_does():
    chars = [chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF]
    chunks = ["".join(chars[i : i + 50_000]) for i in range(0, len(chars), 50_000)]
    drafts = []
    for chunk in chunks:
        drafts += [make_draft(actor=chunk), make_draft(action=chunk, kind=chunk[::-1], party=chunk[:7])]
    assert_same(0, AT, drafts)


def test_varied_random_drafts_give_identical_bytes():
    rng = random.Random(8785)
    zones = [UTC, timezone(timedelta(hours=5, minutes=30)), timezone(-timedelta(hours=11))]
    versions = [0, 1, 2, 7, 10**6, SAFE, -1, -SAFE]
    for round_ in range(30):
        at = datetime(
            2024, 1 + round_ % 12, 1 + round_, round_ % 24, 0, 0, rng.choice([0, 1, 999_999]), zones[round_ % 3]
        )
        drafts = [
            make_draft(
                kind=rng.choice(["message", "user", "api-token", random_text(rng)]),
                record_id=rng.choice([str(uuid.uuid4()), random_text(rng)]),
                version=rng.choice(versions),
                action=rng.choice(["create", "login", random_text(rng)]),
                actor=rng.choice(NAMES + [random_text(rng)]),
                party=rng.choice(["ISR", "SYR", "UNDOF", random_text(rng)]),
                digest=rng.choice([hashlib.sha256(rng.randbytes(8)).hexdigest(), random_text(rng)]),
            )
            for _ in range(40)
        ]
        assert_same(rng.choice([0, 1, 12_345, SAFE - 40]), at, drafts)


class Action(StrEnum):
    CREATE = "create"
    QUOTE = 'say "hi"\n'


@pytest.mark.parametrize(
    "changes",
    [
        {"version": True},  # bool is an int to Python, `true` to JSON
        {"version": False},
        {"version": 1.0},
        {"version": 2.5},
        {"version": None},
        {"actor": None},
        {"party": 7},
        {"action": Action.CREATE},
        {"action": Action.QUOTE},
        {"actor": "José", "version": -SAFE},
    ],
)
def test_odd_values_are_written_as_rfc8785_writes_them(changes):
    assert_same(3, AT, [make_draft(), make_draft(**changes), make_draft()])


@pytest.mark.parametrize(
    "start, changes",
    [
        (0, {"version": SAFE + 1}),
        (0, {"version": -SAFE - 1}),
        (SAFE, {}),  # the second entry's index is past the safe integers
        (0, {"actor": "lone \ud800 surrogate"}),
        (0, {"digest": "\udfff"}),
        (0, {"kind": b"bytes"}),
        (0, {"record_id": uuid.UUID(int=1)}),
    ],
)
def test_what_rfc8785_refuses_is_refused_the_same_way(start, changes):
    drafts = [make_draft(), make_draft(**changes)]
    with pytest.raises(rfc8785.CanonicalizationError) as expected:
        for offset, draft in enumerate(drafts):
            entry_body(start + offset, AT, draft)
    with pytest.raises(type(expected.value)) as got:
        _entry_bodies(start, AT, drafts)
    assert str(got.value) == str(expected.value)


def raw_row(db, index: int) -> tuple:
    """The row as the driver returns it, no SQLAlchemy type processing: what is really stored."""
    return tuple(db.execute(text('SELECT * FROM ledger_entries WHERE "index" = :i'), {"i": index}).one())


def test_stored_rows_are_those_a_core_insert_writes(db):
    rng = random.Random(4)
    drafts = [
        make_draft(
            actor=name,
            action=random_text(rng) or "x",
            releasable_to=frozenset(rng.sample(["ISR", "SYR", "UNDOF", "USA"], rng.randint(0, 3))),
            status=rng.choice(["released", "draft", "pending"]),
            version=rng.randint(1, 9),
        )
        for name in NAMES
    ]
    before = tree_size(db)
    indices = append_entries(db, drafts)
    assert indices == list(range(before, before + len(drafts)))
    assert tree_size(db) == before + len(drafts)

    entries = db.execute(select(LedgerEntry).where(LedgerEntry.index >= before).order_by(LedgerEntry.index))
    entries = list(entries.scalars())
    assert [e.index for e in entries] == indices
    created_at = entries[0].created_at
    for entry, draft in zip(entries, drafts, strict=True):
        assert entry.body.encode() == entry_body(entry.index, created_at, draft)
        assert entry.leaf == hashlib.sha256(entry.salt + entry.body.encode()).digest()
        assert len(entry.salt) == 32 and entry.created_at == created_at
        assert (entry.kind, entry.record_id, entry.record_version, entry.action) == (
            draft.kind, draft.record_id, draft.version, draft.action
        )  # fmt: skip
        assert (entry.origin_party, entry.status, entry.releasable_to) == (
            draft.origin_party, draft.status, draft.releasable_to
        )  # fmt: skip
    leaf_nodes = db.execute(
        select(LedgerNode.position, LedgerNode.hash)
        .where(LedgerNode.level == 0, LedgerNode.position >= before)
        .order_by(LedgerNode.position)
    ).all()
    assert [(p, h) for p, h in leaf_nodes] == [(e.index, merkle.leaf_hash(e.leaf)) for e in entries]

    # The same values through SQLAlchemy's own insert: the stored bytes must not differ in any column.
    twin = 10**12
    for entry in entries:
        db.execute(
            insert(LedgerEntry.__table__),
            [
                {
                    column.name: twin + entry.index if column.name == "index" else getattr(entry, column.key)
                    for column in LedgerEntry.__table__.c
                }
            ],
        )
        assert raw_row(db, entry.index)[1:] == raw_row(db, twin + entry.index)[1:]
