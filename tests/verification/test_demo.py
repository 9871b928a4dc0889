"""The demo cell's verification part is alive on first run: clearly marked illustrative declarations (one over
its limits), inspections (one a violation the counts make) and positions at every stage but occupied, all in
a record that audits clean."""

from sqlalchemy import select

from fusioncell.db.session import Database
from fusioncell.demo import ILLUSTRATIVE
from fusioncell.verification.models import Inspection, Position, PostureDeclaration
from tests.test_cli import cli  # noqa: F401  (the fixture)


def test_the_demo_cell_holds_illustrative_verification_records(cli, fresh_url):  # noqa: F811
    assert cli("init", "--demo").exit_code == 0
    database = Database(fresh_url)
    with database.reading() as session:
        postures = {p.origin_party: p for p in session.execute(select(PostureDeclaration)).scalars()}
        inspections = session.execute(select(Inspection).order_by(Inspection.id)).scalars().all()
        positions = {p.name: p for p in session.execute(select(Position)).scalars()}
    database.dispose()
    assert all(p.remarks.startswith(ILLUSTRATIVE) for p in postures.values())
    assert (postures["ISR"].over_limit, postures["SYR"].over_limit) == (False, True)
    assert all(i.summary.startswith(ILLUSTRATIVE) for i in inspections)
    assert [(i.reported_result, i.result) for i in inspections] == [
        ("compliant", "compliant"),
        ("inconclusive", "violation"),
    ]
    assert all(p.description.startswith(ILLUSTRATIVE) for p in positions.values())
    assert {name: p.stage for name, p in positions.items()} == {
        "Post below Mount Hermon summit": "scheduled",
        "Forward post south of Quneitra": "withdrawn",
        "Outpost south of Rafid": "verified",
    }
    assert "aos" in positions["Outpost south of Rafid"].zones
    assert cli("ledger", "audit").exit_code == 0
