"""The demo cell's joint statements, alive on first run: clearly marked illustrative statements, one
published with Israel's and Syria's signatures (its bundle verifies), one revised once and signed by Israel,
waiting for Syria to sign from the browser. Both parties' demo keys are generated here and stored in the
cell (sealed), so the web signing path works with the demo password. The same service calls as any other
statement, into the record."""

from sqlalchemy.orm import Session

from fusioncell.access.subjects import Subject
from fusioncell.cell.definition import CellDefinition
from fusioncell.config import Settings
from fusioncell.demo import ILLUSTRATIVE
from fusioncell.diplomacy import service, signing
from fusioncell.diplomacy.keys import store_party_key
from fusioncell.diplomacy.models import Statement

PUBLISHED = {
    "en": ILLUSTRATIVE + "The parties reaffirm their commitment to the 1974 Agreement on Disengagement.\n\n"
    "They will keep the hotline staffed around the clock and answer flash messages within ten minutes.",
    "ar": ILLUSTRATIVE + "يؤكد الطرفان التزامهما باتفاق فض الاشتباك لعام 1974.\n\n"
    "وسيبقيان الخط الساخن مفتوحا على مدار الساعة ويردان على الرسائل العاجلة خلال عشر دقائق.",
}
AWAITING_1 = {
    "en": ILLUSTRATIVE + "The parties will meet in Amman to discuss humanitarian convoys to Suwayda.\n\n"
    "Each party names a convoy coordinator by the next plenary.",
}
AWAITING_2 = {
    "en": ILLUSTRATIVE + "The parties will meet in Amman to discuss humanitarian convoys to Suwayda.\n\n"
    "Each party names a convoy coordinator within seven days.\n\n"
    "The mediator circulates the coordinators' contacts to both parties.",
}


def _demo_key(session: Session, cell: CellDefinition, party: Subject, settings: Settings | None) -> bytes:
    private_key = signing.new_private_key()
    store_party_key(
        session,
        cell=cell,
        party=party.party,
        actor="demo",
        public_key=signing.public_key_of(private_key),
        private_key=private_key,
        settings=settings,
    )
    return private_key


def _sign(session: Session, cell: CellDefinition, signer: Subject, statement: Statement, private_key: bytes) -> None:
    version = statement.latest_version
    digest = signing.digest(
        service.version_of(session, statement, version).texts, statement_id=statement.id, version=version
    )
    service.sign_statement(
        session,
        cell=cell,
        subject=signer,
        statement_id=statement.id,
        version=version,
        signature=signing.sign(private_key, digest),
        key_id=signing.key_id_of(signing.public_key_of(private_key)),
    )


def seed_demo_statements(
    session: Session,
    *,
    cell: CellDefinition,
    usa: Subject,
    isr: Subject,
    syr: Subject,
    settings: Settings | None = None,
) -> None:
    keys = {"ISR": _demo_key(session, cell, isr, settings), "SYR": _demo_key(session, cell, syr, settings)}
    required = frozenset({isr.party, syr.party})

    published = service.draft_statement(
        session,
        cell=cell,
        subject=usa,
        title="Hotline commitment (illustrative)",
        required_parties=required,
        texts=PUBLISHED,
    )
    for party in (isr, syr):
        _sign(session, cell, party, published, keys[party.party])
    service.publish_statement(session, cell=cell, subject=usa, statement_id=published.id)

    awaiting = service.draft_statement(
        session,
        cell=cell,
        subject=usa,
        title="Convoy talks in Amman (illustrative)",
        required_parties=required,
        texts=AWAITING_1,
    )
    service.comment_on(
        session,
        subject=syr,
        statement_id=awaiting.id,
        version=1,
        paragraph=2,
        text=ILLUSTRATIVE + "Seven days would suit us better than 'the next plenary'.",
    )
    service.revise_statement(
        session, cell=cell, subject=usa, statement_id=awaiting.id, texts=AWAITING_2, note="Seven days, as Syria asked."
    )
    _sign(session, cell, isr, awaiting, keys["ISR"])
