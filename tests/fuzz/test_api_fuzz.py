"""Schemathesis fuzzes every operation of the API of a real `fusioncell serve` on a demo cell, as each of the six
parties: no server error, every response as the OpenAPI document describes it (a documented status code, its
content type, its body schema), and nothing of the records only ISR and the mediator may read ever reaches SYR,
FRA, JOR or UNDOF.

On SQLite and on PostgreSQL, each on its own freshly initialised cell (FUSIONCELL_FUZZ_BACKENDS picks one).

Bounded for CI: at most MAX_EXAMPLES[backend] generated cases per operation and party (25 on SQLite, 12 on
PostgreSQL; FUSIONCELL_FUZZ_EXAMPLES=postgresql=25 overrides), valid and invalid ones drawn together,
derandomized (Hypothesis's fixed seed: the same requests on every run), no shrinking, no example database, no
coverage or stateful phase: on SQLite some 3,500 requests per party, about 3.5 minutes in all on two cores;
PostgreSQL adds some 2,000 requests per party, about 2.5 minutes more.

Each operation is run by hand from `operation.as_strategy()` rather than by `@schema.parametrize()` on
`schemathesis.pytest.from_fixture()`: that lazy loader sets `request.node._nodeid`, which pytest 9 no longer
has (schemathesis 4.32.5), and a module-level `from_url` would need the server before collection.
"""

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.events.live import LiveCell, initialised_cell

pytestmark = pytest.mark.slow

PARTIES = ("USA", "ISR", "SYR", "FRA", "JOR", "UNDOF")
OUTSIDERS = ("SYR", "FRA", "JOR", "UNDOF")  # who may read neither seeded record
# Both backends by default (FUSIONCELL_FUZZ_BACKENDS=sqlite, or =postgresql, fuzzes one). PostgreSQL gets fewer
# examples per operation and party, to keep its share of the CI budget within some 4 minutes: the SQL the fuzzed
# requests reach is the same, what PostgreSQL adds is its own types, limits and errors, which the first examples
# of each operation already exercise. FUSIONCELL_FUZZ_EXAMPLES=postgresql=25 (or sqlite=50,postgresql=25)
# changes the counts.
FUZZED_BACKENDS = os.environ.get("FUSIONCELL_FUZZ_BACKENDS", "sqlite,postgresql").split(",")
MAX_EXAMPLES = {"sqlite": 25, "postgresql": 12} | {
    backend.strip(): int(count)
    for backend, _, count in (
        pair.partition("=") for pair in os.environ.get("FUSIONCELL_FUZZ_EXAMPLES", "").split(",") if pair.strip()
    )
}

# Operations left out, and why:
#  - GET /api/v1/stream: the live Server-Sent Events stream answers 200 and never ends (tests/events covers it).
#  - Nothing else: a fuzzed id names no real record, so no revocation, retraction or token revoke touches the
#    seeded records or the parties' tokens, and the API has no logout.
EXCLUDED = {"GET /api/v1/stream"}
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]

CONFIG = schemathesis.Config()  # the defaults, whatever schemathesis.toml a checkout may hold

# What the records only ISR and USA may read look like: their marker strings and ids (filled by `_seed_secrets`).
SECRETS: set[str] = set()
TOKEN_PARTY: dict[str, str] = {}


@schemathesis.check
def no_leak_to_outsiders(ctx, response, case):
    """A response to SYR, FRA, JOR or UNDOF carries no marker or id of the ISR/USA-only records."""
    authorization = response.request.headers.get("Authorization", "")
    party = TOKEN_PARTY.get(authorization.removeprefix("Bearer "))
    if party not in OUTSIDERS:
        return None
    text = response.content.decode("utf-8", "replace")
    leaked = sorted(secret for secret in SECRETS if secret in text)
    if leaked:
        raise AssertionError(f"{party} was answered {leaked} of records only ISR and USA may read")
    return True


CHECKS.append(no_leak_to_outsiders)


@pytest.fixture(scope="module", params=FUZZED_BACKENDS)
def fuzz_cell(request, tmp_path_factory) -> Iterator[LiveCell]:
    with initialised_cell(request.param, tmp_path_factory.mktemp("fuzz")) as cell:
        cell.server()
        for party in PARTIES:
            TOKEN_PARTY[cell.token(party)] = party
        _seed_secrets(cell)
        yield cell
    TOKEN_PARTY.clear()
    SECRETS.clear()


def _seed_secrets(cell: LiveCell) -> None:
    """A hotline message in usa-isr and an incident released to USA alone, each with a unique marker."""
    run = uuid.uuid4().hex
    message_marker, incident_marker = f"FUZZ-SECRET-MESSAGE-{run}", f"FUZZ-SECRET-INCIDENT-{run}"
    message = cell.send("ISR", "usa-isr", f"Bilateral only. {message_marker}")
    incident = cell.post(
        "ISR",
        "/api/v1/incidents",
        json={
            "occurred_at": (datetime.now(UTC) - timedelta(hours=1)).isoformat(),
            "time_precision": "hour",
            "location": {"type": "Point", "coordinates": [35.8239, 33.1256]},
            "geo_precision": "near",
            "type": "armed-clash",
            "severity": 3,
            "description": f"For the mediator only. {incident_marker}",
            "sources": [incident_marker],
            "releasable_to": ["USA"],
        },
    )
    assert incident.status_code == 201, incident.text
    SECRETS.update({message_marker, incident_marker, message["id"], incident.json()["id"]})
    # The seeding itself is sound: ISR and USA read both, the outsiders neither.
    for party in PARTIES:
        readable = [
            cell.get(party, f"/api/v1/messages/{message['id']}").status_code,
            cell.get(party, f"/api/v1/incidents/{incident.json()['id']}").status_code,
        ]
        assert readable == ([200, 200] if party in ("ISR", "USA") else [404, 404]), (party, readable)
    # ...and the markers are what a reader of them is answered, so the check would see a leak.
    listing = cell.get("ISR", "/api/v1/messages?channel=usa-isr").text
    assert message_marker in listing and message["id"] in listing


@pytest.fixture(scope="module")
def api_schema(fuzz_cell):
    base = fuzz_cell.server().base
    return schemathesis.openapi.from_url(f"{base}/api/v1/openapi.json", config=CONFIG, timeout=30)


def _fuzz(operation, headers: dict[str, str], examples: int) -> None:
    """`examples` cases of the operation, valid and invalid, each sent to the live server and checked."""
    cases = operation.as_strategy(GenerationMode.POSITIVE) | operation.as_strategy(GenerationMode.NEGATIVE)

    @settings(
        max_examples=examples,
        derandomize=True,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
        database=None,
        print_blob=False,
    )
    @given(case=cases)
    def run(case) -> None:
        case.call_and_validate(headers=headers, timeout=30, checks=CHECKS)

    run()


@pytest.mark.timeout(900)
@pytest.mark.parametrize("party", PARTIES)
def test_api_fuzz(party, fuzz_cell, api_schema):
    """Every operation (but the live stream), fuzzed as the party; every failure is reported, not just the first."""
    headers = fuzz_cell.headers(party)
    examples = MAX_EXAMPLES[fuzz_cell.backend]
    failures, fuzzed = [], 0
    for result in api_schema.get_all_operations():
        operation = result.ok()
        if operation.label in EXCLUDED:
            continue
        fuzzed += 1
        try:
            _fuzz(operation, headers, examples)
        except (Exception, FailureGroup) as exc:  # noqa: BLE001 - checks' failures, hypothesis errors: all reported
            failures.append(f"{operation.label} as {party}:\n{exc}")
    assert fuzzed >= 170, f"only {fuzzed} operations in the OpenAPI document"
    assert not failures, f"{len(failures)} of {fuzzed} operations failed as {party}:\n\n" + "\n\n".join(failures)
