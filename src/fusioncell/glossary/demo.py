"""The demo cell's glossary, alive on first run: the cell's core terms, each clearly marked illustrative in its
note, proposed by the mediator and approved by Israel and Syria; one of them revised since and approved by
Israel, waiting for Syria (its agreed version stays the one marked meanwhile). The same service calls as any
other term, into the record."""

from sqlalchemy.orm import Session

from fusioncell.access.subjects import Subject
from fusioncell.cell.definition import CellDefinition
from fusioncell.demo import ILLUSTRATIVE
from fusioncell.glossary import service
from fusioncell.glossary.service import Wording

NOTE = ILLUSTRATIVE + "Demo wording, not an agreed text of any real mechanism."

# key: (en, ar, he, {language: variants})
TERMS: dict[str, tuple[str, str, str, dict[str, list[str]]]] = {
    "area-of-separation": (
        "Area of Separation",
        "منطقة الفصل",
        "אזור ההפרדה",
        {"en": ["AOS"], "he": ["אזור הפרדה"]},
    ),
    "area-of-limitation": (
        "Area of Limitation",
        "منطقة تحديد القوات",
        "אזור הגבלת הכוחות",
        {"en": ["Areas of Limitation"], "ar": ["مناطق تحديد القوات"], "he": ["אזורי הגבלת הכוחות"]},
    ),
    "alpha-line": ("Alpha line", "خط ألفا", "קו אלפא", {"en": ["Line Alpha"]}),
    "bravo-line": ("Bravo line", "خط برافو", "קו בראבו", {"en": ["Line Bravo"]}),
    "disengagement": ("disengagement", "فك الاشتباك", "הפרדת כוחות", {"ar": ["فض الاشتباك"], "he": ["הפרדת הכוחות"]}),
    "deconfliction": ("deconfliction", "منع التضارب", "מניעת חיכוך", {}),
    "fusion-mechanism": ("fusion mechanism", "آلية الدمج", "מנגנון האיחוד", {}),
    "ceasefire": ("ceasefire", "وقف إطلاق النار", "הפסקת אש", {"en": ["cease-fire"]}),
    "undof": (
        "UNDOF",
        "أندوف",
        'אונדו"ף',
        {
            "en": ["United Nations Disengagement Observer Force"],
            "ar": ["قوة الأمم المتحدة لمراقبة فض الاشتباك"],
        },
    ),
}
# The revision waiting for Syria: the Arabic and Hebrew forms with and without the article.
REVISED = "ceasefire"
REVISION = {"en": ["cease-fire"], "ar": ["وقف النار"], "he": ["הפסקת האש"]}


def _content(key: str, variants: dict[str, list[str]] | None = None, note: str = NOTE) -> Wording:
    en, ar, he, listed = TERMS[key]
    chosen = listed if variants is None else variants
    return Wording(
        wording={"en": en, "ar": ar, "he": he},
        variants={lang: list(chosen.get(lang, [])) for lang in ("en", "ar", "he")},
        note=note,
    )


def seed_demo_glossary(session: Session, *, cell: CellDefinition, usa: Subject, isr: Subject, syr: Subject) -> None:
    for key in TERMS:
        term = service.propose_term(session, cell=cell, subject=usa, key=key, content=_content(key))
        for party in (isr, syr):
            service.approve_term(session, cell=cell, subject=party, term_id=term.id, version=1)
        if key == REVISED:
            note = ILLUSTRATIVE + "Adds the short Arabic form and the Hebrew with its article, as Israel asked."
            service.revise_term(session, cell=cell, subject=usa, term_id=term.id, content=_content(key, REVISION, note))
            service.approve_term(session, cell=cell, subject=isr, term_id=term.id, version=2)
