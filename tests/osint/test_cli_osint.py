"""`fusioncell osint ingest` on a fresh database: a folder, a feed URL from a local server, bad files listed
with their reasons, a re-run counted as duplicates, the audience, and clear failures."""

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from fusioncell.cli import app
from fusioncell.config import get_settings
from fusioncell.db.session import Database
from fusioncell.osint.models import Article
from tests.osint.conftest import FIXTURES


@pytest.fixture
def cli(fresh_url, tmp_path, monkeypatch):
    monkeypatch.setenv("FUSIONCELL_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("FUSIONCELL_DATABASE_URL", fresh_url)
    monkeypatch.setenv("COLUMNS", "200")
    get_settings.cache_clear()
    runner = CliRunner()

    def run(*args):
        return runner.invoke(app, list(args), catch_exceptions=False)

    assert run("init").exit_code == 0
    for username, party, role in (("isr.liaison", "ISR", "liaison"), ("isr.admin", "ISR", "admin")):
        added = run("user", "add", username, "--party", party, "--role", role, "--password", "long enough password")
        assert added.exit_code == 0, added.output
    yield run
    get_settings.cache_clear()


def stored() -> list[Article]:
    database = Database(get_settings().resolved_database_url())
    try:
        with database.reading() as session:
            return list(session.scalars(select(Article)))
    finally:
        database.dispose()


def counts(output: str) -> list[str]:
    """The figures row of the summary table: new, updated, duplicates, rejected, suggested links."""
    lines = output.splitlines()
    header = next(i for i, line in enumerate(lines) if "duplicates" in line)
    return lines[header + 2].split()


def test_a_folder_then_the_same_again(cli):
    first = cli("osint", "ingest", str(FIXTURES / "articles"), "--as", "isr.liaison")
    assert first.exit_code == 0, first.output
    assert counts(first.output) == ["4", "0", "0", "0", "0"]

    again = cli("osint", "ingest", str(FIXTURES / "articles"), "--as", "isr.liaison", "--release-to", "ISR,SYR")
    assert counts(again.output) == ["0", "0", "4", "0", "0"]
    assert {a.origin_party for a in stored()} == {"ISR"} and len(stored()) == 4


def test_bad_files_are_listed_with_their_reasons(cli):
    result = cli("osint", "ingest", str(FIXTURES / "bad"), "--as", "isr.liaison")
    assert result.exit_code == 0, result.output
    assert counts(result.output) == ["0", "0", "0", "6", "0"]  # the .xml feeds are not articles
    for reason in ("front matter is not YAML", "marked draft", "not UTF-8", "unreadable date", "no front matter"):
        assert reason in result.output


def test_a_feed_url_and_the_audience(cli, feed_server):
    result = cli("osint", "ingest", feed_server.url("rss2.xml"), "--as", "isr.liaison", "--release-to", "ISR,SYR")
    assert result.exit_code == 0, result.output
    assert counts(result.output) == ["3", "0", "0", "2", "0"]
    assert "no title" in result.output and {a.releasable_to for a in stored()} == {frozenset({"ISR", "SYR"})}


def test_clear_failures(cli, feed_server):
    nobody = cli("osint", "ingest", str(FIXTURES / "articles"), "--as", "nobody")
    admin = cli("osint", "ingest", str(FIXTURES / "articles"), "--as", "isr.admin")
    missing = cli("osint", "ingest", "/no/such/folder", "--as", "isr.liaison")
    gone = cli("osint", "ingest", feed_server.url("gone.xml"), "--as", "isr.liaison")
    unknown = cli("osint", "ingest", str(FIXTURES / "articles"), "--as", "isr.liaison", "--release-to", "XXX")

    assert all(r.exit_code == 1 for r in (nobody, admin, missing, gone, unknown))
    assert "no user named 'nobody'" in nobody.output and "only liaison officers" in admin.output
    assert "no such file or folder" in missing.output and "HTTP 404" in gone.output
    assert "unknown parties: XXX" in unknown.output and stored() == []


def test_a_source_keeps_its_validators_for_the_next_run(cli, feed_server):
    from fusioncell.access import service as access
    from fusioncell.cell.service import current_cell
    from fusioncell.osint.models import OsintSource
    from fusioncell.osint.schemas import SourceCreate
    from fusioncell.osint.sources import create_source

    database = Database(get_settings().resolved_database_url())
    try:
        with database.writing() as session:
            cell = current_cell(session)
            subject = access.subject_for(access.user_by_name(session, "isr.liaison"), cell)
            data = SourceCreate(code="levant", name="Levant Wire", kind="feed", location=feed_server.url("atom.xml"))
            create_source(session, subject=subject, cell=cell, data=data)
        args = ("osint", "ingest", feed_server.url("atom.xml"), "--as", "isr.liaison", "--source", "levant")
        assert counts(cli(*args).output) == ["2", "0", "0", "0", "0"]
        assert counts(cli(*args).output) == ["0", "0", "0", "0", "0"]  # answered 304: nothing read
        assert feed_server.answers == [200, 304]
        with database.reading() as session:
            source = session.scalar(select(OsintSource))
            assert source.etag and source.last_polled_at is not None
            assert {a.source_id for a in session.scalars(select(Article))} == {source.id}
    finally:
        database.dispose()
