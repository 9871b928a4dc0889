"""The three working languages: which one a page speaks (the account's choice, else the browser's, else
English), the right-to-left frame for Arabic and Hebrew, and catalogs that fail the suite when a marked word
has no translation or the template of words is stale."""

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from sqlalchemy import select

from fusioncell import i18n
from fusioncell.access.models import User
from tests.web.test_pages import HTML, csrf_of

ROOT = Path(__file__).resolve().parents[2]
I18N = ROOT / "src" / "fusioncell" / "i18n"
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}


def extracted() -> set[str]:
    """Every word marked for translation in the code and the templates, as `make messages` extracts them."""
    method_map = [("src/fusioncell/**.py", "python"), ("src/fusioncell/web/templates/**.html", "jinja2")]
    options = {"src/fusioncell/web/templates/**.html": {"extensions": "jinja2.ext.i18n"}}
    found = set()
    for _, _, message, _, _ in extract_from_dir(str(ROOT), method_map, options, keywords=KEYWORDS):
        found.add(message if isinstance(message, str) else message[0])
    return found


def catalog(language: str):
    with open(I18N / "locales" / language / "LC_MESSAGES" / "messages.po", "rb") as po:
        return read_po(po, locale=language)


def test_the_template_of_words_is_current():
    with open(I18N / "messages.pot", "rb") as pot:
        template = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(pot) if m.id}
    assert extracted() == template, "run `make messages` and translate what it adds"


@pytest.mark.parametrize("language", ["ar", "he"])
def test_every_marked_word_is_translated(language):
    translated = {}
    for message in catalog(language):
        if message.id and not message.fuzzy:
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            translated[message.id if isinstance(message.id, str) else message.id[0]] = all(strings)
    missing = sorted(m for m in extracted() if not translated.get(m))
    assert missing == [], f"{language}: no translation for {missing}"


@pytest.mark.parametrize(
    ("header", "language"),
    [
        ("ar-SY,ar;q=0.9,en;q=0.8", "ar"),
        ("he-IL", "he"),
        ("en-US,he;q=0.5", "en"),
        ("fr-FR, de;q=0.8", None),
        ("de;q=0, he;q=0.1", "he"),
        ("", None),
        ("ar;q=banana, he", "he"),
    ],
)
def test_the_browser_s_languages_are_read_by_preference(header, language):
    assert i18n.negotiate(header) == language


def test_the_login_page_speaks_the_browser_s_language(client):
    arabic = client.get("/login", headers=HTML | {"accept-language": "ar-SY,ar;q=0.9"}).text
    assert '<html lang="ar" dir="rtl">' in arabic and "تسجيل الدخول" in arabic and "Log in" not in arabic
    hebrew = client.get("/login", headers=HTML | {"accept-language": "he"}).text
    assert '<html lang="he" dir="rtl">' in hebrew and "שם משתמש" in hebrew
    english = client.get("/login", headers=HTML | {"accept-language": "fr"}).text
    assert '<html lang="en" dir="ltr">' in english and "Username" in english


def test_an_account_s_choice_is_remembered_and_beats_the_browser(browser, db, population):
    member = population.member("SYR")
    page = browser(member.username)
    home = page.get("/", headers=HTML | {"accept-language": "ar"}).text
    assert '<html lang="ar" dir="rtl">' in home and "الوارد" in home  # the browser's, until the account chooses
    assert "أنت مسجَّل الدخول باسم" in home and "(SYR)" in home and "You are signed in" not in home

    chosen = page.post(
        "/account/language",
        data={"csrf_token": csrf_of(home, "csrf_token"), "language": "he", "next": "/inbox"},
        headers=HTML | {"accept-language": "ar"},
        follow_redirects=False,
    )
    assert chosen.status_code == 303 and chosen.headers["location"] == "/inbox"
    inbox = page.get("/inbox", headers=HTML | {"accept-language": "ar"}).text
    assert '<html lang="he" dir="rtl">' in inbox and "דואר נכנס" in inbox
    assert db.execute(select(User.language).where(User.username == member.username)).scalar_one() == "he"

    refused = page.post(
        "/account/language",
        data={"csrf_token": csrf_of(inbox, "csrf_token"), "language": "fr", "next": "/"},
        headers=HTML,
        follow_redirects=False,
    )
    assert refused.status_code == 422
    assert db.execute(select(User.language).where(User.username == member.username)).scalar_one() == "he"

    page.post("/account/language", data={"csrf_token": csrf_of(inbox, "csrf_token"), "language": ""}, headers=HTML)
    assert '<html lang="en" dir="ltr">' in page.get("/", headers=HTML | {"accept-language": "en"}).text


def test_the_switch_needs_the_session_s_csrf_token(browser, db, population):
    member = population.member("ISR")
    page = browser(member.username)
    forged = page.post("/account/language", data={"csrf_token": "forged", "language": "ar"}, headers=HTML)
    assert forged.status_code == 403
    assert db.execute(select(User.language).where(User.username == member.username)).scalar_one() is None


def test_desk_and_error_pages_speak_the_page_s_language(browser, population):
    page = browser(population.member("ISR").username)
    desk = page.get("/desks/deescalation", headers=HTML | {"accept-language": "ar"}).text
    assert "قائمة الحوادث" in desk and "خفض التصعيد" in desk and "Incident queue" not in desk
    missing = page.get("/incidents/01a217c0-0000-7000-8000-000000000000", headers=HTML | {"accept-language": "he"})
    assert missing.status_code == 404 and '<html lang="he" dir="rtl">' in missing.text and "לא נמצא" in missing.text
