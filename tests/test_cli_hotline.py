"""The hotline and webhooks from the command line, for operators without a browser: send, inbox,
ack, webhook add/list/disable; clear errors with a non-zero exit and nothing changed."""

import re
from datetime import timedelta

import pytest
from typer.testing import CliRunner

from fusioncell.cell.service import current_cell
from fusioncell.cli import app
from fusioncell.config import get_settings
from fusioncell.db.session import Database
from fusioncell.db.types import utcnow
from fusioncell.hotline.scheduled import escalate_overdue
from fusioncell.ledger.service import tree_size

ACCOUNTS = [
    ("isr.liaison", "ISR", "liaison"),
    ("syr.liaison", "SYR", "liaison"),
    ("usa.supervisor", "USA", "supervisor"),
    ("fra.observer", "FRA", "observer"),
    ("undof.observer", "UNDOF", "observer"),
]


@pytest.fixture
def cli(fresh_url, tmp_path, monkeypatch):
    monkeypatch.setenv("FUSIONCELL_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("FUSIONCELL_DATABASE_URL", fresh_url)
    get_settings.cache_clear()
    runner = CliRunner()

    def run(*args, input=None):
        return runner.invoke(app, list(args), input=input, catch_exceptions=False)

    assert run("init").exit_code == 0
    for username, party, role in ACCOUNTS:
        added = run("user", "add", username, "--party", party, "--role", role, "--password", "long enough password")
        assert added.exit_code == 0, added.output
    yield run
    get_settings.cache_clear()


def record_size() -> int:
    database = Database(get_settings().resolved_database_url())
    try:
        with database.reading() as session:
            return tree_size(session)
    finally:
        database.dispose()


def sent(result) -> tuple[str, int]:
    assert result.exit_code == 0, result.output
    found = re.search(r"sent ([0-9a-f-]{36}) at ledger entry (\d+)", result.output)
    assert found, result.output
    return found.group(1), int(found.group(2))


def test_send_inbox_and_acknowledge(cli):
    message_id, index = sent(
        cli("send", "--as", "isr.liaison", "--channel", "hotline", "--precedence", "flash", "Drone over Quneitra")
    )
    owed = cli("inbox", "--as", "syr.liaison")
    assert owed.exit_code == 0
    assert message_id[:8] in owed.output and "flash" in owed.output and "Drone over" in owed.output
    assert re.search(r"\b[0-4]m \d\ds\b", owed.output)  # time left of the 5-minute deadline
    assert "1 to acknowledge" in owed.output
    assert "0 to acknowledge" in cli("inbox", "--as", "isr.liaison").output  # the sender owes nothing
    reply_id, reply_index = sent(
        cli("send", "--as", "syr.liaison", "--channel", "hotline", "--reply-to", message_id, "Seen; checking")
    )
    assert reply_index > index
    acked = cli("ack", "--as", "syr.liaison", message_id)
    assert acked.exit_code == 0 and f"acknowledged {message_id} for SYR at ledger entry" in acked.output
    assert "0 to acknowledge" in cli("inbox", "--as", "syr.liaison").output
    mediator = cli("inbox", "--as", "usa.supervisor")
    assert mediator.exit_code == 0 and "Open escalations" in mediator.output
    assert cli("ledger", "audit").exit_code == 0


def test_the_message_may_come_from_standard_input(cli):
    sent(
        cli(
            "send",
            "--as",
            "isr.liaison",
            "--channel",
            "hotline",
            "--precedence",
            "priority",
            "-",
            input="From a pipe\n",
        )
    )
    assert "From a pipe" in cli("inbox", "--as", "syr.liaison").output


BAD_COMMANDS = [
    (("send", "--as", "isr.liaison", "--channel", "nowhere", "hello"), "unknown channel"),
    (("send", "--as", "undof.observer", "--channel", "hotline", "hello"), "may not post"),
    (("send", "--as", "isr.liaison", "--channel", "usa-syr", "hello"), "may not post"),
    (("send", "--as", "nobody", "--channel", "hotline", "hello"), "no user"),
    (("send", "--as", "isr.liaison", "--channel", "hotline", "--reply-to", "xyz", "hello"), "not a message id"),
    (("send", "--as", "isr.liaison", "--channel", "hotline", "   "), "empty"),
    (("send", "--as", "isr.liaison", "--channel", "hotline", "x" * 20_001), "longer than"),
    (("inbox", "--as", "nobody"), "no user"),
    (("ack", "--as", "syr.liaison", "not-an-id"), "not a message id"),
    (("ack", "--as", "syr.liaison", "01a2179d-0000-7000-8000-000000000000"), "No such record"),
    (("webhook", "add", "--party", "ISR", "ftp://example.org/hook"), "http"),
    (("webhook", "add", "--party", "EGY", "https://example.org/hook"), "unknown party"),
    (("webhook", "add", "--party", "ISR", "--kind", "nonsense", "https://example.org/hook"), "no such record kind"),
    (("webhook", "disable", "01a2179d-0000-7000-8000-000000000000"), "No such record"),
]


def test_bad_commands_fail_clearly_and_change_nothing(cli):
    before = record_size()
    for args, message in BAD_COMMANDS:
        result = cli(*args)
        assert result.exit_code != 0, args
        assert message in result.output, (args, result.output)
    assert record_size() == before
    assert cli("ledger", "audit").exit_code == 0


def test_a_bad_precedence_is_a_usage_error(cli):
    result = cli("send", "--as", "isr.liaison", "--channel", "hotline", "--precedence", "urgent", "hello")
    assert result.exit_code == 2


def test_acknowledging_what_the_party_is_not_asked_to_fails(cli):
    message_id, _ = sent(cli("send", "--as", "isr.liaison", "--channel", "hotline", "--precedence", "flash", "x"))
    result = cli("ack", "--as", "isr.liaison", message_id)
    assert result.exit_code != 0 and "not asked" in result.output
    hidden = cli("ack", "--as", "fra.observer", message_id)
    assert hidden.exit_code != 0 and "No such record" in hidden.output


def test_webhooks_from_the_command_line(cli):
    added = cli("webhook", "add", "--party", "ISR", "--description", "ISR ops room", "https://ops.example.org/hook")
    assert added.exit_code == 0, added.output
    secret = added.output.strip().splitlines()[-1]
    assert secret.startswith("whsec_")
    webhook_id = added.output.split()[1]
    listing = cli("webhook", "list", "--party", "ISR").output
    assert webhook_id[:8] in listing and "active" in listing and secret not in listing
    assert webhook_id[:8] not in cli("webhook", "list", "--party", "SYR").output
    assert cli("webhook", "disable", webhook_id).exit_code == 0
    assert "disabled" in cli("webhook", "list").output
    assert cli("ledger", "audit").exit_code == 0


def test_the_supervisors_inbox_shows_missed_deadlines(cli):
    message_id, _ = sent(cli("send", "--as", "isr.liaison", "--channel", "hotline", "--precedence", "flash", "x"))
    database = Database(get_settings().resolved_database_url())
    try:
        with database.writing() as session:
            escalate_overdue(session, cell=current_cell(session), now=utcnow() + timedelta(minutes=6))
    finally:
        database.dispose()
    shown = cli("inbox", "--as", "usa.supervisor").output
    assert message_id in shown and "SYR" in shown and "1 escalations" in shown


def test_a_disabled_account_cannot_act(cli):
    assert cli("user", "disable", "isr.liaison").exit_code == 0
    result = cli("send", "--as", "isr.liaison", "--channel", "hotline", "hello")
    assert result.exit_code != 0 and "disabled" in result.output
