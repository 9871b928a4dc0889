"""The joint statements' pages over HTTP (diplomacy/pages.py, page_actions.py): the list with who signed, the
editor with the text per language side by side (Arabic and Hebrew right to left), comments per paragraph,
two versions compared, the approval panel and its forms (the password asked again before signing with the
party's stored key: a wrong one stores nothing), the printable page, CSRF, and the matrix: an unreadable
statement's pages and forms are the 404 of a missing one, and the list shows exactly what each may read."""

import re

import pytest
from sqlalchemy.orm import Session

from fusioncell.access.models import User
from fusioncell.access.service import subject_for
from fusioncell.db.base import new_id
from fusioncell.diplomacy import service, signing
from fusioncell.diplomacy.models import Statement, StatementVersion
from tests.access.matrix import MatrixCase, assert_matrix_holds, envelope_of, expected_readers, stored
from tests.support import PASSWORD, bearer
from tests.web.test_incident_pages import page
from tests.web.test_pages import HTML, csrf_of

MISSING = "01a2179d-0000-7000-8000-00000000abcd"
TEXTS = {
    "en": "The parties reaffirm the 1974 Agreement.\n\nThey will <b>meet</b> monthly.",
    "ar": "يؤكد الطرفان اتفاق عام 1974.\n\nسيجتمعان شهريا.",
    "he": "הצדדים מאשרים את הסכם 1974.\n\nהם ייפגשו מדי חודש.",
}


def unrequested(html: str) -> str:
    """An error page without its request id (each response has its own)."""
    return re.sub(r"request (<span dir=\"ltr\">)?[\w-]+", "request", html)


def subject_of(db: Session, cell, population, party: str, role: str):
    return subject_for(db.get(User, population.member(party, role).user_id), cell)


@pytest.fixture
def as_(browser):
    return browser


@pytest.fixture
def drafted(db, cell, population) -> Statement:
    """Version 1 of an ISR–SYR statement, drafted by the mediator."""
    statement = service.draft_statement(
        db,
        cell=cell,
        subject=subject_of(db, cell, population, "USA", "liaison"),
        title="On <i>Quneitra</i>",
        required_parties=frozenset({"ISR", "SYR"}),
        texts=TEXTS,
    )
    db.commit()
    return statement


def store_key(db: Session, cell, population, runtime, party: str) -> str:
    """The party's admin keeps a key in the cell, for signing from the browser; its key id."""
    private = signing.new_private_key()
    key = service.register_party_key(
        db,
        cell=cell,
        subject=subject_of(db, cell, population, party, "admin"),
        public_key=signing.public_key_of(private),
        private_key=private,
        settings=runtime.settings,
    )
    db.commit()
    return key.key_id


def sign_form(browser, where: str, password: str, **extra):
    html = page(browser, where)
    version = re.search(r'name="version" value="(\d+)"', html.split('data-testid="form-sign"')[1]).group(1)
    data = {"csrf_token": csrf_of(html, "csrf_token"), "version": version, "password": password} | extra
    return browser.post(f"{where}/sign", data=data, headers=HTML, follow_redirects=False)


def test_the_list_and_the_editor_render_for_readers(as_, drafted):
    isr = as_("isr.liaison")
    listed = page(isr, "/statements")
    assert f'data-statement="{drafted.id}"' in listed
    assert "On &lt;i&gt;Quneitra&lt;/i&gt;" in listed and "<i>Quneitra" not in listed
    assert 'data-party="SYR" data-signed="no"' in listed
    html = page(isr, f"/statements/{drafted.id}")
    assert 'lang="ar" dir="rtl"' in html and 'lang="he" dir="rtl"' in html and 'lang="en" dir="auto"' in html
    assert "They will &lt;b&gt;meet&lt;/b&gt; monthly." in html and "<b>meet</b>" not in html
    assert "سيجتمعان شهريا." in html and "הם ייפגשו מדי חודש." in html
    assert 'data-testid="form-sign"' in html  # ISR is required and its liaison speaks for it
    assert 'data-testid="form-revise"' not in html and 'data-testid="form-publish"' not in html
    assert 'data-testid="diff"' not in html  # one version: nothing to compare
    assert '<link rel="stylesheet" href="/static/css/print-statement.css" media="print">' in html
    mediator = page(as_("usa.liaison"), f"/statements/{drafted.id}")
    assert 'data-testid="form-revise"' in mediator and 'data-testid="form-sign"' not in mediator
    assert 'data-testid="form-sign"' not in page(as_("syr.officer-intelligence"), f"/statements/{drafted.id}")


def test_a_party_that_may_not_read_it_gets_the_404_of_a_missing_one(as_, drafted):
    fra = as_("fra.observer")
    assert f'data-statement="{drafted.id}"' not in page(fra, "/statements")
    for suffix in ("", "/print"):
        hidden = fra.get(f"/statements/{drafted.id}{suffix}", headers=HTML)
        missing = fra.get(f"/statements/{MISSING}{suffix}", headers=HTML)
        assert hidden.status_code == missing.status_code == 404
        assert unrequested(hidden.text) == unrequested(missing.text)


def test_a_wrong_password_stores_nothing_and_the_right_one_signs(as_, drafted, db, cell, population, runtime):
    key_id = store_key(db, cell, population, runtime, "SYR")
    syr = as_("syr.liaison")
    where = f"/statements/{drafted.id}"
    wrong = sign_form(syr, where, "not my password")
    assert wrong.status_code == 403 and "text/html" in wrong.headers["content-type"]
    assert 'data-testid="sign-error"' in wrong.text and "password is not right" in wrong.text
    assert 'data-testid="form-sign"' in wrong.text  # the form again, to try once more
    assert service.signatures_of(db, drafted) == []

    blank = sign_form(syr, where, "")
    assert blank.status_code == 422 and "form.password" in blank.text
    assert service.signatures_of(db, drafted) == []

    done = sign_form(syr, where, PASSWORD)
    assert done.status_code == 303 and done.headers["location"] == where
    [signature] = service.signatures_of(db, drafted)
    assert (signature.party, signature.key_id, signature.version_number) == ("SYR", key_id, 1)
    after = page(syr, where)
    assert 'data-party="SYR" data-state="signed"' in after and key_id in after
    assert 'data-testid="form-sign"' not in after
    assert 'data-party="SYR" data-signed="yes"' in page(as_("isr.liaison"), "/statements")


def test_signing_without_a_stored_key_or_the_csrf_token_is_refused(as_, drafted, db):
    syr = as_("syr.liaison")
    where = f"/statements/{drafted.id}"
    no_key = sign_form(syr, where, PASSWORD)
    assert no_key.status_code == 409 and "keeps no signing key" in no_key.text
    forged = syr.post(f"{where}/sign", data={"version": "1", "password": PASSWORD}, follow_redirects=False)
    assert forged.status_code == 403
    assert service.signatures_of(db, drafted) == []


def test_a_new_version_shows_the_changed_paragraphs_and_voids_signatures(as_, drafted, db, cell, population, runtime):
    store_key(db, cell, population, runtime, "SYR")
    syr, usa = as_("syr.liaison"), as_("usa.liaison")
    where = f"/statements/{drafted.id}"
    assert sign_form(syr, where, PASSWORD).status_code == 303
    html = page(usa, where)
    form = {
        "csrf_token": csrf_of(html, "csrf_token"),
        "text_en": "The parties reaffirm the 1974 Agreement.\n\nThey will meet every week.",
        "text_ar": TEXTS["ar"],
        "text_he": TEXTS["he"],
        "note": "weekly, not monthly",
    }
    refused = usa.post(f"{where}/versions", data=form | {"text_en": "", "text_ar": "", "text_he": ""}, headers=HTML)
    assert refused.status_code == 422 and 'data-testid="revise-error"' in refused.text
    assert drafted.latest_version == 1
    assert usa.post(f"{where}/versions", data=form, follow_redirects=False).status_code == 303

    latest = page(syr, where)
    assert 'data-testid="diff"' in latest and 'data-testid="diff-en"' in latest
    english = latest.split('data-testid="diff-en"')[1].split("</table>")[0]
    assert english.count('data-op="changed"') == 1 and english.count('data-op="equal"') == 1
    assert "<del>They will &lt;b&gt;meet&lt;/b&gt; monthly.</del>" in english
    assert "<ins>They will meet every week.</ins>" in english
    assert 'data-op="changed"' not in latest.split('data-testid="diff-ar"')[1].split("</table>")[0]
    assert 'data-party="SYR" data-state="voided"' in latest and 'data-testid="form-sign"' in latest
    assert "weekly, not monthly" in latest

    old = page(syr, f"{where}?version=1&from=2&to=1")
    assert 'data-version="1"' in old and 'data-party="SYR" data-state="voided"' in old
    assert 'data-testid="form-sign"' not in old  # only the latest version is signed


def test_comments_per_paragraph(as_, drafted):
    syr = as_("syr.liaison")
    where = f"/statements/{drafted.id}"
    html = page(syr, where)
    token = csrf_of(html, "csrf_token")
    assert 'data-testid="form-comment-2"' in html
    said = {"csrf_token": token, "version": "1", "paragraph": "2", "text": "Monthly is <script>too rare</script>."}
    assert syr.post(f"{where}/comments", data=said, follow_redirects=False).status_code == 303
    shown = page(as_("isr.liaison"), where)
    comments = shown.split('data-comments="2"')[1].split("</tr>")[0]
    assert "Monthly is &lt;script&gt;too rare&lt;/script&gt;." in comments and "<script>too" not in shown
    beyond = syr.post(f"{where}/comments", data=said | {"paragraph": "9"}, headers=HTML)
    assert beyond.status_code == 422 and "paragraphs 1 to 2" in beyond.text
    assert 'data-testid="page-error"' in beyond.text  # no paragraph 9 to show it beside: on top
    empty = syr.post(f"{where}/comments", data=said | {"text": " "}, headers=HTML)
    assert empty.status_code == 422 and "form.text" in empty.text


def test_both_sign_the_mediator_publishes_and_the_print_page_lists_the_signatures(
    as_, drafted, db, cell, population, runtime
):
    keys = {party: store_key(db, cell, population, runtime, party) for party in ("ISR", "SYR")}
    where = f"/statements/{drafted.id}"
    usa = as_("usa.liaison")
    assert 'data-testid="form-publish"' not in page(usa, where)
    for username in ("isr.liaison", "syr.liaison"):
        assert sign_form(as_(username), where, PASSWORD).status_code == 303
    html = page(usa, where)
    assert 'data-testid="form-publish"' in html
    published = usa.post(f"{where}/publish", data={"csrf_token": csrf_of(html, "csrf_token")}, follow_redirects=False)
    assert published.status_code == 303
    after = page(as_("syr.liaison"), where)
    assert 'data-testid="statement-stage">published' in after and 'data-testid="form-comment-1"' not in after

    printed = page(as_("isr.liaison"), f"{where}/print")
    version = service.versions_of(db, drafted)[0]
    assert '<link rel="stylesheet" href="/static/css/print-statement.css">' in printed
    assert version.canonical_sha256 in printed and "They will &lt;b&gt;meet&lt;/b&gt; monthly." in printed
    for party, key_id in keys.items():
        signature = next(s for s in service.signatures_of(db, drafted) if s.party == party)
        assert f'data-party="{party}" data-state="signed"' in printed
        assert key_id in printed and signature.signature in printed
    assert "<form" not in printed.split('data-testid="statement-print"')[1]


def test_statement_pages_and_forms_obey_the_matrix(client, db, population, cell):
    created = []

    def make_statement(session: Session, state) -> str:
        statement = Statement(
            id=new_id(), title="probe", required_parties=frozenset({"ISR", "SYR"}), **envelope_of(state)
        )
        statement_id = stored(session, statement)
        texts = {"en": "Probe."}
        stored(
            session,
            StatementVersion(
                statement_id=statement.id,
                number=1,
                texts=texts,
                canonical_sha256=signing.digest(texts, statement_id=statement.id, version=1).hex(),
                **envelope_of(state),
            ),
        )
        created.append((state, statement_id))
        return statement_id

    actions = [
        lambda i: ("POST", f"/statements/{i}/sign", None),
        lambda i: ("POST", f"/statements/{i}/comments", None),
        lambda i: ("POST", f"/statements/{i}/versions", None),
        lambda i: ("POST", f"/statements/{i}/publish", None),
    ]
    for path in ("/statements/{}", "/statements/{}/print"):
        created.clear()
        case = MatrixCase(
            name=f"statement pages {path}",
            create=make_statement,
            detail_path=path.format,
            missing_id=MISSING,
            actions=actions if path == "/statements/{}" else [],
        )
        assert_matrix_holds(client, db, population, cell, case)
    probes = {record_id for _, record_id in created}
    for member in population.members:
        listed = set(
            re.findall(r'<tr data-statement="([^"]+)"', client.get("/statements", headers=bearer(member)).text)
        )
        expected = {i for state, i in created if member.party in expected_readers(state, cell)}
        assert listed & probes == expected, member.username


@pytest.mark.parametrize(
    ("method", "suffix"),
    [
        ("GET", ""),
        ("GET", "/print"),
        ("POST", "/sign"),
        ("POST", "/comments"),
        ("POST", "/versions"),
        ("POST", "/publish"),
    ],
)
def test_strangers_are_sent_to_the_login_page(client, drafted, method, suffix):
    response = client.request(method, f"/statements/{drafted.id}{suffix}", headers=HTML, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/login")
    assert client.get("/statements", headers=HTML, follow_redirects=False).status_code == 303
