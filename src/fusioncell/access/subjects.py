"""The subject of a request: an authenticated user, their party and roles."""

import uuid
from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"  # manages accounts and the cell definition; still sees only its party's records
    SUPERVISOR = "supervisor"  # receives escalations (the mediator's supervisors)
    LIAISON = "liaison"  # speaks for the party on the hotline and the plenary
    OFFICER = "officer"  # desk officer; written "officer:<desk>"
    OBSERVER = "observer"


def parse_role(text: str, desks: frozenset[str]) -> str:
    """Validate a role string: a fixed role, or officer:<desk> for a desk of the cell."""
    base, _, desk = text.partition(":")
    if base == Role.OFFICER:
        if desk not in desks:
            raise ValueError(f"unknown desk in role {text!r}; desks are {', '.join(sorted(desks))}")
        return text
    if desk or base not in {r.value for r in Role} - {Role.OFFICER.value}:
        raise ValueError(f"unknown role {text!r}")
    return base


@dataclass(frozen=True)
class Subject:
    user_id: uuid.UUID
    username: str
    display_name: str
    party: str
    party_role: str  # mediator / principal / observer, from the cell definition
    roles: frozenset[str]

    @property
    def is_mediator(self) -> bool:
        return self.party_role == "mediator"

    def has_role(self, role: str) -> bool:
        return role in self.roles
