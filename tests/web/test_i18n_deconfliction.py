"""The deconfliction and verification pages in Arabic and Hebrew: the notices list, one notice, the map and
the verification desk (with one position) render right to left, their labels, enumerated words (activities,
stages, results, counts) and the server's findings in the page's language, the cell's zone and place names in
it too, and none of the English they replace."""

import re

import pytest

from tests.deconfliction.conftest import HADER
from tests.support import bearer
from tests.verification.conftest import inspection_body, position_body, posture_body
from tests.web.test_notice_pages import give
from tests.web.test_pages import HTML

# Per language: what each page must say, and English it must not.
WORDS = {
    "ar": {
        "notices": ["إخطارات منع التضارب", "قدّم إخطارًا", "نشاط جوي", "النشاط", "تشمل المنطقة حضر، وهو موقع محمي."],
        "notice": ["إخطار: نشاط جوي", "ما وجده الخادم", "تحذير", "مطلوب من", "الإقرار بالاستلام"],
        "map": ["مفتاح الخريطة", "منطقة الفصل", 'data-text-zoom-in="تكبير"', 'data-text-layers="الطبقات"', "أي مرحلة"],
        "verification": ["متابعة الانسحاب", "إعلانات أوضاع القوات", "تجاوز للحد", "الجنود: 6,500 من 6,000 مسموح بها"],
        "position": ["المحطات", "مأهول", "خطوتك", "جدولة الانسحاب"],
    },
    "he": {
        "notices": ["מתן הודעה מוקדמת", "פעילות אווירית", "פעילות", "השטח כולל את חאדר, אתר מוגן."],
        "notice": ["הודעה מוקדמת: פעילות אווירית", "מה השרת מצא", "אזהרה", "התבקש מ־"],
        "map": ["מקרא", "אזור ההפרדה", 'data-text-zoom-in="התקרבות"', 'data-text-layers="שכבות"', "כל שלב"],
        "verification": ["מעקב הנסיגה", "הצהרות על מצבת הכוחות", "חריגה מהמגבלה", "חיילים: 6,500 מתוך 6,000 מותרים"],
        "position": ["אבני דרך", "מאוישת", "הצעד שלך", "תזמון הנסיגה"],
    },
}
ENGLISH = {
    "notices": ["Give a notice", "Activity", "a protected site", "Window (cell time and UTC)", "air activity"],
    "notice": ["What the server found", "Acknowledgement", "asked of", "Given by", "warning"],
    "map": ["Legend", "Loading the map", "Zoom in", "Any stage", "Areas of Limitation", "Open the notice"],
    "verification": ["Withdrawal tracker", "Over the limit", "of 6,000 allowed", "Force-posture", "Inspections"],
    "position": ["Milestones", "Your move", "Schedule the withdrawal", "Side of the lines", "occupied"],
}


@pytest.fixture
def pages(browser, client, population) -> dict[str, str]:
    """The five pages' paths, with a notice near Hader (a protected site) and the verification records."""
    notice = give(client, population, circle={"lat": HADER[0], "lon": HADER[1], "radius_km": 2.0})
    isr = bearer(population.member("ISR", "liaison"))
    client.post("/api/v1/posture-declarations", json=posture_body(troops=6500), headers=isr)
    findings = [{"zone": "aol-bravo-0-10", "observed": {"tanks": 90}, "compliant": True}]
    undof = bearer(population.member("UNDOF", "observer"))
    client.post("/api/v1/inspections", json=inspection_body(findings=findings), headers=undof)
    position = client.post("/api/v1/positions", json=position_body(), headers=isr).json()
    return {
        "notices": "/notices",
        "notice": f"/notices/{notice['id']}",
        "map": "/map",
        "verification": "/verification",
        "position": f"/positions/{position['id']}",
    }


def read(page, path: str, language: str) -> str:
    response = page.get(path, headers=HTML | {"accept-language": language})
    assert response.status_code == 200, (path, response.status_code)
    return response.text


def readable(html: str) -> str:
    """What a reader reads of the page's own part (the frame's navigation and footer are other pages' words):
    its text, and the attributes shown as words (titles, labels, the texts the map's script shows)."""
    body = re.search(r"<main\b.*?</main>", html, re.S).group(0)
    shown = re.findall(r'\s(?:title|aria-label|placeholder|data-text-[a-z-]+|data-label-other)="([^"]*)"', body)
    return re.sub(r"<[^>]*>", " ", body) + "\n".join(shown)


@pytest.mark.parametrize("language", ["ar", "he"])
def test_the_pages_speak_the_language_right_to_left(browser, population, pages, language):
    syr = browser(population.member("SYR", "liaison").username)  # asked to acknowledge ISR's notice
    isr = browser(population.member("ISR", "liaison").username)  # holds the position: may schedule it
    for name, path in pages.items():
        html = read(isr if name == "position" else syr, path, language)
        assert f'<html lang="{language}" dir="rtl">' in html, name
        for words in WORDS[language][name]:
            assert words in html, (language, name, words)
        body = readable(html)
        for english in ENGLISH[name]:
            assert english not in body, (language, name, english)


def test_the_window_of_a_notice_is_in_cell_time_and_utc(browser, population, pages):
    html = read(browser(population.member("SYR", "liaison").username), pages["notice"], "ar")
    starts = re.search(r'data-testid="notice-starts">(.*?)</dd>', html, re.S).group(1)
    local, utc = r'<bdi><time datetime="[^"]+">[^<]+</time></bdi>', r"\(<bdi>[^<]+ UTC</bdi>\)"
    assert re.search(local + r' <span class="muted utc-time">' + utc + "</span>", starts)


def test_english_is_unchanged_for_the_domain_s_tests(browser, population, pages):
    html = read(browser(population.member("SYR", "liaison").username), pages["verification"], "en")
    assert "troops 6,500 of 6,000 allowed" in html and "Withdrawal tracker" in html
