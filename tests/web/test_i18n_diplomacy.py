"""The diplomatic desk's pages in Arabic and Hebrew: the joint statements (list and editor), the meeting calendar
(its month heading and weekdays in the page's language), the commitments register and the record (ledger) page
render right to left with their labels translated and the English gone, while the parties' own words (a
statement's text in each language, titles) are shown as written, each in its own direction."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_date

from fusioncell import i18n
from fusioncell.diplomacy import service as statements
from fusioncell.i18n import formats
from tests.diplomacy.commitments.conftest import commitment_body
from tests.diplomacy.meetings.conftest import meeting_body
from tests.support import bearer
from tests.web.test_pages import HTML
from tests.web.test_statement_pages import TEXTS, subject_of

# Per language: words the pages must show, in that language.
WORDS = {
    "ar": {
        "statements": ["البيانات المشتركة", "أحدث نسخة", "قيد الصياغة", "SYR: لم يوقّع"],
        "statement": [
            "الموافقة",
            '<th scope="col">العبرية</th>',
            '<th scope="col">الإنجليزية</th>',
            "النسخة 1",
            "يحتاج إلى تواقيع",
            "غير موقَّع",
        ],
        "meetings": ["الاجتماعات", "القادمة", "السابقة", "حدّد موعد اجتماع", "جدول الأعمال"],
        "commitments": [
            "سجل الالتزامات",
            "الطرف المسؤول",
            "صفِّ الالتزامات",
            "سجّل التزامًا",
            'data-text-state-in-progress="قيد التنفيذ"',
        ],
        "ledger": ["كيف يعمل السجل", "القيود التي يحق لطرفك الاطلاع عليها", "أحدث نقطة تحقق", "الشهود"],
    },
    "he": {
        "statements": ["הצהרות משותפות", "הגרסה האחרונה", "בניסוח", "SYR: לא חתם"],
        "statement": [
            "אישור",
            '<th scope="col">ערבית</th>',
            '<th scope="col">אנגלית</th>',
            "גרסה 1",
            "נדרשות החתימות של",
            "לא נחתם",
        ],
        "meetings": ["פגישות", "הקרובות", "שעברו", "קביעת פגישה", "סדר היום"],
        "commitments": [
            "מרשם ההתחייבויות",
            "הצד האחראי",
            "סינון ההתחייבויות",
            "רישום התחייבות",
            'data-text-state-in-progress="בביצוע"',
        ],
        "ledger": ["כיצד הרשומה פועלת", "רשומות שהצד שלך רשאי לקרוא", "נקודת הביקורת האחרונה", "עדים"],
    },
}
# English each page showed before translation: none of it may remain.
ENGLISH = {
    "statements": ["Joint statements", "Latest version", ">drafting<", "not signed<", "Drafted by the mediator"],
    "statement": ["Approval of version", "Needs the signatures of", "Printable page", "Sign version", ">not signed<"],
    "meetings": ["Upcoming", "Schedule a meeting", "Times in the cell", ">Mon<", "Week of", "None your party"],
    "commitments": [
        "Commitments register",
        "Responsible party",
        ">agreed<",
        "Record a commitment",
        "Loading the chart",
    ],
    "ledger": ["How the record works", "Entries your party may read", "Latest checkpoint", "Witnesses", "Root hash"],
}


def read(agent, path: str, language: str) -> str:
    response = agent.get(path, headers=HTML | {"accept-language": language})
    assert response.status_code == 200, (path, response.status_code, response.text[:300])
    html = response.text
    assert f'<html lang="{language}" dir="rtl">' in html
    return html


def speaks(html: str, language: str, page: str) -> None:
    missing = [w for w in WORDS[language][page] if w not in html]
    assert missing == [], f"{page} in {language}: missing {missing}"
    left = [w for w in ENGLISH[page] if w in html]
    assert left == [], f"{page} in {language}: English left {left}"


@pytest.fixture
def statement(db, cell, population):
    drafted = statements.draft_statement(
        db,
        cell=cell,
        subject=subject_of(db, cell, population, "USA", "liaison"),
        title="On <i>Quneitra</i>",
        required_parties=frozenset({"ISR", "SYR"}),
        texts=TEXTS,
    )
    db.commit()
    return drafted


@pytest.mark.parametrize("language", ["ar", "he"])
def test_the_statements_list_and_editor_speak_the_page_s_language(browser, statement, language):
    isr = browser("isr.liaison")
    listed = read(isr, "/statements", language)
    speaks(listed, language, "statements")
    assert "On &lt;i&gt;Quneitra&lt;/i&gt;" in listed  # the title as written

    html = read(isr, f"/statements/{statement.id}", language)
    speaks(html, language, "statement")
    # The parties' own words in each language, untranslated, each in its own direction.
    assert 'lang="ar" dir="rtl"' in html and 'lang="he" dir="rtl"' in html and 'lang="en" dir="auto"' in html
    assert "سيجتمعان شهريا." in html and "הם ייפגשו מדי חודש." in html
    assert "They will &lt;b&gt;meet&lt;/b&gt; monthly." in html


@pytest.mark.parametrize("language", ["ar", "he"])
def test_the_meeting_calendar_speaks_the_page_s_language(browser, client, population, cell, language):
    zone = ZoneInfo(cell.timezone)
    day = date.today().replace(day=15) + timedelta(days=40)  # a month ahead: the meeting is upcoming
    start = datetime.combine(day, time(10), tzinfo=zone)
    scheduled = client.post(
        "/api/v1/meetings",
        json=meeting_body(
            title="Plenary <b>one</b>",
            starts_at=start.isoformat(),
            ends_at=(start + timedelta(hours=2)).isoformat(),
        ),
        headers=bearer(population.member("USA", "liaison")),
    )
    assert scheduled.status_code == 201, scheduled.text
    html = read(browser("usa.liaison"), f"/meetings?view=month&at={day.isoformat()}", language)
    speaks(html, language, "meetings")
    with i18n.speaking(language):
        heading = formats.month(day)
        monday = format_date(day - timedelta(days=day.weekday()), "EEE", locale=language)
        starts = formats.time_of_day(start, cell.timezone)
    with i18n.speaking("en"):
        english_heading = formats.month(day)
    assert f'<h2 id="calendar-heading">{heading}</h2>' in html and english_heading not in html
    assert f'<th scope="col">{monday}</th>' in html
    assert starts in html  # the meeting's time of day as the language writes it
    assert "Plenary &lt;b&gt;one&lt;/b&gt;" in html  # the title as written


@pytest.mark.parametrize("language", ["ar", "he"])
def test_the_commitments_register_speaks_the_page_s_language(browser, client, population, language):
    recorded = client.post(
        "/api/v1/commitments", json=commitment_body(), headers=bearer(population.member("USA", "liaison"))
    )
    assert recorded.status_code == 201, recorded.text
    html = read(browser("syr.liaison"), "/commitments", language)
    speaks(html, language, "commitments")
    assert "Syria removes the checkpoint at Khan Arnabah." in html  # the commitment's text as written


@pytest.mark.parametrize("language", ["ar", "he"])
def test_the_record_page_speaks_the_page_s_language(browser, language):
    html = read(browser("isr.liaison"), "/ledger", language)
    speaks(html, language, "ledger")
    assert "<code>/api/v1/ledger/</code>" in html and "fusioncell ledger verify" in html  # commands as they are
