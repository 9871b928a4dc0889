"""The demo's illustrative commitments: clearly marked, of several states, one overdue and one contested."""

from sqlalchemy import select

from fusioncell.access.service import subject_for, user_by_name
from fusioncell.demo import ILLUSTRATIVE
from fusioncell.diplomacy.commitments import service
from fusioncell.diplomacy.commitments.demo import seed_demo_commitments
from fusioncell.diplomacy.commitments.models import Commitment


def test_the_demo_seeds_marked_commitments_of_several_states(db, cell):
    usa, isr, syr = (subject_for(user_by_name(db, f"{p}.liaison"), cell) for p in ("usa", "isr", "syr"))
    seed_demo_commitments(db, cell=cell, usa=usa, isr=isr, syr=syr)
    seeded = list(db.execute(select(Commitment)).scalars())
    assert seeded and all(c.text.startswith(ILLUSTRATIVE) for c in seeded)
    assert {c.state for c in seeded} >= {"proposed", "agreed", "in_progress", "done"}
    assert len(service.overdue_for(db, subject=isr)) == 1
    overview = service.mediator_overview(db, subject=usa)
    assert len(overview["contests"]) == 1 and len(overview["overdue"]) >= 1
