"""Places, parties, people and desks from the cell's definition in English, Arabic and Hebrew."""

import pytest

from fusioncell.osint.tagging import Tagger


@pytest.fixture(scope="module")
def tagger(cell):
    return Tagger(cell, people=["Asaad al-Shaibani"])


@pytest.mark.parametrize(
    "text, places",
    [
        ("Shelling near Quneitra overnight", ["quneitra"]),
        ("أفاد سكان في القنيطرة", ["quneitra"]),
        ("وصلت القوات إلى القنيطرة وبالقنيطرة وللقنيطرة", ["quneitra"]),  # و، ب، لل
        ("قصفٌ في القُنَيطِرة", ["quneitra"]),  # diacritics
        ("جبل الشيخ ومجدل شمس", ["majdal-shams", "mount-hermon"]),
        ("פיצוצים בקוניטרה ובמג׳דל שמס", ["majdal-shams", "quneitra"]),  # ב, וב and a geresh for the apostrophe
        ("Snow on Mount Hermon; talks in Paris; Mas’ade quiet", ["masade", "mount-hermon", "paris"]),
        ("Quneitrans? Paristown? no.", []),  # on word boundaries only
        ("في عمان", ["amman"]),  # عمّان with its shadda folded
    ],
)
def test_places_in_any_language(tagger, text, places):
    assert tagger.tag(text).places == places


def test_parties_by_name_code_and_common_forms(tagger):
    assert tagger.tag("Israeli and Syrian officials met the U.S. envoy; UNDOF observed").parties == [
        "ISR", "SYR", "UNDOF", "USA"
    ]  # fmt: skip
    assert tagger.tag("إسرائيل وسوريا والأردن").parties == ["ISR", "JOR", "SYR"]
    assert tagger.tag('צה"ל וצרפת').parties == ["FRA", "ISR"]
    assert tagger.tag("tell us about it, usa").parties == []  # acronyms are case-sensitive


def test_people_and_desks(tagger):
    tags = tagger.tag("Foreign minister Asaad al-Shaibani discussed the ceasefire and an economic zone")
    assert tags.people == ["Asaad al-Shaibani"]
    assert tags.desks == ["commerce", "deescalation", "diplomacy"]
