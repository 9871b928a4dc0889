"""Translators: the protocol the service uses, and the CTranslate2 + SentencePiece backend of an Argos package.

The backend loads its model on first use (not at startup), once, under a lock; ctranslate2 and sentencepiece are
imported there, so a server without a configured model never imports them.
"""

import re
import threading
from typing import Protocol

import structlog

from fusioncell.translation.models import Package

log = structlog.get_logger("fusioncell.translation")

# Sentences are translated one by one (as Argos does): models are trained on sentences, and a long line
# would be cut at the model's input limit. Lines (paragraphs) are kept.
_SENTENCE_END = re.compile(r"(?<=[.!?؟])\s+")
BEAM_SIZE = 4
MAX_DECODING_LENGTH = 256
BATCH_SIZE = 16


class ModelLoadError(RuntimeError):
    """An installed model could not be loaded or run (a corrupt file, too little memory)."""


class Translator(Protocol):
    """Translates plain text from one language into another."""

    name: str
    source: str
    target: str

    def translate(self, text: str) -> str: ...


def sentences_of(text: str) -> list[list[str]]:
    """The text's lines, each split into sentences; an empty line stays an empty list."""
    return [[s for s in _SENTENCE_END.split(line.strip()) if s] for line in text.splitlines()]


class CTranslate2Translator:
    """One Argos package: SentencePiece pieces in, a CTranslate2 Transformer, pieces out."""

    def __init__(self, package: Package, *, intra_threads: int = 0) -> None:
        self.package = package
        self.name = package.name
        self.source = package.source
        self.target = package.target
        self._intra_threads = intra_threads
        self._lock = threading.Lock()
        self._model = None
        self._tokenizer = None

    @property
    def loaded(self) -> bool:
        return self._model is not None

    def _load(self):
        with self._lock:
            if self._model is None:
                try:
                    import ctranslate2
                    import sentencepiece
                except ImportError as exc:  # checked at startup; only a broken environment gets here
                    raise ModelLoadError(f"{exc.name} is not installed: pip install 'fusioncell[translation]'") from exc
                try:
                    tokenizer = sentencepiece.SentencePieceProcessor(model_file=str(self.package.tokenizer))
                    model = ctranslate2.Translator(
                        str(self.package.model_dir), device="cpu", inter_threads=1, intra_threads=self._intra_threads
                    )
                except Exception as exc:
                    raise ModelLoadError(f"{self.package.path} could not be loaded: {exc}") from exc
                log.info("machine translation model loaded", package=self.name, pair=f"{self.source}-{self.target}")
                self._tokenizer, self._model = tokenizer, model
        return self._model, self._tokenizer

    def translate(self, text: str) -> str:
        model, tokenizer = self._model, self._tokenizer
        if model is None:
            model, tokenizer = self._load()
        lines = sentences_of(text)
        flat = [sentence for line in lines for sentence in line]
        if not flat:
            return ""
        prefix = self.package.target_prefix
        pieces = [tokenizer.encode(sentence, out_type=str) for sentence in flat]
        try:
            results = model.translate_batch(
                pieces,
                target_prefix=[[prefix]] * len(pieces) if prefix else None,
                beam_size=BEAM_SIZE,
                max_batch_size=BATCH_SIZE,
                max_decoding_length=MAX_DECODING_LENGTH,
                replace_unknowns=True,
            )
        except Exception as exc:
            raise ModelLoadError(f"{self.package.path} failed to translate: {exc}") from exc
        translated = iter(self._detokenize(tokenizer, r.hypotheses[0], prefix) for r in results)
        return "\n".join(" ".join(next(translated) for _ in line) for line in lines)

    @staticmethod
    def _detokenize(tokenizer, tokens: list[str], prefix: str) -> str:
        if prefix and tokens and tokens[0] == prefix:
            tokens = tokens[1:]
        return tokenizer.decode(tokens).strip()


class Chain:
    """Two translators one after the other (through English, when no direct model is installed)."""

    def __init__(self, first: Translator, second: Translator) -> None:
        self.first, self.second = first, second
        self.name = f"{first.name} + {second.name}"
        self.source, self.target = first.source, second.target

    def translate(self, text: str) -> str:
        return self.second.translate(self.first.translate(text))
