"""The demo cell's notices: illustrative, found about like any other, and in a record that audits clean."""

from sqlalchemy import select
from typer.testing import CliRunner

from fusioncell.cli import app
from fusioncell.config import get_settings
from fusioncell.db.session import Database
from fusioncell.deconfliction.models import Notice, NoticeAcknowledgement
from fusioncell.demo import ILLUSTRATIVE


def test_the_demo_gives_illustrative_notices_and_the_record_audits_clean(fresh_url, tmp_path, monkeypatch):
    monkeypatch.setenv("FUSIONCELL_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("FUSIONCELL_DATABASE_URL", fresh_url)
    get_settings.cache_clear()
    try:
        runner = CliRunner()
        assert runner.invoke(app, ["init", "--demo"], catch_exceptions=False).exit_code == 0
        database = Database(fresh_url)
        with database.reading() as session:
            notices = {n.activity: n for n in session.execute(select(Notice)).scalars()}
            acknowledged = sorted(a.party for a in session.execute(select(NoticeAcknowledgement)).scalars())
        database.dispose()
        assert set(notices) == {"air", "humanitarian-convoy"}
        assert all(n.description.startswith(ILLUSTRATIVE) for n in notices.values())
        assert [f["code"] for f in notices["air"].findings] == ["lead-time-short"]
        assert [f["code"] for f in notices["humanitarian-convoy"].findings] == ["area-of-separation"]
        assert acknowledged == ["SYR", "USA", "USA"]
        assert runner.invoke(app, ["ledger", "audit"], catch_exceptions=False).exit_code == 0
    finally:
        get_settings.cache_clear()
