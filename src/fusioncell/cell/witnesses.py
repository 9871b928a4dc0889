"""Which witnesses the cell pushes its checkpoints to, and how many of them a client should require.

Each witness belongs to a party (usually each principal runs one) and is named by its C2SP verifier
key. The policy is a quorum of the listed witnesses, optionally with parties whose witness must be
among the cosigners (so "both principals" cannot be met by two witnesses of one side). No witness
listed (the default) means nothing is pushed and checkpoints carry the log's signature alone.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints

from fusioncell.cell.common import Model, PartyCode, Problem


class Witness(Model):
    name: str = Field(min_length=1)  # the key name in its vkey, which its cosignature lines carry
    party: PartyCode
    url: Annotated[str, StringConstraints(pattern=r"^https?://[^\s/]+(/\S*)?$")]  # `<url>/add-checkpoint`
    vkey: str = Field(min_length=1)  # its C2SP verifier key (cosignature/v1, Ed25519)


class WitnessPolicy(Model):
    quorum: int | None = Field(default=None, ge=1)  # None: every listed witness
    required_parties: tuple[PartyCode, ...] = ()  # a witness of each of these must have cosigned


class WitnessSettings(Model):
    witnesses: tuple[Witness, ...] = ()
    policy: WitnessPolicy = Field(default_factory=WitnessPolicy)

    @property
    def quorum(self) -> int:
        return self.policy.quorum if self.policy.quorum is not None else len(self.witnesses)

    def met_by(self, cosigners: set[str]) -> bool:
        """Whether witnesses with these names satisfy the policy (trivially true with none configured)."""
        if not self.witnesses:
            return True
        counted = {w.name for w in self.witnesses} & cosigners
        parties = {w.party for w in self.witnesses if w.name in counted}
        return len(counted) >= self.quorum and set(self.policy.required_parties) <= parties


def witness_problems(settings: WitnessSettings, party_codes: frozenset[str]) -> list[Problem]:
    """Unknown parties, unreadable keys, duplicate names, a quorum the list cannot reach."""
    out: list[Problem] = []
    seen: set[str] = set()
    for i, witness in enumerate(settings.witnesses):
        where = ("witnesses", "witnesses", i)
        if witness.party not in party_codes:
            out.append(((*where, "party"), f"unknown party {witness.party!r}"))
        if witness.name in seen:
            out.append(((*where, "name"), f"duplicate witness name {witness.name!r}"))
        seen.add(witness.name)
        problem = _vkey_problem(witness.vkey, witness.name)
        if problem:
            out.append(((*where, "vkey"), problem))
    policy = settings.policy
    if settings.witnesses and settings.quorum > len(settings.witnesses):
        out.append((("witnesses", "policy", "quorum"), f"quorum {settings.quorum} exceeds the witnesses listed"))
    listed = {w.party for w in settings.witnesses}
    for j, party in enumerate(policy.required_parties):
        if party not in listed:
            out.append((("witnesses", "policy", "required_parties", j), f"no witness of party {party!r} is listed"))
    return out


def _vkey_problem(vkey: str, name: str) -> str | None:
    # Imported here: the witness package is a separate program that must not load at cell import time.
    from fusioncell.witness.cosignature import CosignatureVerifier

    try:
        verifier = CosignatureVerifier.from_vkey(vkey)
    except ValueError as exc:  # CosignatureError is a ValueError
        return f"not a witness verifier key: {exc}"
    if verifier.name != name:
        return f"the key is named {verifier.name!r}, the witness {name!r}: they must be the same"
    return None
