"""The button in a message card: nothing at all without a model; with one, a button to the page's language and
a box that says it is machine output and not the record; translation.js holds no word of its own."""

import re
import uuid
from pathlib import Path
from types import SimpleNamespace

import pytest
from jinja2 import ChoiceLoader, DictLoader

from fusioncell import i18n, translation
from fusioncell.config import Settings
from fusioncell.web.templating import templates
from tests.translation.conftest import serve
from tests.translation.tiny import fake_package
from tests.web.test_pages import HTML, browser_login

TEMPLATES = Path(__file__).resolve().parents[2] / "src" / "fusioncell" / "web" / "templates"
SCRIPT = TEMPLATES.parent / "static" / "js" / "translation.js"
INCLUDED = "_machine_translation.html" in (TEMPLATES / "_message.html").read_text(encoding="utf-8")
LABEL = "Machine translation — not the original; the original above is the record"


def card(language="ar", status="released"):
    return SimpleNamespace(view=SimpleNamespace(id=uuid.uuid4(), language=language, status=status))


def render(card, language="en") -> str:
    with i18n.speaking(language):
        return templates.get_template("_machine_translation.html").render(card=card)


@pytest.fixture
def models(tmp_path) -> Path:
    for source, target in (("ar", "en"), ("en", "he")):
        fake_package(tmp_path, source, target)  # discovery only: the page never loads a model
    translation.install(Settings(translation_models=str(tmp_path)))
    return tmp_path


def test_without_a_model_the_partial_renders_nothing():
    assert translation.offered() == []
    assert render(card()).strip() == ""


def test_with_a_model_a_button_to_the_page_s_language_and_a_marked_box(models):
    shown = card(language="ar")
    html = render(shown, "en")
    assert f'data-url="/api/v1/messages/{shown.view.id}/translation?to=en"' in html
    assert ">Machine translation</button>" in html and LABEL in html
    assert 'dir="auto" lang="en"' in html and "hidden" in html
    assert '<script src="/static/js/translation.js" defer></script>' in html
    assert "ar-en" not in html and "<script>" not in html  # no inline script


@pytest.mark.parametrize(
    ("shown", "page"),
    [
        (card(language="en"), "en"),  # already in the page's language
        (card(language="he"), "en"),  # no model for he to en
        (card(language="ar", status="retracted"), "en"),  # its text is withheld
    ],
)
def test_no_button_where_nothing_can_be_translated(models, shown, page):
    assert render(shown, page).strip() == ""


def test_through_english_and_in_the_page_s_language(models):
    html = render(card(language="ar"), "he")  # ar → en → he
    assert "translation?to=he" in html and 'lang="he"' in html


def test_the_script_writes_text_only_and_has_no_words_of_its_own():
    script = SCRIPT.read_text(encoding="utf-8")
    assert "innerHTML" not in script and "textContent" in script
    code = "\n".join(line for line in script.splitlines() if not line.lstrip().startswith("//"))
    strings = re.findall(r'"([^"\\\n]*)"', code)
    words = [s for s in strings if s != "use strict" and re.search(r"[A-Za-z]{2,} [A-Za-z]{2,}", s)]
    assert words == []  # every reader-facing word comes from data-text-* attributes


def send_arabic(client, as_) -> dict:
    body = {"channel": "hotline", "body": "طائرة مسيرة فوق القنيطرة"}
    response = client.post("/api/v1/messages", json=body, headers=as_("SYR", "liaison"))
    assert response.status_code == 201, response.text
    return response.json()


def conversation(client) -> str:
    assert browser_login(client, "isr.liaison", next_path="/hotline/hotline").status_code == 303
    response = client.get("/hotline/hotline", headers=HTML)
    assert response.status_code == 200, response.text[:300]
    return response.text


def test_no_model_no_button_in_the_hotline_page(runtime, as_):
    with serve(runtime, None) as client:
        send_arabic(client, as_)
        html = conversation(client)
    assert "طائرة مسيرة" in html
    assert "data-machine-translation" not in html and "translation.js" not in html


@pytest.fixture
def included(monkeypatch):
    """_message.html as served, with the include after the message's body if it does not have it yet (the file
    itself is left alone: the overlay lives in this test's template loader only)."""
    if INCLUDED:
        return
    source = (TEMPLATES / "_message.html").read_text(encoding="utf-8")
    body = source.index('class="message-body"')
    end = source.index("{%- endif %}", body) + len("{%- endif %}")
    patched = source[:end] + '\n  {% include "_machine_translation.html" %}' + source[end:]
    loader = ChoiceLoader([DictLoader({"_message.html": patched}), templates.env.loader])
    monkeypatch.setattr(templates.env, "loader", loader)
    monkeypatch.setattr(templates.env, "cache", {})


def test_with_a_model_the_hotline_page_offers_the_button(runtime, as_, models, included):
    with serve(runtime, models) as client:
        message = send_arabic(client, as_)
        html = conversation(client)
    assert f"/api/v1/messages/{message['id']}/translation?to=en" in html
    assert LABEL in html
