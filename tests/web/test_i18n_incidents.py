"""The de-escalation desk's pages in Arabic and Hebrew: the incident queue, one incident and the dashboard
requested with the browser's Accept-Language render right to left with their words translated (the English
gone), the cell's names (incident types, zones) in the page's language, and an incident's time in the cell's
local time and in UTC, both written as the page's language writes them."""

import json
import re
from datetime import datetime, timedelta
from html import unescape

import pytest

from fusioncell import i18n
from fusioncell.db.types import utcnow
from fusioncell.i18n import formats
from tests.incidents.conftest import HADER, point, report_body
from tests.support import bearer
from tests.web.test_pages import HTML

SHELLING = "shelling-artillery-missile-attack"
# What each page must say in each language, and the English it must no longer say.
QUEUE = {
    "ar": ["الحوادث", "الإقرارات المطلوبة من طرفك", "أي منطقة", "وقت الوقوع", "أُبلغ عنه", "قصف مدفعي أو صاروخي"],
    "he": ["תקריות", "אישורי קבלה שהצד שלך חייב", "כל אזור", "מועד ההתרחשות", "דווחה", "הפגזה/ארטילריה/ירי טילים"],
}
QUEUE_ENGLISH = ["Acknowledgements your party owes", "Any zone", "Occurred", "Zones and violations", "Filter"]
INCIDENT = {
    "ar": [
        "يُطلب من طرفك الإقرار باستلام هذا الحادث",
        "أقرّ بالاستلام",
        "خروقات القواعد",
        "الإصابات",
        "بدقة الساعة",
        "الرواية المُبلَّغ عنها",
    ],
    "he": ["הצד שלך מתבקש לאשר את קבלת התקרית הזו", "אישור קבלה", "הפרות כללים", "נפגעים", "ברמת שעה", "התיאור שדווח"],
}
INCIDENT_ENGLISH = [
    "Reported account",
    "Your party is asked to acknowledge",
    "Rule violations",
    "Casualties",
    "Side of the lines",
    "Handling",
]
DASHBOARD = {
    "ar": ["لوحة معلومات خفض التصعيد", "الحوادث المتاحة حسب المرحلة", "تعذّر تحميل الأرقام؛ أعد تحميل الصفحة."],
    "he": ["לוח המחוונים של הפחתת ההסלמה", "תקריות ששוחררו לפי שלב", "לא ניתן היה לטעון את הנתונים; טען את הדף מחדש."],
}
DASHBOARD_ENGLISH = [
    "De-escalation dashboard",
    "Released incidents by stage",
    "Loading the charts",
    "could not be loaded",
]
# The chart's zone names (data-zone-names), in the page's language: the Area of Separation.
AOS = {"ar": "منطقة الفصل", "he": "אזור ההפרדה"}


@pytest.fixture
def occurred() -> datetime:
    return (utcnow() - timedelta(hours=2)).replace(second=0, microsecond=0)


@pytest.fixture
def reported(client, population, occurred):
    """An ISR report of shelling near Hader (a protected site), released to the plenary: SYR owes the
    acknowledgement."""
    body = report_body(location=point(*HADER), type=SHELLING, occurred_at=occurred.isoformat())
    response = client.post("/api/v1/incidents", json=body, headers=bearer(population.member("ISR", "liaison")))
    assert response.status_code == 201, response.text
    return response.json()


def page_in(browser, path: str, language: str) -> str:
    response = browser.get(path, headers=HTML | {"accept-language": language})
    assert response.status_code == 200, (path, response.status_code, response.text[:500])
    return response.text


def assert_speaks(html: str, language: str, words: list[str], english: list[str]) -> None:
    assert f'<html lang="{language}" dir="rtl">' in html
    for word in words:
        assert word in html, (language, word)
    for word in english:
        assert word not in html, (language, word)


@pytest.mark.parametrize("language", ["ar", "he"])
def test_the_incident_queue_speaks_arabic_and_hebrew(browser, reported, language):
    syr = browser("syr.liaison")
    html = page_in(syr, "/incidents", language)
    assert_speaks(html, language, QUEUE[language], QUEUE_ENGLISH)
    assert "Shelling/artillery/missile attack" not in html  # the cell's name of the type, in the page's language
    row = re.search(rf'<tr data-incident="{reported["id"]}".*?</tr>', html, re.S).group(0)
    assert 'data-stage="reported"' in row  # the codes stay codes
    # The reporter's view: whom it waits for, in words of the page's language around the party codes.
    isr_row = re.search(
        rf'<tr data-incident="{reported["id"]}".*?</tr>', page_in(browser("isr.liaison"), "/incidents", language), re.S
    ).group(0)
    awaiting = {"ar": "بانتظار SYR", "he": "ממתין ל־SYR"}[language]
    assert awaiting in isr_row and "awaiting" not in isr_row


@pytest.mark.parametrize("language", ["ar", "he"])
def test_an_incident_page_speaks_arabic_and_hebrew(browser, reported, language):
    html = page_in(browser("syr.liaison"), f"/incidents/{reported['id']}", language)
    assert_speaks(html, language, INCIDENT[language], INCIDENT_ENGLISH)
    heading = {"ar": "<h1>قصف مدفعي أو صاروخي</h1>", "he": "<h1>הפגזה/ארטילריה/ירי טילים</h1>"}[language]
    assert heading in html
    assert re.search(r'data-testid="stage">(أُبلغ عنه|דווחה)<', html)


@pytest.mark.parametrize("language", ["ar", "he"])
def test_an_incident_s_time_is_shown_in_the_cell_s_time_and_utc_in_the_page_s_language(
    browser, reported, occurred, cell, language
):
    html = page_in(browser("syr.liaison"), f"/incidents/{reported['id']}", language)
    shown = re.search(r'<dd data-testid="occurred">(.*?)</dd>', html, re.S).group(1)
    with i18n.speaking(language):
        local = formats.moment_local(occurred, cell.timezone)
        utc = formats.moment_utc(occurred)
    with i18n.speaking("en"):
        english_utc = formats.moment_utc(occurred)
    assert local != utc and utc.endswith(" UTC")
    assert f">{local}</time>" in shown and f"(<bdi>{utc}</bdi>)" in shown
    assert english_utc not in html  # written the page's way, not English's


@pytest.mark.parametrize("language", ["ar", "he"])
def test_the_dashboard_speaks_arabic_and_hebrew(browser, reported, language):
    html = page_in(browser("syr.liaison"), "/dashboard/deescalation", language)
    assert_speaks(html, language, DASHBOARD[language], DASHBOARD_ENGLISH)
    names = json.loads(unescape(re.search(r"data-zone-names='([^']*)'", html).group(1)))
    assert names["aos"] == AOS[language] and "Area of Separation" not in json.dumps(names)
    assert re.search(r'<td data-stage="reported">', html)


def test_english_stays_the_source(browser, reported):
    html = page_in(browser("syr.liaison"), "/incidents", "en")
    assert '<html lang="en" dir="ltr">' in html and "Acknowledgements your party owes" in html
