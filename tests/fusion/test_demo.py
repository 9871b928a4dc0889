"""The demo cell's fusion pages are alive on first run: the desk itself proposed both illustrative pairs,
the mediator merged one, and Syria reads that fusion but not Israel's report inside it."""

from sqlalchemy import select

from fusioncell.access.service import subject_for, user_by_name
from fusioncell.cell.loader import default_cell
from fusioncell.db.session import Database
from fusioncell.fusion.models import Fusion
from fusioncell.fusion.views import fusion_read
from tests.test_cli import cli  # noqa: F401  (the fixture)


def test_the_demo_cell_holds_a_proposal_and_a_merged_fusion(cli, fresh_url):  # noqa: F811
    assert cli("init", "--demo").exit_code == 0
    database = Database(fresh_url)
    cell = default_cell()
    with database.reading() as session:
        fusions = session.execute(select(Fusion).order_by(Fusion.id)).scalars().all()
        assert sorted(f.stage for f in fusions) == ["merged", "proposed"]
        [merged] = [f for f in fusions if f.stage == "merged"]
        assert merged.releasable_to == frozenset({"ISR", "SYR"}) and merged.description
        syr = subject_for(user_by_name(session, "syr.liaison"), cell)
        shown = {m.origin_party: m.incident is not None for m in fusion_read(session, syr, merged).members}
    database.dispose()
    assert shown == {"ISR": False, "SYR": True}
    assert cli("ledger", "audit").exit_code == 0
