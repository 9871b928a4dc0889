"""Installed machine-translation models: discovery of Argos packages in the configured directory.

An Argos package (https://github.com/argosopentech/argos-translate) is a folder holding `metadata.json`
(`from_code`, `to_code`, ...), `model/` (a CTranslate2 model: `model.bin` and its vocabulary) and
`sentencepiece.model`. The `.argosmodel` files Argos distributes are zip archives of one such folder: the
operator unpacks them into the directory named by FUSIONCELL_TRANSLATION_MODELS. Nothing is ever downloaded.

Discovery reads only files: ctranslate2 and sentencepiece are imported when a model is first used
(backend.py), and only checked for here when a directory is configured.
"""

import importlib.util
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import structlog

log = structlog.get_logger("fusioncell.translation")

LANGUAGES = ("en", "ar", "he")
PIVOT = "en"  # Argos' own rule: without a direct model, go through English
SETTING = "FUSIONCELL_TRANSLATION_MODELS"
REQUIRED_MODULES = ("ctranslate2", "sentencepiece")


class TranslationSetupError(Exception):
    """The configured model directory cannot be used; one line that names the path and what is wrong.

    An operator's start-up error, like a bad ledger key (never shown to a cell's member): `fusioncell serve`
    stops with that line (cli.fail)."""


@dataclass(frozen=True)
class Package:
    """One installed Argos translation package."""

    path: Path
    source: str
    target: str
    version: str = ""
    target_prefix: str = ""

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def model_dir(self) -> Path:
        return self.path / "model"

    @property
    def tokenizer(self) -> Path:
        return self.path / "sentencepiece.model"


@dataclass(frozen=True)
class Catalogue:
    """The packages found, by (from, to); empty when no directory is configured."""

    directory: Path | None = None
    packages: dict[tuple[str, str], Package] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.packages)

    def route(self, source: str, target: str) -> tuple[Package, ...]:
        """The packages that translate source into target: one, two through English, or none."""
        if source == target:
            return ()
        direct = self.packages.get((source, target))
        if direct is not None:
            return (direct,)
        first, second = self.packages.get((source, PIVOT)), self.packages.get((PIVOT, target))
        if first is not None and second is not None:
            return (first, second)
        return ()

    def pairs(self) -> list[tuple[str, str]]:
        """Every (from, to) that can be translated, directly or through English."""
        return [(s, t) for s in LANGUAGES for t in LANGUAGES if self.route(s, t)]


def _fail(path: Path, problem: str) -> TranslationSetupError:
    return TranslationSetupError(f"{SETTING}: {path} {problem}")


def _read_metadata(folder: Path) -> dict:
    metadata = folder / "metadata.json"
    if not metadata.is_file():
        raise _fail(folder, "is not an Argos package: metadata.json is missing")
    try:
        data = json.loads(metadata.read_text(encoding="utf-8"))
    except PermissionError:
        raise _fail(metadata, "cannot be read (permission denied)") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _fail(metadata, f"is not valid JSON ({exc})") from None
    if not isinstance(data, dict):
        raise _fail(metadata, "is not a JSON object")
    return data


def read_package(folder: Path) -> Package | None:
    """One package folder; None for a package that is not an en/ar/he translation (it is skipped)."""
    data = _read_metadata(folder)
    kind = data.get("type", "translate")
    source, target = data.get("from_code"), data.get("to_code")
    if kind != "translate":
        log.info("machine translation: not a translation package, skipped", package=str(folder), type=kind)
        return None
    if not isinstance(source, str) or not isinstance(target, str) or not source or not target:
        raise _fail(folder / "metadata.json", "has no from_code and to_code")
    if source not in LANGUAGES or target not in LANGUAGES or source == target:
        log.info("machine translation: not an en/ar/he pair, skipped", package=str(folder), pair=f"{source}-{target}")
        return None
    if not (folder / "model").is_dir():
        raise _fail(folder, "is a broken package: model/ (the CTranslate2 model) is missing")
    if not (folder / "model" / "model.bin").is_file():
        raise _fail(folder, "is a broken package: model/model.bin is missing")
    if not (folder / "sentencepiece.model").is_file():
        raise _fail(folder, "is a broken package: sentencepiece.model is missing")
    for needed in (folder / "model" / "model.bin", folder / "sentencepiece.model"):
        if not os.access(needed, os.R_OK):
            raise _fail(needed, "cannot be read (permission denied)")
    prefix = data.get("target_prefix") or ""
    return Package(
        path=folder,
        source=source,
        target=target,
        version=str(data.get("package_version") or ""),
        target_prefix=prefix if isinstance(prefix, str) else "",
    )


def discover(directory: Path) -> Catalogue:
    """Every usable package in the directory; a TranslationSetupError when it cannot be used as configured."""
    if not directory.exists():
        raise _fail(directory, "does not exist (unset the setting to run without machine translation)")
    if not directory.is_dir():
        raise _fail(directory, "is not a directory")
    try:
        entries = sorted(directory.iterdir())
    except PermissionError:
        raise _fail(directory, "cannot be read (permission denied)") from None
    packages: dict[tuple[str, str], Package] = {}
    for entry in entries:
        if entry.name.startswith("."):
            continue
        if entry.suffix == ".argosmodel":
            raise _fail(entry, "is a packed Argos archive: unzip it into its own folder here")
        if not entry.is_dir():
            continue
        package = read_package(entry)
        if package is None:
            continue
        pair = (package.source, package.target)
        if pair in packages:
            raise _fail(
                directory,
                f"holds two packages for {package.source} to {package.target}: "
                f"{packages[pair].name} and {package.name}; keep one",
            )
        packages[pair] = package
    if not packages:
        log.warning("machine translation: no en/ar/he package found; the feature is off", directory=str(directory))
        return Catalogue(directory=directory)
    missing = [name for name in REQUIRED_MODULES if importlib.util.find_spec(name) is None]
    if missing:
        raise TranslationSetupError(
            f"{SETTING}: {directory} holds models but {' and '.join(missing)} is not installed: "
            "pip install 'fusioncell[translation]'"
        )
    return Catalogue(directory=directory, packages=packages)


def catalogue_for(setting: str) -> Catalogue:
    """The catalogue a setting gives: empty (the feature absent) when it is unset."""
    if not setting.strip():
        return Catalogue()
    return discover(Path(setting.strip()).expanduser())
