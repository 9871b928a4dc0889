"""The demo cell's intelligence desk is alive on first run: every report is marked illustrative, Syria
reads the approved tearline but not the original, the review queues hold something, and the record
audits clean."""

from sqlalchemy import select

from fusioncell.access.service import subject_for, user_by_name
from fusioncell.cell.loader import default_cell
from fusioncell.db.session import Database
from fusioncell.demo import ILLUSTRATIVE
from fusioncell.intel import queries
from fusioncell.intel.models import IntelReport, ReportKind
from tests.test_cli import cli  # noqa: F401  (the fixture)


def test_the_demo_cell_shows_each_part_of_the_intelligence_desk(cli, fresh_url):  # noqa: F811
    assert cli("init", "--demo").exit_code == 0
    database = Database(fresh_url)
    cell = default_cell()
    with database.reading() as session:
        reports = session.execute(select(IntelReport)).scalars().all()
        shown = [r for r in reports if r.kind not in (ReportKind.TEARLINE_LINK,)]
        assert all(r.summary.startswith(ILLUSTRATIVE) or r.kind == ReportKind.SIGHTING for r in shown)
        kinds = {str(r.kind) for r in reports}
        assert {"report", "tearline", "tearline-link", "sighting"} <= kinds
        syr = subject_for(user_by_name(session, "syr.liaison"), cell)
        readable = queries.readable_reports(session, subject=syr, filters=queries.ReportFilters())
        titles = {r.title for r in session.execute(readable).scalars()}
        assert "Drone activity in the Quneitra sector" in titles
        assert "Drone launches controlled from a relay near Quneitra" not in titles
        usa = subject_for(user_by_name(session, "usa.mediator"), cell)
        waiting = queries.readable_reports(session, subject=usa, filters=queries.ReportFilters(awaiting="mediator"))
        assert session.execute(waiting).scalars().all()
        isr = subject_for(user_by_name(session, "isr.intel"), cell)
        second = queries.ReportFilters(awaiting="second-officer")
        assert session.execute(queries.readable_reports(session, subject=isr, filters=second)).scalars().all()
    database.dispose()
    audited = cli("ledger", "audit")
    assert audited.exit_code == 0, audited.output
