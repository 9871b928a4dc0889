"""The project register from the command line: import a CSV as an account (all or nothing, or --partial), export
what an account may read. Run on project_app itself until `fusioncell project` is registered in fusioncell/cli.py."""

from typer.testing import CliRunner

from fusioncell.commerce.cli import project_app
from tests.commerce.test_csv import GOOD, HEADER, NEGATIVE_JOBS
from tests.test_cli import cli  # noqa: F401  (the fixture)


def project(*args: str):
    return CliRunner().invoke(project_app, list(args), catch_exceptions=False)


def test_import_then_export_as_accounts(cli, tmp_path):  # noqa: F811
    assert cli("init", "--demo").exit_code == 0
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + GOOD + NEGATIVE_JOBS, encoding="utf-8")
    refused = project("import", str(bad), "--as", "isr.liaison")
    assert refused.exit_code != 0 and "nothing was imported" in refused.output
    assert "Hermon wind" not in project("export", "--as", "isr.liaison").output

    partial = project("import", str(bad), "--as", "isr.liaison", "--partial")
    assert partial.exit_code == 0, partial.output
    assert "1 imported, 1 row(s) left out" in partial.output
    assert "Hermon wind" in project("export", "--as", "isr.liaison").output
    assert "Hermon wind" not in project("export", "--as", "syr.liaison").output  # a draft: ISR's alone

    written = tmp_path / "isr.csv"
    assert project("export", "--as", "isr.liaison", "-o", str(written)).exit_code == 0
    assert written.read_text(encoding="utf-8").startswith("id,name,sector,stage,")
    assert project("export", "--as", "nobody").exit_code != 0
