"""The authorization-matrix harness: an endpoint × every role of every party × every envelope state.

A desk plugs its endpoint in with a `MatrixCase`: how to create a record in a given envelope state,
the detail path of a record, and (if it lists) the list path and how to read ids from a page. The
harness then proves that each member reads exactly what the releasability rule allows — as stated
independently in `expected_readers`, not by calling the rule under test — and that an unreadable
record answers the very same 404 as one that does not exist.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from fusioncell.cell.definition import CellDefinition
from fusioncell.db.base import Status
from tests.support import Population, bearer


@dataclass(frozen=True)
class EnvelopeState:
    label: str
    origin: str
    status: Status
    releasable_to: frozenset[str]


def envelope_states(cell: CellDefinition) -> list[EnvelopeState]:
    """From every party: a draft, a release pending the mediator, a release to each other party alone,
    a release to nobody, and a retraction."""
    codes = sorted(cell.party_codes)
    states = []
    for origin in codes:
        others = frozenset(codes) - {origin}
        states.append(EnvelopeState(f"{origin} draft", origin, Status.DRAFT, others))
        states.append(EnvelopeState(f"{origin} pending", origin, Status.PENDING, others))
        for reader in sorted(others):
            states.append(EnvelopeState(f"{origin} released to {reader}", origin, Status.RELEASED, frozenset({reader})))
        states.append(EnvelopeState(f"{origin} released to nobody", origin, Status.RELEASED, frozenset()))
        states.append(EnvelopeState(f"{origin} retracted", origin, Status.RETRACTED, others))
    return states


def expected_readers(state: EnvelopeState, cell: CellDefinition) -> set[str]:
    """DESIGN.md's rule, written out plainly as the oracle."""
    readers = {state.origin}
    if state.status == Status.DRAFT:
        return readers  # drafts are the origin party's alone
    readers.add(cell.mediator.code)  # supervision: the mediator sees everything that is not a draft
    if state.status in (Status.RELEASED, Status.RETRACTED):
        readers |= state.releasable_to  # observers and principals alike: only what names them
    return readers


@dataclass
class MatrixCase:
    name: str
    create: Callable[[Session, EnvelopeState], str]  # returns the id the endpoint addresses it by
    detail_path: Callable[[str], str]
    missing_id: str  # well-formed, exists nowhere
    list_path: str | None = None
    listed_ids: Callable[[Any], set[str]] = field(default=lambda page: {str(i["id"]) for i in page["items"]})
    # Writes on a record (method, path, JSON body): a party that may not read it must get the very
    # 404 of a missing record. Checked for one member per party (roles do not change readability),
    # and only where the answer must be 404, so nothing is changed by the check itself.
    actions: list[Callable[[str], tuple[str, str, dict | None]]] = field(default_factory=list)


@dataclass
class MatrixResult:
    checks: int = 0
    failures: list[str] = field(default_factory=list)


def envelope_of(state: EnvelopeState) -> dict[str, Any]:
    """The envelope columns of a probe record in `state`, for a case's `create`."""
    return {
        "origin_party": state.origin,
        "created_by": "test",
        "status": state.status,
        "releasable_to": state.releasable_to,
    }


def stored(session: Session, record: Any) -> str:
    """Add a probe record and return its id, as a case's `create` does."""
    session.add(record)
    session.flush()
    return str(record.id)


def assert_matrix_holds(
    client: TestClient, session: Session, population: Population, cell: CellDefinition, case: MatrixCase
) -> MatrixResult:
    """Run the case and fail on any disagreement with the oracle, or if nothing was checked at all."""
    result = run_matrix(client, session, population, cell, case)
    assert result.checks, f"{case.name}: the matrix checked nothing"
    assert not result.failures, "\n".join(result.failures[:20])
    return result


def run_matrix(
    client: TestClient, session: Session, population: Population, cell: CellDefinition, case: MatrixCase
) -> MatrixResult:
    states = envelope_states(cell)
    created = [(state, case.create(session, state)) for state in states]
    session.commit()
    result = MatrixResult()
    for member in population.members:
        headers = bearer(member)
        missing = client.get(case.detail_path(case.missing_id), headers=headers)
        assert missing.status_code == 404, f"{case.name}: a missing record answered {missing.status_code}"
        listed = case.listed_ids(client.get(case.list_path, headers=headers).json()) if case.list_path else None
        for state, record_id in created:
            may = member.party in expected_readers(state, cell)
            response = client.get(case.detail_path(record_id), headers=headers)
            result.checks += 1
            who = f"{member.username} on {state.label}"
            if may and response.status_code != 200:
                result.failures.append(f"{who}: expected 200, got {response.status_code}")
            if not may and (response.status_code != 404 or response.json() != missing.json()):
                result.failures.append(f"{who}: expected the 404 of a missing record, got {response.status_code}")
            if listed is not None:
                result.checks += 1
                if (record_id in listed) != may:
                    result.failures.append(f"{who}: listed={record_id in listed}, may read={may}")
    _check_actions(client, population, cell, case, created, result)
    return result


def _check_actions(client, population, cell, case, created, result) -> None:
    one_per_party = {m.party: m for m in population.members}.values()
    for action in case.actions:
        for member in one_per_party:
            headers = bearer(member)
            method, path, body = action(case.missing_id)
            missing = client.request(method, path, json=body, headers=headers)
            for state, record_id in created:
                if member.party in expected_readers(state, cell):
                    continue
                method, path, body = action(record_id)
                response = client.request(method, path, json=body, headers=headers)
                result.checks += 1
                if response.status_code != 404 or response.json() != missing.json():
                    result.failures.append(
                        f"{member.username} {method} {path} on {state.label}: "
                        f"expected the 404 of a missing record, got {response.status_code}"
                    )
