"""`fusioncell send`, `inbox` and `ack`: the hotline for operators on the server without a browser.

Each command acts as the named account, straight on the database, under the same service calls (and
so the same rules) as the API."""

import uuid

import typer
from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from fusioncell.access import service as access
from fusioncell.cell.definition import Precedence
from fusioncell.errors import FusionError

out = Console()


def _cli():
    from fusioncell import cli  # the shared helpers: the database in use, the cell, clear failures

    return cli


def register(app: typer.Typer) -> None:
    for command in (send, inbox, ack):
        app.command()(command)


def _message_id(text: str) -> uuid.UUID:
    try:
        return uuid.UUID(text)
    except ValueError:
        _cli().fail(f"{text!r} is not a message id")


def send(
    text: str = typer.Argument(..., help="The message; '-' reads it from standard input."),
    as_user: str = typer.Option(..., "--as", help="The account to send as."),
    channel: str = typer.Option(..., help="Channel code, e.g. hotline."),
    precedence: Precedence = typer.Option(Precedence.ROUTINE, case_sensitive=False),
    reply_to: str = typer.Option(None, "--reply-to", help="The id of the message this answers."),
) -> None:
    """Send a message as USERNAME, straight into the database (on the server)."""
    from fusioncell.hotline import service as hotline
    from fusioncell.hotline.schemas import MAX_BODY_CHARS

    database, cell = _cli().runtime_session()
    body = typer.get_text_stream("stdin").read() if text == "-" else text
    draft = hotline.Draft(
        channel=channel,
        body=body.strip(),
        precedence=precedence,
        reply_to=_message_id(reply_to) if reply_to else None,
    )
    if not draft.body:
        _cli().fail("the message is empty")
    if len(draft.body) > MAX_BODY_CHARS:
        _cli().fail(f"the message is longer than {MAX_BODY_CHARS} characters")
    try:
        with database.writing() as session:
            message, _ = hotline.send_message(
                session, cell=cell, subject=access.acting_subject(session, cell=cell, username=as_user), draft=draft
            )
            message_id, index, status = message.id, message.ledger_index, message.status
    except FusionError as exc:
        _cli().fail(exc.message)
    held = " (held for the mediator's review)" if status == "pending" else ""
    out.print(f"sent {message_id} at ledger entry {index}{held}")


def _left(due, now) -> str:
    seconds = int((due - now).total_seconds())
    minutes, rest = divmod(abs(seconds), 60)
    span = f"{minutes}m {rest:02d}s"
    return span if seconds >= 0 else f"[red]overdue {span}[/]"


def inbox(as_user: str = typer.Option(..., "--as", help="The account whose inbox to show.")) -> None:
    """What waits on USERNAME: acknowledgements owed (with time left), reviews, escalations."""
    from fusioncell.db.types import utcnow
    from fusioncell.hotline import queries

    database, cell = _cli().runtime_session()
    now = utcnow()
    with database.reading() as session:
        try:
            subject = access.acting_subject(session, cell=cell, username=as_user)
        except FusionError as exc:
            _cli().fail(exc.message)
        owed = queries.awaiting_acknowledgement(session, subject=subject)
        reviews = queries.awaiting_review(session, subject=subject)
        escalations = queries.open_escalations(session, subject=subject)
    table = _inbox_table(f"Acknowledgements owed by {subject.party}", "time left")
    for m in owed:
        left = _left(m.ack_due_at, now) if m.ack_due_at else ""
        table.add_row(_message_cell(m), _where(m), m.origin_party, left)
    out.print(table)
    if reviews or subject.is_mediator:
        table = _inbox_table("Waiting for review", "submitted")
        for m in reviews:
            table.add_row(_message_cell(m), _where(m), m.origin_party, m.created_at.strftime("%H:%M:%SZ"))
        out.print(table)
    if escalations or subject.is_mediator:
        table = Table(title="Open escalations", box=box.SIMPLE_HEAD)
        for column in ("message", "party", "due", "late by"):
            table.add_column(column, no_wrap=True)
        for e in escalations:
            table.add_row(str(e.message_id), e.party, e.due_at.strftime("%H:%M:%SZ"), _left(now, e.due_at))
        out.print(table)
    out.print(f"{len(owed)} to acknowledge, {len(reviews)} to review, {len(escalations)} escalations")


def _inbox_table(title: str, when: str) -> Table:
    table = Table(title=title, box=box.SIMPLE_HEAD)
    for column in ("message", "precedence", "from", when):
        table.add_column(column, no_wrap=True)
    return table


def _where(message) -> str:
    return f"{message.precedence}\n[dim]{message.channel}[/]"


def _message_cell(message) -> str:
    """The full id (to copy into `fusioncell ack`) over the start of the text, escaped for Rich."""
    line = " ".join(message.body.split())
    width = 36
    preview = line if len(line) <= width else line[: width - 1] + "…"
    return f"{message.id}\n[dim]{escape(preview)}[/]"


def ack(
    message_id: str = typer.Argument(..., help="The message to acknowledge."),
    as_user: str = typer.Option(..., "--as", help="The account acknowledging for its party."),
) -> None:
    """Acknowledge a message for USERNAME's party."""
    from fusioncell.hotline import service as hotline

    parsed = _message_id(message_id)
    database, cell = _cli().runtime_session()
    try:
        with database.writing() as session:
            subject = access.acting_subject(session, cell=cell, username=as_user)
            receipt = hotline.acknowledge(session, subject=subject, message_id=parsed)
            index = receipt.ledger_index
    except FusionError as exc:
        _cli().fail(exc.message)
    out.print(f"acknowledged {parsed} for {subject.party} at ledger entry {index}")
