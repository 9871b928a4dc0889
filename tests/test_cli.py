"""The command line: init, accounts, tokens, the record's audit; clear errors with a non-zero exit."""

import os
import stat

import pytest
from typer.testing import CliRunner

from fusioncell.cli import app
from fusioncell.config import get_settings


@pytest.fixture
def cli(fresh_url, tmp_path, monkeypatch):
    monkeypatch.setenv("FUSIONCELL_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("FUSIONCELL_DATABASE_URL", fresh_url)
    get_settings.cache_clear()
    runner = CliRunner()

    def run(*args, input=None):
        return runner.invoke(app, list(args), input=input, catch_exceptions=False)

    yield run
    get_settings.cache_clear()


def test_init_creates_the_cell_and_a_private_key_but_no_account(cli, tmp_path):
    result = cli("init")
    assert result.exit_code == 0, result.output
    assert "verifier key" in result.output
    key = tmp_path / "var" / "ledger.key"
    assert stat.S_IMODE(os.stat(key).st_mode) == 0o600
    assert "usa.mediator" not in cli("user", "list").output  # a real cell starts with no default password
    assert cli("ledger", "audit").exit_code == 0
    again = cli("init")
    assert again.exit_code != 0 and "initialised before" in again.output


def test_accounts_and_tokens_from_the_command_line(cli):
    assert cli("init").exit_code == 0
    added = cli(
        "user",
        "add",
        "isr.desk",
        "--party",
        "ISR",
        "--role",
        "officer:intelligence",
        "--name",
        "Desk",
        input="a long enough secret\na long enough secret\n",
    )
    assert added.exit_code == 0, added.output
    assert "isr.desk" in cli("user", "list").output
    created = cli("token", "create", "isr.desk", "--name", "sync")
    assert created.exit_code == 0
    secret = created.output.strip().splitlines()[-1]
    assert secret.startswith("fct_")
    token_id = created.output.split()[1]
    assert cli("token", "revoke", token_id).exit_code == 0
    listing = cli("token", "list", "isr.desk").output
    assert "sync" in listing and token_id[:8] in listing
    assert cli("user", "disable", "isr.desk").exit_code == 0
    assert "disabled" in cli("user", "list").output
    assert cli("ledger", "audit").exit_code == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("user", "add", "x.y", "--party", "EGY", "--role", "liaison", "--password", "long enough pw"),
            "unknown party",
        ),
        (("user", "add", "x.y", "--party", "ISR", "--role", "king", "--password", "long enough pw"), "unknown role"),
        (("user", "add", "x.y", "--party", "ISR", "--role", "liaison", "--password", "short"), "at least"),
        (("user", "disable", "nobody"), "no user"),
        (("token", "revoke", "not-a-uuid"), "not a token id"),
    ],
)
def test_bad_account_commands_fail_clearly_and_change_nothing(cli, args, message):
    assert cli("init").exit_code == 0
    before = cli("user", "list").output
    result = cli(*args)
    assert result.exit_code != 0
    assert message in result.output
    assert cli("user", "list").output == before
    assert cli("ledger", "audit").exit_code == 0


def test_a_cell_file_with_errors_is_refused_with_line_numbers(cli, tmp_path):
    bad = tmp_path / "cell.yaml"
    bad.write_text("schema_version: 1\ncode: x\nparties:\n  - code: USA\n    role: emperor\n")
    result = cli("init", "--cell", str(bad))
    assert result.exit_code != 0
    assert "line" in result.output
    assert not (tmp_path / "var" / "ledger.key").exists()
    assert cli("cell", "check", str(bad)).exit_code != 0


def test_the_demo_accounts_exist_only_with_demo(cli):
    assert cli("init", "--demo").exit_code == 0
    listing = cli("user", "list").output
    for username in ("usa.mediator", "isr.liaison", "syr.liaison", "undof.observer"):
        assert username in listing


def test_the_demo_cell_holds_clearly_marked_illustrative_traffic(cli, fresh_url):
    from sqlalchemy import select

    from fusioncell.db.session import Database
    from fusioncell.demo import ILLUSTRATIVE
    from fusioncell.hotline.models import Message

    assert cli("init", "--demo").exit_code == 0
    database = Database(fresh_url)
    with database.reading() as session:
        bodies = session.execute(select(Message.body)).scalars().all()
    database.dispose()
    assert len(bodies) >= 5 and all(body.startswith(ILLUSTRATIVE) for body in bodies)
    assert cli("ledger", "audit").exit_code == 0


def test_a_cell_whose_lines_cross_is_refused_before_anything_is_made(cli, tmp_path):
    import yaml

    from fusioncell.cell.loader import default_cell_path

    definition = yaml.safe_load(default_cell_path().read_text(encoding="utf-8"))
    bravo = next(line for line in definition["lines"] if line["code"] == "bravo")
    lat, _ = bravo["coordinates"][5]
    bravo["coordinates"][5] = [lat, 35.70]  # west of Line Alpha there: Bravo crosses Alpha twice
    crossing = tmp_path / "crossing.yaml"
    crossing.write_text(yaml.safe_dump(definition, allow_unicode=True, sort_keys=False), encoding="utf-8")
    checked = cli("cell", "check", str(crossing))
    assert checked.exit_code != 0 and "cross" in checked.output
    initialised = cli("init", "--cell", str(crossing))
    assert initialised.exit_code != 0 and "cross" in initialised.output
    assert not (tmp_path / "var" / "ledger.key").exists()
