"""The intelligence, commercial and open-source pages in Arabic and Hebrew: each reads right to left with its
labels, enumerated values and Admiralty grade in the page's language (no English left where a word was
marked), and its figures and dates written by the language's own formats."""

import pytest

from fusioncell import i18n
from fusioncell.access.service import subject_for, user_by_name
from fusioncell.commerce import service
from fusioncell.commerce.schemas import ProjectCreate
from fusioncell.i18n import formats
from tests.intel.conftest import write  # noqa: F401  (the fixture)
from tests.osint.reading_support import make_article
from tests.web.test_pages import HTML

QUNEITRA = {"type": "Point", "coordinates": [35.8239, 33.1256]}
CAPITAL_COST = 1_234_567

# Per page: words that must be there in the language, and the English they replace (which must not).
EXPECTED = {
    "reports": {
        "ar": ["التقارير الاستخبارية", "الكاتب", "الدرجة", "القرّاء", "التصدير بصيغة STIX"],
        "he": ["דוחות מודיעין", "מחבר", "דרגה", "קוראים", "ייצוא כ־STIX"],
        "en": ["Intelligence reports", ">Author<", ">Grade<", ">Readers<", "export as STIX"],
    },
    "report": {
        "ar": [
            "مصدر موثوق عادةً، والمعلومة صحيحة على الأرجح",
            "عمليات الرصد والآراء",
            "يرتبط بـ",
            "المؤشرات والجهات والمكان",
        ],
        "he": ["מקור אמין בדרך כלל, המידע: כנראה נכון", "תצפיות וחוות דעת", "מתואם עם", "סממנים, גורמים, מקום"],
        "en": ["usually reliable source", "Sightings and opinions", "Correlates with", "Indicators, actors, place"],
    },
    "register": {
        "ar": ["سجل المشاريع", "طاقة الرياح", "القطاع", "سجّل مشروعًا"],
        "he": ["מרשם הפרויקטים", "אנרגיית רוח", "מגזר", "רישום פרויקט"],
        "en": ["Project register", ">energy-wind<", ">Sector<", "Record a project"],
    },
    "project": {
        "ar": ["التكلفة الرأسمالية", "الرعاة والمستثمرون", "المراحل", "فكرة"],
        "he": ["עלות הון", "נותני חסות ומשקיעים", "שלבים", "רעיון"],
        "en": ["Capital cost", "Sponsors and investors", ">Stages<", ">concept<"],
    },
    "compose": {
        "ar": ["اكتب تقريرًا استخباريًا", "موثوق عادةً", "الجمهور"],
        "he": ["כתיבת דוח מודיעין", "אמין בדרך כלל", "קהל"],
        "en": ["Write an intelligence report", "usually reliable", ">Audience<"],
    },
    "review": {
        "ar": ["بانتظار الموافقة", "بانتظار مراجعتك"],
        "he": ["ממתינים לאישור", "ממתינים לבדיקתך"],
        "en": ["Awaiting approval", "Waiting for your review"],
    },
    "dashboard": {
        "ar": ["التقدّم نحو الأهداف", "القدرة الكهربائية", "المُنجَز"],
        "he": ["התקדמות מול היעדים", "הספק חשמלי", "הושלם"],
        "en": ["Progress against the targets", "Power capacity", ">Delivered<"],
    },
    "digest": {
        "ar": ["موجز المصادر المفتوحة", "اليوم السابق"],
        "he": ["תקציר המקורות הגלויים", "היום הקודם"],
        "en": ["Open-source digest", "previous day"],
    },
    "article": {
        "ar": ["السجلات المرتبطة", "قائمة القراءة"],
        "he": ["רשומות מקושרות", "רשימת הקריאה"],
        "en": ["Linked records", "Reading list"],
    },
    "osint": {
        "ar": ["قراءة المصادر المفتوحة", "الأحدث أولًا", "موجز اليوم"],
        "he": ["קריאה במקורות גלויים", "החדשים תחילה", "תקציר היום"],
        "en": ["Open-source reading", "Newest first", "today's digest"],
    },
}


@pytest.fixture
def pages(browser, write, db, cell):  # noqa: F811
    """The desks' pages, each as USA's liaison officer reads it in a language: `pages(name, language)`."""
    report = write("ISR", title="Launcher near Quneitra")  # released to USA
    subject = subject_for(user_by_name(db, "usa.liaison"), cell)
    body = {
        "name": "Quneitra wind farm",
        "sector": "energy-wind",
        "site": QUNEITRA,
        "power_mw": 120.5,
        "capital_cost_usd": CAPITAL_COST,
        "sponsors": [{"name": "Example Wind Partners", "role": "sponsor"}],
    }
    project = service.create_project(db, subject=subject, cell=cell, data=ProjectCreate.model_validate(body))
    article = make_article(db, title="Crossing reopens")
    db.commit()
    reader = browser("usa.liaison")
    paths = {
        "reports": "/intel",
        "report": f"/intel/reports/{report['id']}",
        "register": "/projects",
        "project": f"/projects/{project.id}",
        "osint": "/osint",
        "compose": "/intel/compose",
        "review": "/intel/review",
        "dashboard": "/projects/dashboard",
        "digest": f"/osint/digest?day={article.published_at.date().isoformat()}",
        "article": f"/osint/articles/{article.id}",
    }

    def read(name: str, language: str) -> str:
        response = reader.get(paths[name], headers=HTML | {"accept-language": language})
        assert response.status_code == 200, (name, response.status_code, response.text[:300])
        return response.text

    return read


@pytest.mark.parametrize("language", ["ar", "he"])
def test_the_desks_pages_read_right_to_left_in_the_page_s_language(pages, language):
    for name, words in EXPECTED.items():
        html = pages(name, language)
        assert f'<html lang="{language}" dir="rtl">' in html, name
        missing = [w for w in words[language] if w not in html]
        assert missing == [], (name, missing)
        left = [w for w in words["en"] if w in html]
        assert left == [], (name, left)


@pytest.mark.parametrize("language", ["ar", "he"])
def test_a_project_s_figures_are_written_by_the_language(pages, language):
    html = pages("project", language)
    with i18n.speaking(language):
        cost = formats.number(CAPITAL_COST)
        power = formats.number(120.5)
        phrases = [i18n.gettext("%(amount)s USD") % {"amount": cost}, i18n.gettext("%(count)s MW") % {"count": power}]
    assert all(phrase in html for phrase in phrases), phrases
    assert str(CAPITAL_COST) not in html.split("</head>", 1)[1]  # never the raw figure
    english = pages("project", "en")
    assert f"{formats.number(CAPITAL_COST)} USD" in english and "120.5 MW" in english
