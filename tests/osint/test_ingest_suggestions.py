"""Links an article suggests to the cell's records: an incident near a place it names and close in time, a
meeting at the place it names on its date; only records the ingesting party may read; never twice."""

from datetime import UTC, datetime

from sqlalchemy import select

from fusioncell.diplomacy.meetings.service import MeetingPlan, schedule_meeting
from fusioncell.incidents.service import Report, report_incident
from fusioncell.osint.frontmatter import read_article
from fusioncell.osint.ingest import ingest
from fusioncell.osint.models import Article, ArticleLink
from tests.osint.conftest import FIXTURES

QUNEITRA_EN = FIXTURES / "articles" / "2026-01-05-quneitra.md"  # published 2026-01-05 06:00 UTC
PARIS = FIXTURES / "articles" / "2026-01-06-paris.html"  # 2026-01-06


def incident_near_quneitra(db, cell, subject, *, lon=35.86, at=datetime(2026, 1, 5, 1, 0, tzinfo=UTC), to=None):
    report = Report(
        occurred_at=at,
        location={"type": "Point", "coordinates": [lon, 33.13]},
        type="air-drone-strike",
        severity=3,
        description="Shelling reported",
        releasable_to=to,
    )
    return report_incident(db, cell=cell, subject=subject, report=report, now=datetime(2026, 1, 5, 2, tzinfo=UTC))


def links(db, party="ISR"):
    return list(db.scalars(select(ArticleLink).where(ArticleLink.origin_party == party)))


def ingest_files(db, cell, subject, *files):
    items = [read_article(f) for f in files]
    return ingest(db, subject=subject, cell=cell, source=None, candidates=items)


def test_an_incident_near_a_named_place_and_close_in_time(db, cell, isr):
    near = incident_near_quneitra(db, cell, isr)  # ≈3.4 km east of Quneitra, 5 h before
    incident_near_quneitra(db, cell, isr, lon=36.10)  # ≈26 km: too far
    incident_near_quneitra(db, cell, isr, at=datetime(2026, 1, 1, tzinfo=UTC))  # four days before: too early

    summary = ingest_files(db, cell, isr, QUNEITRA_EN)

    [link] = links(db)
    assert summary.suggested == 1
    assert (link.target_kind, link.target_id, link.state) == ("incident", near.id, "suggested")
    assert link.reason == "3.4 km from Quneitra, 5 h apart" and link.ledger_index is not None


def test_a_meeting_at_the_place_on_the_date(db, cell, isr, subject_of):
    plan = MeetingPlan(
        title="Paris talks",
        starts_at=datetime(2026, 1, 6, 9, tzinfo=UTC),
        ends_at=datetime(2026, 1, 6, 17, tzinfo=UTC),
        participants={"USA": ("Envoy",), "ISR": ("Delegate",), "SYR": ("Asaad al-Shaibani",)},
        place="paris",
    )
    meeting = schedule_meeting(db, cell=cell, subject=subject_of("USA", "liaison"), plan=plan)

    ingest_files(db, cell, isr, PARIS)

    [link] = links(db)
    assert (link.target_kind, link.target_id) == ("meeting", meeting.id)
    assert link.reason == "a meeting in Paris on 2026-01-06; the article names Paris"


def test_only_records_the_party_may_read(db, cell, isr, subject_of):
    incident_near_quneitra(db, cell, isr, to=frozenset({"SYR"}))  # the plenary's: USA, ISR, SYR; not FRA

    ingest_files(db, cell, subject_of("FRA", "observer"), QUNEITRA_EN)

    assert links(db, "FRA") == []


def test_a_new_version_does_not_suggest_the_same_record_again(db, cell, isr, tmp_path):
    incident_near_quneitra(db, cell, isr)
    ingest_files(db, cell, isr, QUNEITRA_EN)
    changed = tmp_path / "changed.md"
    changed.write_text(QUNEITRA_EN.read_text(encoding="utf-8").replace("after midnight", "at 1 am"), encoding="utf-8")

    summary = ingest_files(db, cell, isr, changed)

    assert (summary.updated, summary.suggested) == (1, 0)
    assert len(links(db)) == 1


def test_a_link_reaches_only_the_article_s_readers_who_may_read_its_target(db, cell, isr):
    """The link names its target in the record: FRA reads the article but not the incident, so not the link."""
    near = incident_near_quneitra(db, cell, isr, to=frozenset({"SYR"}))
    ingest_files(db, cell, isr, QUNEITRA_EN)

    [link] = links(db)
    article_readers = frozenset(db.get(Article, link.article_id).releasable_to)
    assert "FRA" in article_readers and "FRA" not in link.releasable_to
    assert set(link.releasable_to) - {"ISR", "USA"} == {"SYR"}  # its own party and the mediator read it anyway
    assert not {"JOR", "UNDOF"} & set(link.releasable_to) and near.origin_party == "ISR"
