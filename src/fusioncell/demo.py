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


ILLUSTRATIVE = "[Illustrative demo record] "


def _subject(session: Session, cell: CellDefinition, username: str):
    from fusioncell.access.service import subject_for, user_by_name

    return subject_for(user_by_name(session, username), cell)


def seed_demo_records(session: Session, *, cell: CellDefinition) -> None:
    """A few clearly marked illustrative records so each working page shows something on first run.

    Only for the default cell's parties; a custom demo cell gets accounts but no seeded traffic."""
    from fusioncell.commerce.demo import seed_demo_projects
    from fusioncell.deconfliction.demo import seed_demo_notices
    from fusioncell.diplomacy.commitments.demo import seed_demo_commitments
    from fusioncell.diplomacy.demo import seed_demo_statements
    from fusioncell.diplomacy.meetings.demo import seed_demo_meetings
    from fusioncell.fusion.demo import seed_demo_fusions
    from fusioncell.glossary.demo import seed_demo_glossary
    from fusioncell.hotline.service import Draft, acknowledge, mark_read, relay_message, send_message
    from fusioncell.incidents.demo import seed_demo_incidents
    from fusioncell.intel.demo import seed_demo_intel
    from fusioncell.osint.demo import seed_demo_articles
    from fusioncell.verification.demo import seed_demo_verification

    if not {"USA", "ISR", "SYR", "UNDOF"} <= cell.party_codes:
        return
    isr, syr = _subject(session, cell, "isr.liaison"), _subject(session, cell, "syr.liaison")
    usa, undof = _subject(session, cell, "usa.mediator"), _subject(session, cell, "undof.observer")
    send_message(
        session,
        cell=cell,
        subject=usa,
        draft=Draft(
            channel="plenary",
            body=ILLUSTRATIVE + "Good morning. Agenda for today's plenary: **1.** the incident "
            "reports of the last 24 h near Quneitra; **2.** lead times for convoys to Suwayda.",
        ),
    )
    flash, _ = send_message(
        session,
        cell=cell,
        subject=isr,
        draft=Draft(
            channel="hotline",
            precedence="flash",
            body=ILLUSTRATIVE + "Unidentified drone observed over the Area of "
            "Separation near Jubata al-Khashab, heading east. Not ours. Please confirm it is not yours.",
        ),
    )
    mark_read(session, subject=syr, message_id=flash.id)
    acknowledge(session, subject=syr, message_id=flash.id)
    send_message(
        session,
        cell=cell,
        subject=syr,
        draft=Draft(
            channel="hotline",
            reply_to=flash.id,
            body=ILLUSTRATIVE + "تم الاستلام. ليست طائرتنا. نتحقق مع الوحدات في المنطقة.",
        ),
    )
    proposal, _ = send_message(
        session,
        cell=cell,
        subject=isr,
        draft=Draft(
            channel="usa-isr",
            body=ILLUSTRATIVE + "We could pull back the forward post at Hader by 2 km if the "
            "convoy corridor stays open.",
        ),
    )
    relay_message(
        session,
        cell=cell,
        subject=usa,
        message_id=proposal.id,
        to_channel="usa-syr",
        body=ILLUSTRATIVE + "Israel signals readiness for a limited pullback near Hader, linked to the "
        "convoy corridor. Would Damascus discuss it at the next plenary?",
    )
    send_message(
        session,
        cell=cell,
        subject=undof,
        draft=Draft(
            channel="observers",
            body=ILLUSTRATIVE + "Observer Group Golan: fortnightly inspection of the 0–10 km "
            "Area of Limitation scheduled for Thursday.",
        ),
    )
    send_message(
        session,
        cell=cell,
        subject=syr,
        draft=Draft(
            channel="hotline",
            precedence="immediate",
            body=ILLUSTRATIVE + "Ground movement reported west of Khan Arnabah. Please clarify.",
        ),
    )
    _seed_illustrative_webhook(session, cell=cell)
    seed_demo_notices(session, cell=cell)
    seed_demo_incidents(session, cell=cell, isr=isr, syr=syr, usa=usa)
    seed_demo_fusions(session, cell=cell, isr=isr, syr=syr, usa=usa)
    seed_demo_verification(session, cell=cell, isr=isr, syr=syr, usa=usa, undof=undof)
    isr_intel = _subject(session, cell, "isr.intel")
    seed_demo_intel(session, cell=cell, isr=isr, isr_intel=isr_intel, syr=syr, usa=usa, undof=undof)
    seed_demo_statements(session, cell=cell, usa=usa, isr=isr, syr=syr)
    seed_demo_meetings(session, cell=cell, usa=usa, isr=isr, syr=syr)
    seed_demo_commitments(session, cell=cell, usa=usa, isr=isr, syr=syr)
    seed_demo_projects(session, cell=cell, usa=usa, isr=isr, syr=syr)
    seed_demo_articles(session, cell=cell, usa=usa, isr=isr, syr=syr)
    seed_demo_glossary(session, cell=cell, usa=usa, isr=isr, syr=syr)


def _seed_illustrative_webhook(session: Session, *, cell: CellDefinition) -> None:
    """One webhook for ISR's admin to find on the Webhooks page: disabled at once, so nothing is ever
    sent (its host is under the reserved .example domain anyway) and no failing deliveries pile up."""
    from fusioncell.notifications.service import create_webhook, disable_webhook

    webhook, _ = create_webhook(
        session,
        cell=cell,
        party="ISR",
        url="https://ops.isr.example/fusioncell",
        description=ILLUSTRATIVE + "ops room dashboard (disabled: there is no such system)",
        kinds=[],
        actor="isr.admin",
    )
    disable_webhook(session, party="ISR", webhook_id=webhook.id, actor="isr.admin")
