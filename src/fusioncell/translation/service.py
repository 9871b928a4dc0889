"""A message's machine translation for one of its readers: never stored, never the record.

Whether the caller may read the message is the hotline's own readable query (hotline.service.readable_message,
built on access.rule.readable): a message the caller may not read answers exactly as one that does not exist,
before anything about models is looked at.
"""

import html
import threading
import time
import uuid
from collections import OrderedDict
from dataclasses import dataclass

import nh3
import structlog
from sqlalchemy.orm import Session

from fusioncell import translation
from fusioncell.access.subjects import Subject
from fusioncell.db.base import Status
from fusioncell.errors import Conflict, FusionError, Invalid
from fusioncell.hotline.service import readable_message
from fusioncell.hotline.text import detect_language, render_body
from fusioncell.i18n import N_

log = structlog.get_logger("fusioncell.translation")

CACHE_SIZE = 256  # translations kept in memory per process (never on disk, never in the record)


class NotAvailable(Conflict):
    code = "machine_translation_unavailable"


class TranslationFailed(FusionError):
    status_code = 503
    code = "machine_translation_failed"


@dataclass(frozen=True)
class MachineTranslation:
    message_id: uuid.UUID
    version: int
    source: str
    target: str
    text: str
    model: str
    machine_translation: bool = True


_cache: OrderedDict[tuple, str] = OrderedDict()
_cache_lock = threading.Lock()


def plain_text(body: str) -> str:
    """The words of a message as its readers see them: the Markdown rendered, then every tag dropped."""
    rendered = render_body(body)
    text = nh3.clean(rendered.replace("<br>", "\n").replace("</p>", "\n").replace("</li>", "\n"), tags=set())
    return "\n".join(line.strip() for line in html.unescape(text).splitlines()).strip()


def source_language(message_language: str | None, body: str) -> str:
    """The language the author gave (or the hotline detected when the message was sent), else its script."""
    if message_language in translation.LANGUAGES:
        return message_language
    return detect_language(body)


def translate_message(
    session: Session, *, subject: Subject, message_id: uuid.UUID, target: str, source: str | None = None
) -> MachineTranslation:
    message = readable_message(session, subject, message_id)  # 404 exactly as for a missing message
    if message.status == Status.RETRACTED:
        raise Conflict(N_("The message was retracted: its text is withheld and is not translated."))
    if not translation.catalogue():
        raise NotAvailable(N_("Machine translation is not available on this server: no model is installed."))
    source = source or source_language(message.language, message.body)
    if source == target:
        raise Invalid(N_("The message is already in the language asked for ({language})."), language=target)
    translator = translation.translator_for(source, target)
    if translator is None:
        raise NotAvailable(
            N_("No machine translation model is installed for {source} to {target}."), source=source, target=target
        )
    key = (message.id, message.version, source, target, translator.name)
    with _cache_lock:
        text = _cache.get(key)
        if text is not None:
            _cache.move_to_end(key)
    if text is None:
        started = time.perf_counter()
        words = plain_text(message.body)
        try:
            text = translator.translate(words)
        except translation.ModelLoadError as exc:
            log.error("machine translation failed", model=translator.name, problem=str(exc))
            raise TranslationFailed(N_("The machine translation model failed; the server's log says why.")) from exc
        log.info(
            "machine translation",
            message_id=str(message.id),
            party=subject.party,
            pair=f"{source}-{target}",
            model=translator.name,
            characters=len(words),
            seconds=round(time.perf_counter() - started, 3),
        )
        with _cache_lock:
            _cache[key] = text
            while len(_cache) > CACHE_SIZE:
                _cache.popitem(last=False)
    return MachineTranslation(
        message_id=message.id, version=message.version, source=source, target=target, text=text, model=translator.name
    )


def clear_cache() -> None:
    with _cache_lock:
        _cache.clear()
