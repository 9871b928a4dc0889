"""The demo cell's de-escalation desk is alive on first run: clearly marked illustrative incidents in
different stages, every one of them in the record (`ledger audit` stays clean)."""

from sqlalchemy import select

from fusioncell.db.session import Database
from fusioncell.demo import ILLUSTRATIVE
from fusioncell.incidents.models import Incident
from tests.test_cli import cli  # noqa: F401  (the fixture)


def test_the_demo_cell_holds_illustrative_incidents_at_quneitra_and_near_hader(cli, fresh_url):  # noqa: F811
    assert cli("init", "--demo").exit_code == 0
    database = Database(fresh_url)
    with database.reading() as session:
        incidents = session.execute(select(Incident).order_by(Incident.id)).scalars().all()
    database.dispose()
    assert all(incident.description.startswith(ILLUSTRATIVE) for incident in incidents)
    quneitra, hader = incidents[:2]  # the fusion desk's illustrative reports follow (tests/fusion/test_demo.py)
    assert "aos" in quneitra.zones and quneitra.stage == "under_investigation"
    assert [site["place"] for site in hader.protected_sites] == ["hader"]
    assert (hader.stage, hader.severity, hader.ack_parties) == ("reported", 5, frozenset({"ISR"}))
    assert cli("ledger", "audit").exit_code == 0
