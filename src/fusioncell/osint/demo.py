"""The demo cell's illustrative articles, so the reading list, search and digest show something on first run."""

from sqlalchemy.orm import Session

from fusioncell.access.subjects import Subject
from fusioncell.cell.definition import CellDefinition


def seed_demo_articles(session: Session, *, cell: CellDefinition, usa: Subject, isr: Subject, syr: Subject) -> None:
    return None
