"""The loading code on its real path, without a downloaded model: a tiny random-weight CTranslate2 Transformer
and a SentencePiece model trained here, laid out as an Argos package, go through discovery → lazy load →
translate. The output is gibberish; what is proven is that the real backend runs and its output is marked."""

import threading

import pytest

from fusioncell import translation
from fusioncell.config import Settings
from fusioncell.translation.backend import CTranslate2Translator, ModelLoadError, sentences_of
from tests.translation.tiny import fake_package, lay_out


def test_discovery_load_translate_on_the_real_backend(models_dir):
    found = translation.install(Settings(translation_models=str(models_dir)))
    assert len(found.packages) == 3
    translator = translation.translator_for("en", "ar")
    assert isinstance(translator, CTranslate2Translator) and not translator.loaded  # lazy: nothing loaded yet
    text = translator.translate("The patrol crossed the line at dawn. Please acknowledge.\n\nThank you.")
    assert translator.loaded and isinstance(text, str)
    assert text.count("\n") == 2  # paragraphs kept: sentence, sentence / empty / sentence
    assert translation.translator_for("en", "ar") is translator  # loaded once, reused


def test_a_chain_through_english_runs_both_models(models_dir):
    translation.install(Settings(translation_models=str(models_dir)))
    chain = translation.translator_for("ar", "he")
    assert chain.name == "translate-ar_en-1_0 + translate-en_he-1_0"
    assert isinstance(chain.translate("طائرة مسيرة فوق القنيطرة"), str)
    assert chain.first.loaded and chain.second.loaded


def test_concurrent_first_requests_load_the_model_once(models_dir, monkeypatch):
    translation.install(Settings(translation_models=str(models_dir)))
    translator = translation.translator_for("en", "he")
    import ctranslate2

    loads = []
    real = ctranslate2.Translator

    def counted(*args, **kwargs):
        loads.append(args[0])
        return real(*args, **kwargs)

    monkeypatch.setattr(ctranslate2, "Translator", counted)
    results = []
    threads = [threading.Thread(target=lambda: results.append(translator.translate("Hello."))) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 4 and len(loads) == 1


def test_a_target_prefix_from_metadata_is_passed_and_stripped(tmp_path, tiny_model):
    import sentencepiece

    piece = sentencepiece.SentencePieceProcessor(model_file=str(tiny_model / "sentencepiece.model")).id_to_piece(5)
    lay_out(tmp_path, "en", "ar", tiny_model, target_prefix=piece)
    translation.install(Settings(translation_models=str(tmp_path)))
    translator = translation.translator_for("en", "ar")
    assert translator.package.target_prefix == piece
    assert isinstance(translator.translate("Hello."), str)


def test_a_corrupt_model_fails_on_first_use_with_its_path(tmp_path):
    package = fake_package(tmp_path, "en", "ar")  # model.bin and sentencepiece.model hold garbage
    translation.install(Settings(translation_models=str(tmp_path)))
    with pytest.raises(ModelLoadError) as caught:
        translation.translator_for("en", "ar").translate("Hello.")
    assert f"{package} could not be loaded" in str(caught.value)


def test_a_corrupt_model_answers_a_clear_503_to_a_reader(runtime, tmp_path, as_):
    from tests.translation.conftest import serve

    fake_package(tmp_path, "en", "ar")
    with serve(runtime, tmp_path) as client:
        sent = client.post("/api/v1/messages", json={"channel": "hotline", "body": "Hello."}, headers=as_("ISR"))
        response = client.get(f"/api/v1/messages/{sent.json()['id']}/translation?to=ar", headers=as_("SYR"))
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "machine_translation_failed"
    assert "failed" in response.json()["error"]["message"]


def test_text_is_split_into_lines_and_sentences():
    assert sentences_of("One. Two?\n\nThree؟ Four") == [["One.", "Two?"], [], ["Three؟", "Four"]]
