"""The roll-ups against sums worked out by hand, for a fixture portfolio of five projects: now, on chosen days
(replayed from the stage dates), month by month, and with the stage weights of a modified cell."""

from datetime import date

import pytest

from fusioncell.cell.definition import Targets
from fusioncell.commerce.models import Project
from fusioncell.commerce.rollups import history, month_ends, rollup, stage_on, stages_on

TARGETS = Targets(
    gdp_usd_per_year=1000, power_mw=200, jobs=100, pharma_import_reduction_percent=40, unverified=True, source="t"
)
DEFAULT_WEIGHTS = {"concept": 0.05, "feasibility": 0.15, "agreed": 0.4, "financing": 0.6, "construction": 0.85}
DEFAULT_WEIGHTS["operating"] = 1.0


def project(name, stage, dates, gdp=None, power=None, jobs=None, pharma=None) -> Project:
    """A transient project: the roll-ups read only its stage, stage dates and figures."""
    return Project(
        name=name,
        stage=stage,
        stage_dates=dates,
        gdp_usd_per_year=gdp,
        power_mw=power,
        jobs=jobs,
        pharma_import_substitution_percent=pharma,
    )


@pytest.fixture
def portfolio() -> list[Project]:
    return [
        project(
            "A wind",
            "operating",
            {"concept": "2025-01-10", "agreed": "2025-03-01", "operating": "2025-06-15"},
            100,
            50,
            10,
        ),
        # B plans to operate from 2026-01-01: a date beyond its current stage never counts.
        project(
            "B pharma",
            "construction",
            {"concept": "2025-02-01", "agreed": "2025-04-01", "construction": "2025-08-01", "operating": "2026-01-01"},
            200,
            None,
            20,
            10,
        ),
        project("C data", "agreed", {"feasibility": "2025-05-01", "agreed": "2025-07-01"}, 300, 0, 30),
        project("D resort", "concept", {"concept": "2025-09-01"}, 50, None, 40),
        project("E pipe", "feasibility", {"feasibility": "2025-10-20"}, 400, 100, 5),
    ]


def sums(items) -> dict[str, dict[str, float]]:
    return {item.metric.key: dict(item.totals) for item in items}


def current(projects):
    return [(p, p.stage) for p in projects]


def test_now_equals_the_hand_computed_sums(portfolio):
    got = sums(rollup(current(portfolio), TARGETS, DEFAULT_WEIGHTS))
    # expected = 100x1 + 200x0.85 + 300x0.4 + 50x0.05 + 400x0.15
    assert got["gdp_usd_per_year"] == pytest.approx(
        {"delivered": 100, "committed": 600, "proposed": 450, "expected": 452.5}
    )
    # C claims 0 MW and B none: both count as 0. expected = 50x1 + 100x0.15
    assert got["power_mw"] == pytest.approx({"delivered": 50, "committed": 50, "proposed": 100, "expected": 65})
    # expected = 10 + 20x0.85 + 30x0.4 + 40x0.05 + 5x0.15
    assert got["jobs"] == pytest.approx({"delivered": 10, "committed": 60, "proposed": 45, "expected": 41.75})
    assert got["pharma_import_substitution_percent"] == pytest.approx(
        {"delivered": 0, "committed": 10, "proposed": 0, "expected": 8.5}
    )


def test_shares_and_contributing_projects(portfolio):
    gdp, power, jobs, pharma = rollup(current(portfolio), TARGETS, DEFAULT_WEIGHTS)
    assert gdp.target == 1000 and gdp.share("delivered") == pytest.approx(0.1)
    assert gdp.share("committed") == pytest.approx(0.6) and gdp.share("expected") == pytest.approx(0.4525)
    assert power.share("expected") == pytest.approx(65 / 200) and pharma.share("committed") == pytest.approx(0.25)
    assert dict(gdp.contributing) == {"delivered": 1, "committed": 3, "proposed": 2, "expected": 5}
    # Power: B claims none, C claims zero, D none: only A and E contribute.
    assert dict(power.contributing) == {"delivered": 1, "committed": 1, "proposed": 1, "expected": 2}
    assert dict(pharma.contributing) == {"delivered": 0, "committed": 1, "proposed": 0, "expected": 1}
    assert jobs.contributing["expected"] == 5


def test_without_targets_there_is_no_share(portfolio):
    gdp = rollup(current(portfolio), None, DEFAULT_WEIGHTS)[0]
    assert gdp.target is None and gdp.share("delivered") is None and gdp.totals["delivered"] == 100


def test_an_empty_portfolio_sums_to_zero():
    for item in rollup([], TARGETS, DEFAULT_WEIGHTS):
        assert set(item.totals.values()) == {0} and set(item.contributing.values()) == {0}


def test_the_stage_on_a_day_follows_the_stage_dates(portfolio):
    a, b, c, d, _ = portfolio
    assert stage_on(a, date(2025, 1, 9)) is None  # before any date: not yet in the portfolio
    assert stage_on(a, date(2025, 1, 10)) == "concept"  # a date counts on its own day
    assert stage_on(a, date(2025, 6, 14)) == "agreed"
    assert stage_on(b, date(2026, 6, 1)) == "construction"  # its planned operating date is beyond its stage
    assert stage_on(c, date(2025, 6, 30)) == "feasibility"
    assert stage_on(d, date(2025, 8, 31)) is None


@pytest.mark.parametrize(
    ("day", "gdp", "count"),
    [
        (date(2025, 1, 9), {"delivered": 0, "committed": 0, "proposed": 0, "expected": 0}, 0),
        # A agreed, B concept: expected = 100x0.4 + 200x0.05
        (date(2025, 3, 31), {"delivered": 0, "committed": 100, "proposed": 200, "expected": 50}, 2),
        # A operating, B agreed, C agreed that very day: expected = 100 + 200x0.4 + 300x0.4
        (date(2025, 7, 1), {"delivered": 100, "committed": 600, "proposed": 0, "expected": 300}, 3),
        # Everything at its current stage: the same as now.
        (date(2026, 2, 1), {"delivered": 100, "committed": 600, "proposed": 450, "expected": 452.5}, 5),
    ],
)
def test_the_portfolio_on_chosen_days(portfolio, day, gdp, count):
    staged = stages_on(portfolio, day)
    assert len(staged) == count
    assert sums(rollup(staged, TARGETS, DEFAULT_WEIGHTS))["gdp_usd_per_year"] == pytest.approx(gdp)


def test_month_ends_run_from_the_first_stage_date_to_today(portfolio):
    assert month_ends(portfolio, date(2025, 3, 15)) == [date(2025, 1, 31), date(2025, 2, 28), date(2025, 3, 15)]
    assert month_ends(portfolio, date(2025, 3, 15), max_points=2) == [date(2025, 2, 28), date(2025, 3, 15)]
    assert month_ends([project("leap", "concept", {"concept": "2024-02-03"})], date(2024, 3, 1)) == [
        date(2024, 2, 29),
        date(2024, 3, 1),
    ]
    assert month_ends([project("undated", "concept", {})], date(2025, 1, 1)) == []
    assert len(month_ends(portfolio, date(2040, 1, 1))) == 120  # capped: the latest points are kept


def test_history_replays_each_month_end(portfolio):
    points = history(portfolio, TARGETS, DEFAULT_WEIGHTS, today=date(2025, 7, 10))
    assert [day for day, _ in points][-2:] == [date(2025, 6, 30), date(2025, 7, 10)]
    june = sums(points[-2][1])["gdp_usd_per_year"]
    # A operating, B agreed, C feasibility: expected = 100 + 200x0.4 + 300x0.15
    assert june == pytest.approx({"delivered": 100, "committed": 300, "proposed": 300, "expected": 225})
    assert sums(points[0][1])["jobs"] == pytest.approx(
        {"delivered": 0, "committed": 0, "proposed": 10, "expected": 0.5}
    )


def test_weights_come_from_the_cell(portfolio, cell):
    weights = {"concept": 0, "feasibility": 0.25, "agreed": 0.5, "financing": 0.5, "construction": 0.75}
    modified = cell.model_copy(
        update={
            "commerce": cell.commerce.model_validate(
                cell.commerce.model_dump() | {"stage_weights": weights | {"operating": 1}}
            )
        }
    )
    got = sums(rollup(current(portfolio), modified.targets, modified.commerce.stage_weights))
    # 100x1 + 200x0.75 + 300x0.5 + 50x0 + 400x0.25 ; jobs 10 + 20x0.75 + 30x0.5 + 0 + 5x0.25
    assert got["gdp_usd_per_year"]["expected"] == 500
    assert got["jobs"]["expected"] == 41.25
    default = sums(rollup(current(portfolio), cell.targets, cell.commerce.stage_weights))
    assert default["gdp_usd_per_year"]["expected"] == pytest.approx(452.5)
