"""The demo cell's accounts: fixed, documented credentials, for the demo cell only.

`fusioncell init` of a real cell never creates a password; these exist only through `fusioncell demo`
(or `init --demo`) and every one of them is listed in the README and printed at start.
"""

from dataclasses import dataclass

from sqlalchemy.orm import Session

from fusioncell.access.service import add_user
from fusioncell.cell.definition import CellDefinition

DEMO_PASSWORD = "fusioncell-demo"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    display_name: str
    party: str
    roles: tuple[str, ...]


DEMO_ACCOUNTS = (
    DemoAccount("usa.mediator", "US mediator (chair)", "USA", ("liaison", "admin")),
    DemoAccount("usa.supervisor", "US supervisor (escalations)", "USA", ("supervisor",)),
    DemoAccount("isr.liaison", "Israeli liaison officer", "ISR", ("liaison",)),
    DemoAccount("isr.intel", "Israeli intelligence officer", "ISR", ("officer:intelligence",)),
    DemoAccount("isr.admin", "Israeli cell administrator", "ISR", ("admin",)),
    DemoAccount("syr.liaison", "Syrian liaison officer", "SYR", ("liaison",)),
    DemoAccount("syr.intel", "Syrian intelligence officer", "SYR", ("officer:intelligence",)),
    DemoAccount("syr.deesc", "Syrian de-escalation officer", "SYR", ("officer:deescalation",)),
    DemoAccount("fra.observer", "French observer", "FRA", ("observer",)),
    DemoAccount("jor.observer", "Jordanian observer", "JOR", ("observer",)),
    DemoAccount("undof.observer", "UNDOF observer (Observer Group Golan)", "UNDOF", ("observer",)),
)


def create_demo_accounts(session: Session, *, cell: CellDefinition) -> list[DemoAccount]:
    """Only accounts whose party is in the cell (a custom demo cell may have other parties)."""
    created = []
    for account in DEMO_ACCOUNTS:
        if account.party in cell.party_codes:
            add_user(
                session,
                cell=cell,
                username=account.username,
                display_name=account.display_name,
                party=account.party,
                roles=list(account.roles),
                password=DEMO_PASSWORD,
                actor="demo",
            )
            created.append(account)
    return created
