"""The cell's three working languages: English, Arabic and Hebrew.

The interface's words live in gettext catalogs (`locales/<language>/LC_MESSAGES/messages.po`), read and
compiled in memory when first used, so there is no build step and the .po files in the repository are the whole
truth. English is the source language: its catalog is the message ids themselves.

Which language a page speaks is decided once per request (the account's choice, else the browser's
Accept-Language, else English) and held in a context variable for the templates' `_()` and the services'
messages, so nothing has to thread it through every call.
"""

import contextlib
import io
from collections.abc import Iterator
from contextvars import ContextVar
from functools import lru_cache
from importlib.resources import files

from babel import Locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

LANGUAGES = ("en", "ar", "he")
RIGHT_TO_LEFT = frozenset({"ar", "he"})
SOURCE_LANGUAGE = "en"
# The names each language is offered under in the switch: in itself, so a reader finds their own.
NATIVE_NAMES = {"en": "English", "ar": "العربية", "he": "עברית"}

_current: ContextVar[str] = ContextVar("fusioncell_language", default=SOURCE_LANGUAGE)


def catalog_path(language: str):
    return files("fusioncell.i18n") / "locales" / language / "LC_MESSAGES" / "messages.po"


@lru_cache(maxsize=len(LANGUAGES))
def translations(language: str) -> NullTranslations:
    """The compiled catalog of a language; English (and anything unknown) translates to itself."""
    if language not in LANGUAGES or language == SOURCE_LANGUAGE:
        return NullTranslations()
    with catalog_path(language).open("rb") as po:
        catalog = read_po(po, locale=language)
    compiled = io.BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)  # a fuzzy entry is a guess: it must not reach a reader
    compiled.seek(0)
    return Translations(compiled)


def current_language() -> str:
    return _current.get()


def text_direction(language: str | None = None) -> str:
    return "rtl" if (language or current_language()) in RIGHT_TO_LEFT else "ltr"


@contextlib.contextmanager
def speaking(language: str) -> Iterator[None]:
    """Run a block (a page's rendering, an e-mail's) in one of the cell's languages."""
    token = _current.set(language if language in LANGUAGES else SOURCE_LANGUAGE)
    try:
        yield
    finally:
        _current.reset(token)


def gettext(message: str) -> str:
    return translations(current_language()).gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    return translations(current_language()).ngettext(singular, plural, count)


def N_(message: str) -> str:  # noqa: N802 (gettext's name for "mark now, translate where shown")
    """Marks a word for the catalogs where it is defined; it is translated where it is shown, with `_()`."""
    return message


def negotiate(accept_language: str | None) -> str | None:
    """The first of the cell's languages the browser's Accept-Language asks for, by its q-values."""
    if not accept_language:
        return None
    wanted = []
    for position, part in enumerate(accept_language.split(",")[:20]):  # a header is no place for a thousand
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                continue
        if tag and quality > 0:
            wanted.append((-quality, position, tag.strip().replace("_", "-")))
    found = Locale.negotiate([tag for _, _, tag in sorted(wanted)], list(LANGUAGES), sep="-")
    return None if found is None else found.language


def choose(*, account_language: str | None, accept_language: str | None) -> str:
    """The account's own choice wins; then the browser's; then English."""
    if account_language in LANGUAGES:
        return account_language
    return negotiate(accept_language) or SOURCE_LANGUAGE
