"""Configuration and discovery of Argos packages, and the one-line startup errors; no model is run here."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from fusioncell import translation
from fusioncell.config import Settings
from fusioncell.translation import models
from fusioncell.translation.models import TranslationSetupError, catalogue_for, discover
from tests.translation.tiny import fake_package


def one_line_error(setting: str) -> str:
    with pytest.raises(TranslationSetupError) as caught:
        catalogue_for(setting)
    message = str(caught.value)
    assert "\n" not in message and message.startswith("FUSIONCELL_TRANSLATION_MODELS: ")
    return message


def test_unset_means_the_feature_is_absent_and_nothing_is_read():
    assert Settings().translation_models == ""
    assert not translation.install(Settings())
    assert translation.offered() == []
    assert translation.translator_for("en", "ar") is None
    assert not catalogue_for("   ")


def test_the_setting_comes_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("FUSIONCELL_TRANSLATION_MODELS", str(tmp_path))
    assert Settings().translation_models == str(tmp_path)


def test_packages_are_found_and_pairs_offered_directly_or_through_english(tmp_path):
    for source, target in (("en", "ar"), ("ar", "en"), ("en", "he")):
        fake_package(tmp_path, source, target)
    found = translation.install(Settings(translation_models=str(tmp_path)))
    assert sorted(found.packages) == [("ar", "en"), ("en", "ar"), ("en", "he")]
    assert sorted(translation.offered()) == [("ar", "en"), ("ar", "he"), ("en", "ar"), ("en", "he")]
    assert [p.name for p in found.route("ar", "he")] == ["translate-ar_en-1_0", "translate-en_he-1_0"]
    assert found.route("he", "ar") == () and found.route("en", "en") == ()
    package = found.packages[("en", "ar")]
    assert package.version == "1.0" and package.model_dir == tmp_path / "translate-en_ar-1_0" / "model"


def test_other_languages_and_other_kinds_of_package_are_skipped(tmp_path):
    fake_package(tmp_path, "en", "fr")
    fake_package(tmp_path, "ar", "de")
    (tmp_path / "sbd").mkdir()
    (tmp_path / "sbd" / "metadata.json").write_text(json.dumps({"type": "sbd", "from_code": "en"}))
    (tmp_path / "README.txt").write_text("installed by the operator")
    (tmp_path / ".cache").mkdir()
    fake_package(tmp_path, "he", "en", target_prefix="__en__")
    found = discover(tmp_path)
    assert list(found.packages) == [("he", "en")]
    assert found.packages[("he", "en")].target_prefix == "__en__"


def test_a_directory_without_usable_packages_leaves_the_feature_off(tmp_path):
    fake_package(tmp_path, "en", "fr")
    assert not translation.install(Settings(translation_models=str(tmp_path)))
    assert translation.offered() == []


def test_a_missing_directory_is_a_clear_startup_error(tmp_path):
    message = one_line_error(str(tmp_path / "nowhere"))
    assert f"{tmp_path / 'nowhere'} does not exist" in message


def test_a_file_instead_of_a_directory(tmp_path):
    (tmp_path / "models").write_text("")
    assert f"{tmp_path / 'models'} is not a directory" in one_line_error(str(tmp_path / "models"))


def test_an_unreadable_directory(tmp_path, monkeypatch):
    """Listing the directory is refused (the suite runs as root, which ignores file modes, so the refusal is
    the operating system's error raised where the listing happens)."""

    def refuse(self):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "iterdir", refuse)
    assert f"{tmp_path} cannot be read (permission denied)" in one_line_error(str(tmp_path))


@pytest.mark.parametrize(
    ("damage", "problem"),
    [
        (lambda p: (p / "metadata.json").unlink(), "is not an Argos package: metadata.json is missing"),
        (lambda p: (p / "metadata.json").write_text("{not json"), "metadata.json is not valid JSON"),
        (lambda p: (p / "metadata.json").write_text("[]"), "metadata.json is not a JSON object"),
        (lambda p: (p / "metadata.json").write_text('{"to_code": "ar"}'), "metadata.json has no from_code and to_code"),
        (lambda p: (p / "model" / "model.bin").unlink(), "is a broken package: model/model.bin is missing"),
        (lambda p: __import__("shutil").rmtree(p / "model"), "is a broken package: model/ (the CTranslate2 model)"),
        (lambda p: (p / "sentencepiece.model").unlink(), "is a broken package: sentencepiece.model is missing"),
    ],
)
def test_a_broken_package_is_named_with_what_it_lacks(tmp_path, damage, problem):
    package = fake_package(tmp_path, "en", "ar")
    damage(package)
    message = one_line_error(str(tmp_path))
    assert str(package) in message and problem in message


def test_a_packed_argos_archive_is_named(tmp_path):
    (tmp_path / "translate-en_ar-1_0.argosmodel").write_bytes(b"PK")
    message = one_line_error(str(tmp_path))
    assert "translate-en_ar-1_0.argosmodel is a packed Argos archive: unzip it" in message


def test_two_packages_for_one_pair(tmp_path):
    fake_package(tmp_path, "en", "ar")
    second = fake_package(tmp_path / "x", "en", "ar")
    second.rename(tmp_path / "translate-en_ar-1_9")
    message = one_line_error(str(tmp_path))
    assert "two packages for en to ar: translate-en_ar-1_0 and translate-en_ar-1_9" in message


def test_models_without_the_translation_extra_installed(tmp_path, monkeypatch):
    fake_package(tmp_path, "en", "ar")
    real = models.importlib.util.find_spec
    monkeypatch.setattr(models.importlib.util, "find_spec", lambda n: None if n == "ctranslate2" else real(n))
    message = one_line_error(str(tmp_path))
    assert "ctranslate2 is not installed: pip install 'fusioncell[translation]'" in message


def test_a_failed_startup_leaves_no_half_installed_feature(tmp_path):
    fake_package(tmp_path, "en", "ar")
    translation.install(Settings(translation_models=str(tmp_path)))
    with pytest.raises(TranslationSetupError):
        translation.install(Settings(translation_models=str(tmp_path / "gone")))
    # The server does not start; in this process the earlier catalogue is still the one installed.
    assert translation.offered() == [("en", "ar")]


def test_ctranslate2_and_sentencepiece_are_imported_only_when_a_model_is_used(tmp_path):
    """In a fresh interpreter: the app with no model, then discovery of a model, import neither."""
    fake_package(tmp_path, "en", "ar")
    script = (
        "import sys\n"
        "from fusioncell.app import create_app\n"
        "from fusioncell import translation\n"
        "from fusioncell.config import Settings\n"
        f"translation.install(Settings(translation_models={str(tmp_path)!r}))\n"
        "assert translation.offered() == [('en', 'ar')]\n"
        "assert translation.translator_for('en', 'ar') is not None\n"
        "print(sorted(m for m in ('ctranslate2', 'sentencepiece') if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().splitlines()[-1] == "[]"
