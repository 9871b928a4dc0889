"""Argos packages built in the test: a tiny random-weight CTranslate2 Transformer and a SentencePiece model
trained on a few sentences, laid out as Argos lays out its packages. Nothing is downloaded; the output is
gibberish, which is all the loading code needs to prove it runs the real backend end to end."""

import io
import json
import shutil
from pathlib import Path

SENTENCES = [
    "The patrol crossed the line at dawn.",
    "Please acknowledge this message before noon.",
    "طائرة مسيرة فوق القنيطرة",
    "نرجو الإقرار باستلام هذه الرسالة",
    'מזל"ט מעל קוניטרה',
    "נא לאשר את קבלת ההודעה",
]
DIM, FFN = 16, 32


def build_model(directory: Path, *, seed: int = 0) -> None:
    """sentencepiece.model and model/ (CTranslate2) in directory."""
    import numpy as np
    import sentencepiece
    from ctranslate2.specs import transformer_spec

    proto = io.BytesIO()
    sentencepiece.SentencePieceTrainer.train(
        sentence_iterator=iter(SENTENCES * 10),
        model_writer=proto,
        vocab_size=80,
        hard_vocab_limit=False,
        character_coverage=1.0,
        minloglevel=2,
    )
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "sentencepiece.model").write_bytes(proto.getvalue())
    tokenizer = sentencepiece.SentencePieceProcessor(model_proto=proto.getvalue())
    vocabulary = [tokenizer.id_to_piece(i) for i in range(tokenizer.get_piece_size())]  # <unk> <s> </s> first

    rng = np.random.default_rng(seed)

    def weights(*shape):
        return rng.normal(0, 0.1, shape).astype(np.float32)

    def norm(layer):
        layer.gamma, layer.beta = np.ones(DIM, np.float32), np.zeros(DIM, np.float32)

    def attention_and_ffn(layer, cross: bool):
        norm(layer.self_attention.layer_norm)
        layer.self_attention.linear[0].weight = weights(3 * DIM, DIM)  # fused Q, K, V
        layer.self_attention.linear[1].weight = weights(DIM, DIM)
        if cross:
            norm(layer.attention.layer_norm)
            layer.attention.linear[0].weight = weights(DIM, DIM)  # Q
            layer.attention.linear[1].weight = weights(2 * DIM, DIM)  # fused K, V
            layer.attention.linear[2].weight = weights(DIM, DIM)
        norm(layer.ffn.layer_norm)
        layer.ffn.linear_0.weight = weights(FFN, DIM)
        layer.ffn.linear_1.weight = weights(DIM, FFN)

    size = len(vocabulary)
    spec = transformer_spec.TransformerSpec.from_config(1, 2)
    spec.encoder.embeddings[0].weight = weights(size, DIM)
    norm(spec.encoder.layer_norm)
    for layer in spec.encoder.layer:
        attention_and_ffn(layer, cross=False)
    spec.decoder.embeddings.weight = weights(size, DIM)
    spec.decoder.projection.weight = weights(size, DIM)
    norm(spec.decoder.layer_norm)
    for layer in spec.decoder.layer:
        attention_and_ffn(layer, cross=True)
    spec.register_source_vocabulary(vocabulary)
    spec.register_target_vocabulary(vocabulary)
    spec.validate()
    spec.optimize(quantization=None)
    (directory / "model").mkdir()
    spec.save(str(directory / "model"))


def lay_out(root: Path, source: str, target: str, model: Path, **metadata) -> Path:
    """An Argos package folder translate-<from>_<to>-1_0 in root, holding a copy of a built model."""
    package = root / f"translate-{source}_{target}-1_0"
    shutil.copytree(model, package)
    fields = {
        "package_version": "1.0",
        "argos_version": "1.9.0",
        "from_code": source,
        "from_name": source,
        "to_code": target,
        "to_name": target,
        "type": "translate",
    }
    (package / "metadata.json").write_text(json.dumps(fields | metadata), encoding="utf-8")
    return package


def fake_package(root: Path, source: str, target: str, **metadata) -> Path:
    """The files discovery looks at, without a real model: enough for configuration and error tests."""
    package = root / f"translate-{source}_{target}-1_0"
    (package / "model").mkdir(parents=True)
    (package / "model" / "model.bin").write_bytes(b"not a model")
    (package / "sentencepiece.model").write_bytes(b"not a tokenizer")
    fields = {"package_version": "1.0", "from_code": source, "to_code": target, "type": "translate"}
    (package / "metadata.json").write_text(json.dumps(fields | metadata), encoding="utf-8")
    return package
