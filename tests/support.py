"""Shared test helpers: the population of members and how to call the API as one of them."""

import os
import uuid
from dataclasses import dataclass
from pathlib import Path

from fusioncell.cell.definition import CellDefinition

PASSWORD = "correct horse battery staple"


def shared_dir() -> Path:
    """../shared beside the repository (FUSIONCELL_SHARED_DIR overrides)."""
    return Path(os.environ.get("FUSIONCELL_SHARED_DIR", Path(__file__).resolve().parents[2] / "shared"))


@dataclass(frozen=True)
class Member:
    """A test user: every role of every party gets one."""

    username: str
    party: str
    role: str
    token: str
    user_id: uuid.UUID


def roles_for(cell: CellDefinition, party: str) -> list[str]:
    role = str(cell.party(party).role)
    base = ["observer"] if role == "observer" else ["liaison", "officer:intelligence", "officer:deescalation"]
    return base + ["admin"] + (["supervisor"] if role == "mediator" else [])


@dataclass
class Population:
    members: list[Member]

    def member(self, party: str, role: str | None = None) -> Member:
        return next(m for m in self.members if m.party == party and (role is None or m.role == role))


def bearer(member: Member) -> dict[str, str]:
    return {"Authorization": f"Bearer {member.token}"}
