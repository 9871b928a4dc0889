"""The hotline's pages in Arabic and Hebrew: the right-to-left frame, the labels, precedences and receipts in the
page's language, a message's time written as that language writes it, the composer's refusal in it too — and the
message itself exactly as its author wrote it."""

import re
from datetime import datetime

import pytest

from fusioncell import i18n
from fusioncell.i18n import formats
from tests.support import bearer
from tests.web.test_pages import HTML, csrf_of


@pytest.fixture
def flash(client, population) -> dict:
    """A FLASH message from ISR on the hotline: SYR owes its acknowledgement."""
    body = {"channel": "hotline", "body": "Convoy held at the crossing.", "precedence": "flash"}
    response = client.post("/api/v1/messages", json=body, headers=bearer(population.member("ISR", "liaison")))
    assert response.status_code == 201, response.text
    return response.json()


def page(browser, path: str, language: str) -> str:
    response = browser.get(path, headers=HTML | {"accept-language": language})
    assert response.status_code == 200, (path, response.status_code, response.text[:500])
    return response.text


def article(html: str, message_id: str) -> str:
    return re.search(rf'<article id="msg-{message_id}".*?</article>', html, re.S).group(0)


def written_in(language: str, moment: str) -> str:
    """A moment of the record as the page's language writes it (UTC, date and time)."""
    with i18n.speaking(language):
        return formats.moment_utc(datetime.fromisoformat(moment))


def test_the_conversation_speaks_arabic(browser, population, flash):
    html = page(browser(population.member("SYR").username), "/hotline/hotline", "ar")
    assert '<html lang="ar" dir="rtl">' in html
    assert "رسالة جديدة" in html and "New message" not in html  # the composer's heading
    assert "الأسبقية" in html and ">Precedence<" not in html
    card = article(html, flash["id"])
    assert "خاطف" in card and "FLASH" not in card  # the precedence, through its table
    assert "يجب على طرفك الإقرار باستلام هذه الرسالة." in card
    assert "Your party must acknowledge this message." not in card
    assert "أقرّ بالاستلام" in card and ">Acknowledge<" not in card
    # The message is the author's words, in its own direction; its time is written the Arabic way.
    assert re.search(r'<div class="message-body" dir="auto" lang="en">.*Convoy held at the crossing\.', card, re.S)
    arabic_time = written_in("ar", flash["created_at"])
    assert arabic_time != written_in("en", flash["created_at"]) and arabic_time in card
    assert f'datetime="{datetime.fromisoformat(flash["created_at"]).isoformat()}"' in card  # machine-readable


def test_the_conversation_speaks_hebrew_to_the_sender(browser, population, flash):
    html = page(browser(population.member("ISR").username), "/hotline/hotline", "he")
    assert '<html lang="he" dir="rtl">' in html
    assert "הודעה חדשה" in html and "New message" not in html
    card = article(html, flash["id"])
    assert "בזק" in card and "הצד שלך" in card and "your party" not in card
    assert "ממתין לאישור קבלה מ־<strong>SYR</strong>" in card  # the awaited receipt, SYR still in its <strong>
    assert written_in("he", flash["created_at"]) in card


def test_the_inbox_speaks_the_page_s_language(browser, population, flash):
    syr = browser(population.member("SYR").username)
    hebrew = page(syr, "/inbox", "he")
    assert '<html lang="he" dir="rtl">' in hebrew
    assert "אישורי קבלה שהצד שלך חייב" in hebrew and "Acknowledgements your party owes" not in hebrew
    assert "מועד אחרון" in hebrew and ">Deadline<" not in hebrew
    assert flash["id"] in hebrew and "Convoy held at the crossing." in hebrew
    arabic = page(syr, "/inbox", "ar")
    assert '<html lang="ar" dir="rtl">' in arabic
    assert "رسائل تطلب من" in arabic and "Messages asking" not in arabic
    assert "الإقرارات المطلوبة من طرفك" in arabic and "Acknowledgements your party owes" not in arabic
    assert written_in("ar", flash["created_at"]) in arabic


def test_the_composer_refuses_in_the_page_s_language(browser, population):
    isr = browser(population.member("ISR").username)
    html = page(isr, "/hotline/hotline", "ar")
    key, token = csrf_of(html, "idempotency_key"), csrf_of(html, "csrf_token")
    form = {"body": "  ", "idempotency_key": key, "csrf_token": token}
    refused = isr.post(
        "/hotline/hotline/messages",
        data=form,
        headers=HTML | {"accept-language": "ar"},
    )
    assert refused.status_code == 422
    assert "اكتب الرسالة قبل إرسالها." in refused.text and "Write the message" not in refused.text


def test_a_refused_login_and_token_say_so_in_the_page_s_language(client, browser, population):
    form = client.get("/login", headers=HTML | {"accept-language": "he"}).text
    wrong = client.post(
        "/login",
        data={"username": "nobody", "password": "x", "login_csrf": csrf_of(form, "login_csrf"), "next": "/"},
        headers=HTML | {"accept-language": "he"},
        follow_redirects=False,
    )
    assert wrong.status_code == 401 and "שם משתמש או סיסמה שגויים." in wrong.text
    isr = browser(population.member("ISR").username)
    tokens = page(isr, "/account/tokens", "ar")
    assert "رموز واجهة البرمجة" in tokens and "Create a token" not in tokens
    unnamed = isr.post(
        "/account/tokens",
        data={"name": " ", "csrf_token": csrf_of(tokens, "csrf_token")},
        headers=HTML | {"accept-language": "ar"},
    )
    assert unnamed.status_code == 422 and "سمِّ الرمز، مثلًا باسم الأداة التي ستستخدمه." in unnamed.text
