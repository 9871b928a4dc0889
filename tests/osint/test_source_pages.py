"""The sources page: a party's own feeds and folders with how their last reading went, and the form that adds
one through the API's own service (refused input comes back beside the form, nothing stored)."""

from sqlalchemy import func, select

from fusioncell.osint.models import OsintSource
from tests.web.conftest import browser  # noqa: F401  (a logged-in browser per member)
from tests.web.test_pages import HTML, csrf_of


def form(html: str, **fields) -> dict:
    return {"csrf_token": csrf_of(html, "csrf_token"), "kind": "feed", "poll_minutes": "30"} | fields


def test_a_party_adds_a_feed_and_only_it_sees_it(browser, db, population):  # noqa: F811
    isr = browser(population.member("ISR", "liaison").username)
    empty = isr.get("/osint/sources", headers=HTML)
    assert empty.status_code == 200 and "Your party reads no source yet." in empty.text
    added = isr.post(
        "/osint/sources",
        data=form(
            empty.text,
            code="golan-wire",
            name="Golan <Wire>",
            location="https://golan.example/rss",
            release_to=["USA", "SYR"],
        ),  # fmt: skip
        headers=HTML,
        follow_redirects=False,
    )
    assert added.status_code == 303 and added.headers["location"] == "/osint/sources"
    listed = isr.get("/osint/sources", headers=HTML).text
    assert 'data-source="golan-wire"' in listed and "Golan &lt;Wire&gt;" in listed and "SYR, USA" in listed
    stored = db.execute(select(OsintSource).where(OsintSource.code == "golan-wire")).scalar_one()
    assert stored.origin_party == "ISR" and sorted(stored.article_releasable_to) == ["SYR", "USA"]
    assert stored.ledger_index is not None

    syr = browser(population.member("SYR", "liaison").username).get("/osint/sources", headers=HTML).text
    assert "golan-wire" not in syr and "Your party reads no source yet." in syr


def test_a_refused_source_comes_back_with_the_reason_and_nothing_stored(browser, db, population):  # noqa: F811
    isr = browser(population.member("ISR", "liaison").username)
    html = isr.get("/osint/sources", headers=HTML).text
    before = db.execute(select(func.count()).select_from(OsintSource)).scalar_one()
    for fields in (
        {"code": "Bad Code!", "name": "x", "location": "https://a.example/rss", "whole_cell": "yes"},
        {"code": "ok", "name": "x", "location": "https://a.example/rss", "poll_minutes": "1", "whole_cell": "yes"},
        {"code": "ok", "name": "x", "location": "https://a.example/rss", "release_to": ["MARS"]},
    ):
        refused = isr.post("/osint/sources", data=form(html, **fields), headers=HTML)
        assert refused.status_code == 422, fields
        assert 'data-testid="source-error"' in refused.text and 'value="https://a.example/rss"' in refused.text
    assert db.execute(select(func.count()).select_from(OsintSource)).scalar_one() == before


def test_a_party_admin_sees_the_sources_but_no_form(browser, population):  # noqa: F811
    admin = browser(population.member("ISR", "admin").username).get("/osint/sources", headers=HTML)
    assert admin.status_code == 200 and 'data-testid="form-source"' not in admin.text
