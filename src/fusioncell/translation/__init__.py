"""Optional machine translation of hotline messages, from locally installed Argos models (docs/machine-translation.md).

`install(settings)` runs at startup: it discovers the packages in FUSIONCELL_TRANSLATION_MODELS (or, unset, leaves
the feature absent) and raises TranslationSetupError, one line naming the path and the problem, when the directory
is configured but cannot be used. Models load on first use. A translation is shown beside the original, marked as
machine output; it is never stored, and the original stays the record.
"""

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

import structlog

from fusioncell.translation.backend import Chain, CTranslate2Translator, ModelLoadError, Translator
from fusioncell.translation.models import LANGUAGES, Catalogue, Package, TranslationSetupError, catalogue_for

__all__ = [
    "LANGUAGES",
    "Catalogue",
    "ModelLoadError",
    "Package",
    "TranslationSetupError",
    "Translator",
    "catalogue",
    "install",
    "offered",
    "reset",
    "translator_for",
]

log = structlog.get_logger("fusioncell.translation")


@dataclass
class _Installed:
    catalogue: Catalogue = field(default_factory=Catalogue)
    factory: Callable[[Package], Translator] = CTranslate2Translator
    translators: dict[str, Translator] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)


_installed = _Installed()


def install(settings, *, factory: Callable[[Package], Translator] = CTranslate2Translator) -> Catalogue:
    """Discover the configured models (nothing when unset); replaces whatever was installed before."""
    global _installed
    found = catalogue_for(settings.translation_models)
    _installed = _Installed(catalogue=found, factory=factory)
    if found:
        log.info(
            "machine translation available",
            directory=str(found.directory),
            models=sorted(p.name for p in found.packages.values()),
            pairs=[f"{s}-{t}" for s, t in found.pairs()],
        )
    return found


def reset() -> None:
    """No model: the feature absent (tests)."""
    global _installed
    _installed = _Installed()


def catalogue() -> Catalogue:
    return _installed.catalogue


def offered() -> list[tuple[str, str]]:
    """The (from, to) language pairs an installed model translates, directly or through English; none without one."""
    return _installed.catalogue.pairs()


def translator_for(source: str, target: str) -> Translator | None:
    """The translator for a pair (one model, or two through English), loaded on first use; None if none is installed."""
    installed = _installed
    route = installed.catalogue.route(source, target)
    if not route:
        return None
    with installed.lock:
        steps = []
        for package in route:
            if package.name not in installed.translators:
                installed.translators[package.name] = installed.factory(package)
            steps.append(installed.translators[package.name])
    return steps[0] if len(steps) == 1 else Chain(steps[0], steps[1])
