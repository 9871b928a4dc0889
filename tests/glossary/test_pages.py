"""The glossary's page: three columns with their language and direction, the states, the mediator's forms and a
principal's approve button (each with its CSRF token); a refused form shows its error and stores nothing."""

import re

import pytest

from fusioncell.glossary import service
from fusioncell.glossary.service import Wording
from tests.web.test_pages import csrf_of

AOS = Wording(wording={"en": "Area of Separation", "ar": "منطقة الفصل", "he": "אזור ההפרדה"}, variants={"en": ["AOS"]})


@pytest.fixture
def term(db, cell, subject):
    row = service.propose_term(db, cell=cell, subject=subject("usa.liaison"), key="area-of-separation", content=AOS)
    db.commit()
    return row


def form_fields(key="ceasefire", **changes) -> dict:
    fields = {
        "key": key,
        "wording_en": "ceasefire",
        "wording_ar": "وقف إطلاق النار",
        "wording_he": "הפסקת אש",
        "variants_en": "cease-fire\n\n",
        "variants_ar": "",
        "variants_he": "הפסקת האש",
        "note": "illustrative",
    }
    return fields | changes


def test_strangers_go_to_the_login_page(client):
    response = client.get("/glossary", follow_redirects=False)
    assert response.status_code in (302, 303) and "/login" in response.headers["location"]


def test_three_columns_each_in_its_language_and_direction(browser, term):
    page = browser("fra.observer").get("/glossary")
    assert page.status_code == 200
    html = page.text
    assert (
        '<th scope="col" lang="ar" dir="rtl">العربية</th>' in html
        and '<th scope="col" lang="he" dir="rtl">עברית</th>' in html
    )
    assert re.search(
        r'<td lang="ar" dir="rtl" data-language="ar">\s*<span class="glossary-wording">منطقة الفصل</span>', html
    )
    assert re.search(
        r'<td lang="he" dir="rtl" data-language="he">\s*<span class="glossary-wording">אזור ההפרדה</span>', html
    )
    assert 'data-term="area-of-separation" data-state="proposed"' in html
    assert 'data-party="ISR" data-approved="no"' in html
    assert "form-propose" not in html and "form-approve" not in html and "form-revise" not in html


def test_the_mediator_proposes_through_the_form_and_the_principals_approve(browser, term):
    usa = browser("usa.liaison")
    page = usa.get("/glossary")
    assert 'data-testid="form-propose"' in page.text and 'data-testid="form-revise-area-of-separation"' in page.text
    sent = usa.post(
        "/glossary", data=form_fields() | {"csrf_token": csrf_of(page.text, "csrf_token")}, follow_redirects=False
    )
    assert sent.status_code == 303 and sent.headers["location"] == "/glossary#term-ceasefire"
    shown = usa.get("/glossary").text
    assert 'data-term="ceasefire" data-state="proposed"' in shown and "cease-fire" in shown

    for username in ("isr.liaison", "syr.liaison"):
        principal = browser(username)
        page = principal.get("/glossary").text
        assert 'data-testid="form-approve-area-of-separation"' in page
        action = re.search(
            r'action="(/glossary/[0-9a-f-]+/approve)" data-testid="form-approve-area-of-separation"', page
        )
        approved = principal.post(
            action.group(1), data={"version": "1", "csrf_token": csrf_of(page, "csrf_token")}, follow_redirects=False
        )
        assert approved.status_code == 303
    page = browser("undof.observer").get("/glossary").text
    assert 'data-term="area-of-separation" data-state="agreed"' in page


def test_a_form_without_its_csrf_token_is_refused(browser, term):
    usa = browser("usa.liaison")
    assert usa.post("/glossary", data=form_fields(), follow_redirects=False).status_code == 403


def test_a_refused_form_shows_its_error_and_what_was_typed_and_stores_nothing(browser, term):
    usa = browser("usa.liaison")
    token = csrf_of(usa.get("/glossary").text, "csrf_token")
    taken = usa.post("/glossary", data=form_fields("area-of-separation") | {"csrf_token": token})
    assert taken.status_code == 409 and 'data-testid="propose-error"' in taken.text
    assert 'value="وقف إطلاق النار"' in taken.text
    bad = usa.post("/glossary", data=form_fields("Bad Key", wording_he="") | {"csrf_token": token})
    assert bad.status_code == 422 and 'data-testid="propose-error"' in bad.text
    assert "ceasefire" not in usa.get("/glossary").text.split('data-testid="form-propose"')[0]


def test_an_arabic_page_speaks_arabic_and_shows_refusals_in_it(client, browser, term):
    syr = browser("syr.liaison")
    page = syr.get("/glossary", headers={"accept-language": "ar"})
    assert '<html lang="ar" dir="rtl">' in page.text
    isr = browser("isr.officer-intelligence")
    listing = isr.get("/glossary").text
    assert "form-approve" not in listing  # an intelligence officer does not speak for ISR on this desk
