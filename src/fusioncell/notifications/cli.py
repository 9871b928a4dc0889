"""`fusioncell webhook add/list/disable`: operators subscribe a party's systems from the server."""

import uuid

import typer
from rich.console import Console
from rich.table import Table

from fusioncell.errors import FusionError

webhook_app = typer.Typer(help="Webhooks: a party's own systems receive what is released to it.", no_args_is_help=True)
out = Console()


def _cli():
    from fusioncell import cli  # the shared helpers: the database in use, the cell, clear failures

    return cli


@webhook_app.command("add")
def webhook_add(
    url: str,
    party: str = typer.Option(..., help="The party whose releases it receives, e.g. ISR."),
    description: str = typer.Option("", help="What the receiving system is."),
    kind: list[str] = typer.Option(None, "--kind", help="Only these record kinds (e.g. message); all if omitted."),
) -> None:
    """Subscribe a party's system; the signing secret is printed once."""
    import fusioncell.app  # noqa: F401 - registers every record kind's view
    from fusioncell.notifications import service as notifications

    cli = _cli()
    database, cell = cli.runtime_session()
    try:
        with database.writing() as session:
            webhook, secret = notifications.create_webhook(
                session, cell=cell, party=party, url=url, description=description, kinds=kind or [], actor="cli"
            )
            webhook_id, index = webhook.id, webhook.ledger_index
    except FusionError as exc:
        cli.fail(exc.message)
    out.print(f"webhook {webhook_id} for {party} at ledger entry {index}; the signing secret (shown once):")
    print(secret)


@webhook_app.command("list")
def webhook_list(party: str = typer.Option(None, help="Only this party's webhooks.")) -> None:
    from fusioncell.notifications import service as notifications

    cli = _cli()
    database, _ = cli.runtime_session()
    table = Table()
    for column in ("id", "party", "url", "kinds", "state", "created"):
        table.add_column(column)
    with database.reading() as session:
        for w in notifications.list_webhooks(session, party=party):
            state = "disabled" if w.disabled_at else "active"
            kinds = ", ".join(w.kinds) or "all"
            table.add_row(str(w.id), w.party, w.url, kinds, state, w.created_at.isoformat(timespec="seconds"))
    out.print(table)


@webhook_app.command("disable")
def webhook_disable(webhook_id: str) -> None:
    """Stop a webhook for good; deliveries still waiting are cancelled."""
    from fusioncell.notifications import service as notifications

    cli = _cli()
    database, _ = cli.runtime_session()
    try:
        parsed = uuid.UUID(webhook_id)
        with database.writing() as session:
            notifications.disable_webhook(session, party=None, webhook_id=parsed, actor="cli")
    except ValueError:
        cli.fail(f"{webhook_id!r} is not a webhook id")
    except FusionError as exc:
        cli.fail(exc.message)
    out.print(f"disabled {webhook_id}")
