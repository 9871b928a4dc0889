"""The reading pages: what an article shows and how (escaped text, the sanitised body, direction, a malformed
link as text), the buttons on its suggested links (CSRF form, one decision), the reading list's search and
filters, the digest's groups and counts; and the API's sources and upload ingest."""

import re
from datetime import timedelta

from fastapi.testclient import TestClient

from fusioncell.db.types import utcnow
from tests.access.matrix import envelope_states
from tests.deconfliction.test_matrix import make_notice
from tests.osint.reading_support import make_article, make_link
from tests.support import bearer
from tests.web.test_pages import browser_login, csrf_of

HOSTILE_BODY = (
    '<p>Read <a href="https://example.org/report">the report</a>.</p>'
    '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">'
    '<a href="javascript:window.__pwned = 3">bad</a>'
)


def page(client, population, party: str, path: str) -> str:
    response = client.get(path, headers=bearer(population.member(party)))
    assert response.status_code == 200, response.text
    return response.text


def test_an_article_shows_escaped_text_and_only_the_sanitised_body(client, db, population):
    article = make_article(db, title="<b>Bold</b> & <script>x()</script>", body_html=HOSTILE_BODY, language="en")
    db.commit()
    html = page(client, population, "SYR", f"/osint/articles/{article.id}")
    assert "&lt;b&gt;Bold&lt;/b&gt; &amp; &lt;script&gt;" in html
    body = html.split('data-testid="article-body">', 1)[1].split("</div>", 1)[0]
    assert '<a href="https://example.org/report" rel="noopener noreferrer">the report</a>' in body
    assert "<script" not in body and "onerror" not in body and "javascript:" not in body
    assert 'dir="ltr"' in html


def test_arabic_and_hebrew_articles_read_right_to_left(client, db, population):
    ar = make_article(db, title="إعادة فتح معبر القنيطرة", language="ar")
    he = make_article(db, title="המעבר בקוניטרה נפתח מחדש", language="he")
    db.commit()
    for article in (ar, he):
        html = page(client, population, "ISR", f"/osint/articles/{article.id}")
        assert re.search(r'<h1 lang="(ar|he)" dir="rtl"', html)
        assert re.search(r'<div class="article-body" lang="(ar|he)" dir="rtl"', html)
    listed = page(client, population, "ISR", "/osint")
    assert f'data-article="{ar.id}" lang="ar" dir="rtl"' in listed


def test_a_malformed_link_is_shown_as_text_never_as_an_href(client, db, population):
    article = make_article(db, title="Doubled scheme", link=None, link_text="https://https://example.org/x")
    safe = make_article(db, title="Good link", link="https://example.org/a")
    db.commit()
    html = page(client, population, "USA", f"/osint/articles/{article.id}")
    assert 'data-testid="article-link-text">https://https://example.org/x</span>' in html
    assert 'href="https://https://' not in html
    good = page(client, population, "USA", f"/osint/articles/{safe.id}")
    assert '<a href="https://example.org/a" rel="noopener noreferrer" data-testid="article-link">' in good


def _notice_for_all(db, cell):
    state = next(s for s in envelope_states(cell) if s.origin == "USA" and s.status == "retracted")
    return make_notice(db, state)  # retracted, released to every other party: readable by all


def test_the_confirm_form_carries_the_csrf_token_and_decides_once(client, db, population, cell):
    article = make_article(db, title="With a suggestion")
    link = make_link(db, article=article, target_kind="notice", target_id=_notice_for_all(db, cell))
    db.commit()
    agent = TestClient(client.app)
    member = population.member("ISR", "liaison")
    assert browser_login(agent, member.username).status_code == 303
    html = agent.get(f"/osint/articles/{article.id}").text
    action = f"/osint/articles/{article.id}/links/{link.id}/confirm"
    assert f'action="{action}"' in html
    refused = agent.post(action, data={}, follow_redirects=False)  # no CSRF token: refused, nothing changes
    assert refused.status_code == 403
    done = agent.post(action, data={"csrf_token": csrf_of(html, "csrf_token")}, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"].startswith(f"/osint/articles/{article.id}")
    after = agent.get(f"/osint/articles/{article.id}").text
    assert f'data-link="{link.id}" data-state="confirmed"' in after
    assert action not in after  # no button on a decided link
    assert member.username in after


def test_the_reading_list_searches_and_filters(client, db, population):
    make_article(db, title="Quneitra crossing", places=["quneitra"], parties=["SYR"], desks=["deescalation"])
    make_article(db, title="Paris talks", body_text="envoys met in Paris", parties=["FRA"], desks=["diplomacy"])
    db.commit()

    def titles(path: str) -> list[str]:
        return re.findall(r'<a href="/osint/articles/[^"]+">([^<]+)</a>', page(client, population, "USA", path))

    assert titles("/osint?q=envoys") == ["Paris talks"]
    assert titles("/osint?place=quneitra") == ["Quneitra crossing"]
    assert titles("/osint?party=FRA") == ["Paris talks"]
    assert titles("/osint?desk=deescalation") == ["Quneitra crossing"]
    assert titles("/osint?q=%22NEAR(%20*") == []  # hostile text: no error, nothing found
    tomorrow = (utcnow() + timedelta(days=1)).date().isoformat()
    assert titles(f"/osint?since={tomorrow}") == []
    assert titles("/osint?since=not-a-date") == ["Paris talks", "Quneitra crossing"]


def test_the_digest_groups_by_desk_and_counts_places_and_parties(client, db, population):
    make_article(db, title="One", places=["quneitra"], parties=["SYR", "ISR"], desks=["deescalation"])
    make_article(db, title="Two", places=["quneitra"], parties=["SYR"], desks=["deescalation", "diplomacy"])
    make_article(db, title="Old", desks=["deescalation"], published_at=utcnow() - timedelta(days=3))
    db.commit()
    digest = client.get("/api/v1/osint/digest", headers=bearer(population.member("USA"))).json()
    by_desk = {d["desk"]: d for d in digest["desks"]}
    assert sorted(by_desk) == ["deescalation", "diplomacy"]
    assert [a["title"] for a in by_desk["deescalation"]["articles"]] == ["Two", "One"]
    assert by_desk["deescalation"]["places"] == [{"name": "quneitra", "count": 2}]
    assert by_desk["deescalation"]["parties"] == [{"name": "SYR", "count": 2}, {"name": "ISR", "count": 1}]
    only = client.get("/api/v1/osint/digest?desk=diplomacy", headers=bearer(population.member("USA"))).json()
    assert [d["desk"] for d in only["desks"]] == ["diplomacy"]
    html = page(client, population, "USA", "/osint/digest?desk=deescalation")
    assert html.count('data-testid="digest-desk"') == 1 and ">Two</a>" in html and ">Old</a>" not in html


def test_sources_are_the_partys_own_and_an_upload_is_ingested(client, db, population):
    isr = bearer(population.member("ISR", "liaison"))
    body = {"code": "golan-wire", "name": "Golan Wire", "kind": "feed", "location": "https://golan.example/rss"}
    created = client.post("/api/v1/osint/sources", json=body, headers=isr)
    assert created.status_code == 201, created.text
    assert [s["code"] for s in client.get("/api/v1/osint/sources", headers=isr).json()] == ["golan-wire"]
    assert client.get("/api/v1/osint/sources", headers=bearer(population.member("SYR"))).json() == []
    admin = bearer(population.member("ISR", "admin"))
    assert client.post("/api/v1/osint/sources", json=body | {"code": "x"}, headers=admin).status_code == 403
    upload = (
        b"---\ntitle: Quneitra market reopens\ndate: 2026-01-05\n---\nThe market in Quneitra reopened.\n"
        b"<script>alert(1)</script>"
    )
    files = {"file": ("market.md", upload, "text/markdown")}
    answer = client.post("/api/v1/osint/ingest", files=files, data={"releasable_to": "USA"}, headers=isr)
    assert answer.status_code == 200, answer.text
    assert answer.json()["new"] == 1
    found = client.get("/api/v1/osint/articles?q=market", headers=isr).json()["items"]
    assert [a["title"] for a in found] == ["Quneitra market reopens"]
    assert client.get("/api/v1/osint/articles?q=market", headers=bearer(population.member("SYR"))).json()["items"] == []
    detail = client.get(f"/api/v1/osint/articles/{found[0]['id']}", headers=isr).json()
    assert "<script" not in detail["body_html"]
    assert client.post("/api/v1/osint/ingest", files=files, headers=admin).status_code == 403
