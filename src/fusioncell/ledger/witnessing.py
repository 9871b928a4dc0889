"""The cell's side of C2SP tlog-witness: push the latest checkpoint to each configured witness.

Runs from a background timer, never from a request: the database is read in one short transaction,
the witnesses are asked in parallel with no transaction open (a slow witness must not hold SQLite's
write lock), and what they answered is stored in a second short transaction.

Each push sends old size = the size the cell believes the witness last cosigned (0 at first) with
the consistency proof from there. A 409 gives the witness's real size: the push is retried once from
it (a witness restored from an older state, or a cell whose status rows were lost, recovers so). A
422 (inconsistent proof), 403 (signature) or anything else is a refusal: recorded, logged, shown.
"""

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta

import structlog
from sqlalchemy import select
from sqlalchemy.orm import Session

from fusioncell.cell.witnesses import Witness, WitnessSettings
from fusioncell.db.session import Database
from fusioncell.db.types import utcnow
from fusioncell.ledger import service
from fusioncell.ledger.models import Checkpoint
from fusioncell.ledger.witnessing_models import Cosignature, WitnessStatus
from fusioncell.witness.client import AddResult, add_checkpoint
from fusioncell.witness.cosignature import CosignatureError, CosignatureVerifier, split_note

log = structlog.get_logger("fusioncell.witnessing")
TIMEOUT = 5.0
RETRY_AFTER = timedelta(seconds=10)

Send = Callable[..., AddResult]  # add_checkpoint's signature; tests may wrap it


@dataclass(frozen=True)
class Push:
    witness: Witness
    old_size: int
    proof: list[bytes]


@dataclass(frozen=True)
class Outcome:
    witness: Witness
    result: AddResult
    line: str | None = None  # the verified cosignature line, when cosigned
    timestamp: int | None = None
    old_size: int | None = None  # the size sent last (after a 409, the witness's)


@dataclass(frozen=True)
class Round:
    """One push of one checkpoint: what was read before any witness is asked."""

    size: int
    note: str
    pushes: list[Push]


async def run_pusher(runtime, every: float) -> None:
    """The background timer: every `every` seconds, push the newest checkpoint to the witnesses.

    Only the last step writes, and it queues at the runtime's write gate like a request (on SQLite a
    writer outside the gate can starve in SQLite's busy handler behind a stream of requests); the HTTP
    calls hold neither the gate nor a transaction."""
    database, settings = runtime.database, runtime.cell.witnesses
    while settings.witnesses:
        try:
            pushing = await asyncio.to_thread(prepare, database, settings)
            if pushing is not None:
                outcomes = await asyncio.to_thread(ask, database, pushing)
                async with runtime.write_gate():
                    await asyncio.to_thread(store, database, pushing.size, outcomes)
        except Exception:
            log.exception("witness push failed; retrying")
        await asyncio.sleep(every)


def push_latest(database: Database, settings: WitnessSettings, *, send: Send = add_checkpoint) -> list[Outcome]:
    """One push, start to end, in the calling thread (the CLI, tests and the benchmark)."""
    pushing = prepare(database, settings)
    if pushing is None:
        return []
    outcomes = ask(database, pushing, send=send)
    store(database, pushing.size, outcomes)
    return outcomes


def prepare(database: Database, settings: WitnessSettings) -> Round | None:
    """The newest checkpoint and a push for each witness that lacks its cosignature; None: nothing to do."""
    if not settings.witnesses:
        return None
    with database.reading() as session:
        checkpoint = service.latest_checkpoint(session)
        if checkpoint is None:
            return None
        pushes = plan_pushes(session, settings, checkpoint)
        return Round(checkpoint.size, checkpoint.note, pushes) if pushes else None


def ask(database: Database, pushing: Round, *, send: Send = add_checkpoint) -> list[Outcome]:
    """Ask the witnesses (in parallel), once more from its own size any that answers 409; verify the lines."""
    note, size = pushing.note, pushing.size
    pairs = list(zip(pushing.pushes, _send_all(pushing.pushes, note, send), strict=True))
    pairs = _retry_conflicts(database, pairs, note, size, send)
    return [_checked(p.witness, r, note, p.old_size) for p, r in pairs]


def store(database: Database, size: int, outcomes: list[Outcome]) -> None:
    with database.writing() as session:
        record_outcomes(session, size, outcomes)


def _send_all(pushes: list[Push], note: str, send: Send) -> list[AddResult]:
    """Ask every witness at once (threads: only HTTP happens in them, never the database)."""

    def one(push: Push) -> AddResult:
        return send(str(push.witness.url), old_size=push.old_size, proof=push.proof, note=note, timeout=TIMEOUT)

    with ThreadPoolExecutor(max_workers=len(pushes)) as pool:
        return list(pool.map(one, pushes))


def _retry_conflicts(
    database: Database, pairs: list[tuple[Push, AddResult]], note: str, size: int, send: Send
) -> list[tuple[Push, AddResult]]:
    """A 409 names the witness's real size: prove from there and ask once more."""
    stale = [p for p, r in pairs if r.conflict and r.latest_size is not None and r.latest_size <= size]
    if not stale:
        return pairs
    sizes = {p.witness.name: r.latest_size for p, r in pairs}
    with database.reading() as session:
        again = [Push(p.witness, sizes[p.witness.name], _proof(session, sizes[p.witness.name], size)) for p in stale]
    redone = {p.witness.name: (p, r) for p, r in zip(again, _send_all(again, note, send), strict=True)}
    return [redone.get(p.witness.name, (p, r)) for p, r in pairs]


def plan_pushes(session: Session, settings: WitnessSettings, checkpoint: Checkpoint) -> list[Push]:
    """One push per witness whose cosignature of this checkpoint the cell does not hold yet."""
    statuses = {s.name: s for s in session.execute(select(WitnessStatus)).scalars()}
    have = set(session.execute(select(Cosignature.witness).where(Cosignature.size == checkpoint.size)).scalars())
    pushes, now = [], utcnow()
    for witness in settings.witnesses:
        if witness.name in have:
            continue
        status = statuses.get(witness.name)
        if _resting(status, checkpoint.size, now):
            continue
        old = status.cosigned_size if status is not None else 0
        if old > checkpoint.size:
            old = 0  # the cell's view is ahead of its own log (restored database): let the 409 say
        pushes.append(Push(witness, old, _proof(session, old, checkpoint.size)))
    return pushes


def _resting(status: WitnessStatus | None, size: int, now) -> bool:
    """A witness that refused this very checkpoint is asked again only after RETRY_AFTER: the timer runs
    ten times a second, and a down witness must not get (or log) ten refusals a second."""
    if status is None or status.refused_at is None or status.attempted_size != size:
        return False
    return now - status.refused_at < RETRY_AFTER


def _proof(session: Session, old: int, size: int) -> list[bytes]:
    return [] if old == 0 else service.consistency_proof(session, first=old, second=size)


def _checked(witness: Witness, result: AddResult, note: str, old: int) -> Outcome:
    """Keep only a line that verifies under the witness's configured key; anything else is a refusal."""
    if not result.cosigned:
        return Outcome(witness, result, old_size=old)
    verifier = CosignatureVerifier.from_vkey(witness.vkey)
    body, _ = split_note(note)
    for line in result.lines:
        if verifier.matches(line):
            try:
                return Outcome(witness, result, line=line, timestamp=verifier.verify(body, line), old_size=old)
            except CosignatureError as exc:
                reason = f"cosignature does not verify: {exc}"
                break
    else:
        reason = "no cosignature by its configured key"
    return Outcome(witness, AddResult("refused", result.status, reason=reason), old_size=old)


def record_outcomes(session: Session, size: int, outcomes: list[Outcome]) -> None:
    now = utcnow()
    for outcome in outcomes:
        name = outcome.witness.name
        status = session.get(WitnessStatus, name) or WitnessStatus(name=name, cosigned_size=0)
        session.add(status)
        status.attempted_at, status.attempted_size = now, size
        result = outcome.result
        if outcome.line is not None:
            session.merge(Cosignature(size=size, witness=name, timestamp=outcome.timestamp, line=outcome.line))
            status.cosigned_size, status.cosigned_at, status.refusal, status.refused_at = size, now, None, None
            log.info("witness cosigned", witness=name, size=size)
            continue
        if result.conflict and result.latest_size is not None:
            status.cosigned_size = result.latest_size  # where the next push starts
        status.refusal = _refusal(result)
        status.refused_at = now
        log.warning("witness refused", witness=name, size=size, status=result.status, reason=result.reason)


def _refusal(result: AddResult) -> str:
    """`<status>: <reason>` for the panel; an unreachable witness's reason says so already."""
    reason = result.reason or f"conflict: the witness is at size {result.latest_size}"
    return (reason if result.status == 0 else f"{result.status}: {reason}")[:1000]


def cosignature_lines(session: Session, size: int) -> list[str]:
    """The stored cosignature lines of the checkpoint at `size`, in a stable order."""
    query = select(Cosignature.line).where(Cosignature.size == size).order_by(Cosignature.witness)
    return list(session.execute(query).scalars())


def with_cosignatures(session: Session, checkpoint: Checkpoint) -> str:
    """The checkpoint's signed note with its witnesses' lines appended: still a valid signed note."""
    return checkpoint.note + "".join(cosignature_lines(session, checkpoint.size))


def latest_cosigned(session: Session, settings: WitnessSettings, *, above: int = -1) -> Checkpoint | None:
    """The newest checkpoint (of size > above) whose cosignatures meet the policy; the newest at all
    when no witness is configured."""
    query = select(Checkpoint).where(Checkpoint.size > above).order_by(Checkpoint.size.desc())
    if not settings.witnesses:
        return session.execute(query.limit(1)).scalar_one_or_none()
    names = [w.name for w in settings.witnesses]
    signed = select(Cosignature.size, Cosignature.witness).where(
        Cosignature.witness.in_(names), Cosignature.size > above
    )
    by_size: dict[int, set[str]] = {}
    for size, witness in session.execute(signed):
        by_size.setdefault(size, set()).add(witness)
    for size in sorted(by_size, reverse=True):
        if settings.met_by(by_size[size]):
            return session.get(Checkpoint, size)
    return None
