"""The demo's illustrative portfolio: five marked projects of the reported proposal at several stages, dated over
the past two years, all but one site in the zone, the ski resort floated to the mediator alone."""

from datetime import timedelta

from sqlalchemy import select

from fusioncell.access.service import subject_for, user_by_name
from fusioncell.commerce.demo import seed_demo_projects
from fusioncell.commerce.models import Project
from fusioncell.commerce.rollups import portfolio
from fusioncell.db.types import utcnow
from fusioncell.demo import ILLUSTRATIVE


def test_the_demo_seeds_a_marked_portfolio(db, cell):
    usa, isr, syr = (subject_for(user_by_name(db, f"{p}.liaison"), cell) for p in ("usa", "isr", "syr"))
    seed_demo_projects(db, cell=cell, usa=usa, isr=isr, syr=syr)
    seeded = list(db.execute(select(Project)).scalars())
    assert len(seeded) == 5 and all(p.illustrative and p.name.startswith(ILLUSTRATIVE) for p in seeded)
    assert {p.sector for p in seeded} == {"energy-wind", "energy-pipeline", "data-centre", "pharmaceutical", "tourism"}
    assert {p.stage for p in seeded} >= {"operating", "construction", "agreed", "concept"}
    assert [p.sector for p in seeded if p.site_outside_zone] == ["pharmaceutical"]
    two_years_ago = (utcnow() - timedelta(days=731)).date().isoformat()
    assert all(two_years_ago <= day for p in seeded for day in p.stage_dates.values())
    assert all(p.ledger_index is not None and p.status == "released" for p in seeded)
    resort = next(p for p in seeded if p.sector == "tourism")
    assert resort.origin_party == "ISR" and set(resort.releasable_to) == {"USA"}
    assert resort in portfolio(db, subject=usa) and resort not in portfolio(db, subject=syr)
