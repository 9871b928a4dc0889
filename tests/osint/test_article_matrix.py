"""Articles under the authorization matrix, in the API and on the pages: every party and role, every envelope
state of the article and, for suggested links, of the linked record. What a party may not read answers
exactly as what does not exist, behind every button too; the reading list, the search and the digest hold
exactly what the API lists to each member."""

import re

from fusioncell.db.base import Status
from fusioncell.db.types import utcnow
from tests.access.matrix import MatrixCase, assert_matrix_holds, envelope_states, expected_readers
from tests.deconfliction.test_matrix import make_notice
from tests.osint.reading_support import MISSING, make_article, make_link, make_probe_article
from tests.support import bearer

LINK = "01a217d1-0000-7000-8000-000000000000"
API_ACTIONS = [
    lambda i: ("GET", f"/api/v1/osint/articles/{i}/links", None),
    lambda i: ("POST", f"/api/v1/osint/articles/{i}/links/{LINK}/confirm", None),
    lambda i: ("POST", f"/api/v1/osint/articles/{i}/links/{LINK}/dismiss", None),
]
PAGE_ACTIONS = [
    lambda i: ("POST", f"/osint/articles/{i}/links/{LINK}/confirm", None),
    lambda i: ("POST", f"/osint/articles/{i}/links/{LINK}/dismiss", None),
]


def test_articles_obey_the_matrix_in_lists_details_and_actions(client, db, population, cell):
    case = MatrixCase(
        name="articles",
        create=make_probe_article,
        detail_path=lambda i: f"/api/v1/osint/articles/{i}",
        missing_id=MISSING,
        list_path="/api/v1/osint/articles?limit=200",
        actions=API_ACTIONS,
    )
    assert_matrix_holds(client, db, population, cell, case)


def test_searching_finds_exactly_what_the_matrix_allows(client, db, population, cell):
    case = MatrixCase(
        name="article search",
        create=make_probe_article,
        detail_path=lambda i: f"/api/v1/osint/articles/{i}/links",
        missing_id=MISSING,
        list_path="/api/v1/osint/articles?limit=200&q=probe",
    )
    assert_matrix_holds(client, db, population, cell, case)


def test_article_pages_and_their_buttons_obey_the_matrix(client, db, population, cell):
    case = MatrixCase(
        name="article pages",
        create=make_probe_article,
        detail_path=lambda i: f"/osint/articles/{i}",
        missing_id=MISSING,
        actions=PAGE_ACTIONS,
    )
    assert_matrix_holds(client, db, population, cell, case)
    today = utcnow().date().isoformat()
    for member in population.members:
        headers = bearer(member)
        api = {a["id"] for a in client.get("/api/v1/osint/articles?limit=200", headers=headers).json()["items"]}
        listed = set(re.findall(r'data-article="([^"]+)"', client.get("/osint?limit=200", headers=headers).text))
        assert listed == api, member.username
        digest = client.get(f"/api/v1/osint/digest?day={today}", headers=headers).json()
        assert {a["id"] for d in digest["desks"] for a in d["articles"]} == api, member.username
        page = client.get(f"/osint/digest?day={today}", headers=headers).text
        assert set(re.findall(r'data-article="([^"]+)"', page)) == api, member.username


def test_a_link_shows_only_to_readers_of_its_record_too(client, db, population, cell):
    """The article is the whole cell's; the linked notice takes every envelope state. A member sees the link,
    and may decide on it, iff its party may read the notice."""
    article = make_article(db, title="Notice probe carrier", origin="USA")
    links = {}
    for state in envelope_states(cell):
        notice_id = make_notice(db, state)
        links[make_link(db, article=article, target_kind="notice", target_id=notice_id).id] = state
    db.commit()
    one_per_party = {m.party: m for m in population.members}.values()
    for member in one_per_party:
        headers = bearer(member)
        shown = {
            i["id"] for i in client.get(f"/api/v1/osint/articles/{article.id}/links", headers=headers).json()["items"]
        }
        page = client.get(f"/osint/articles/{article.id}", headers=headers).text
        on_page = set(re.findall(r'data-link="([^"]+)"', page))
        missing = client.post(f"/api/v1/osint/articles/{article.id}/links/{LINK}/confirm", headers=headers)
        for link_id, state in links.items():
            may = member.party in expected_readers(state, cell)
            assert (str(link_id) in shown) == may, (member.username, state.label)
            assert (str(link_id) in on_page) == may, (member.username, state.label)
            if not may:
                refused = client.post(f"/api/v1/osint/articles/{article.id}/links/{link_id}/dismiss", headers=headers)
                assert refused.status_code == 404 and refused.json() == missing.json(), (member.username, state.label)


def test_a_reader_of_both_confirms_once_and_the_decision_is_recorded(client, db, population, cell):
    article = make_article(db, title="Decided", origin="USA")
    notice_id = make_notice(
        db,
        next(
            s
            for s in envelope_states(cell)
            if s.status == Status.RELEASED and s.origin == "ISR" and s.releasable_to == {"SYR"}
        ),
    )
    link = make_link(db, article=article, target_kind="notice", target_id=notice_id)
    db.commit()
    syr = bearer(population.member("SYR"))
    confirmed = client.post(f"/api/v1/osint/articles/{article.id}/links/{link.id}/confirm", headers=syr)
    assert confirmed.status_code == 200, confirmed.text
    body = confirmed.json()
    assert body["state"] == "confirmed" and body["decided_by"] == population.member("SYR").username
    assert body["ledger_index"] is not None and body["version"] == 2
    again = client.post(f"/api/v1/osint/articles/{article.id}/links/{link.id}/dismiss", headers=syr)
    assert again.status_code == 409
    entry = client.get(f"/api/v1/ledger/entries/{body['ledger_index']}", headers=syr)
    assert entry.status_code == 200, entry.text
    fra = bearer(population.member("FRA"))  # reads the article, not the notice
    assert client.post(f"/api/v1/osint/articles/{article.id}/links/{link.id}/dismiss", headers=fra).status_code == 404


ROUTES = [
    ("GET", "/api/v1/osint/articles"),
    ("GET", "/api/v1/osint/articles/{i}"),
    ("GET", "/api/v1/osint/articles/{i}/links"),
    ("POST", "/api/v1/osint/articles/{i}/links/{l}/confirm"),
    ("POST", "/api/v1/osint/articles/{i}/links/{l}/dismiss"),
    ("GET", "/api/v1/osint/digest"),
    ("GET", "/api/v1/osint/sources"),
    ("POST", "/api/v1/osint/sources"),
    ("POST", "/api/v1/osint/ingest"),
    ("GET", "/osint"),
    ("GET", "/osint/digest"),
    ("GET", "/osint/articles/{i}"),
    ("POST", "/osint/articles/{i}/links/{l}/confirm"),
    ("POST", "/osint/articles/{i}/links/{l}/dismiss"),
]


def test_strangers_are_refused_on_every_route(client):
    for method, path in ROUTES:
        response = client.request(method, path.format(i=MISSING, l=LINK), follow_redirects=False)
        if path.startswith("/api/"):
            assert response.status_code == 401, (method, path)
        else:
            assert response.status_code == 303 and response.headers["location"].startswith("/login"), (method, path)
