"""Evaluate a pipeline on a CoNLL-U file (gold tokenisation) and measure speed."""
from __future__ import annotations

import time
from pathlib import Path
from typing import Optional

from .conllu import ConlluError, iter_raw_sentences, read_conllu_docs


def _examples(nlp, path: Path):
    from spacy.tokens import Doc
    from spacy.training import Example

    gold = read_conllu_docs(path, vocab=nlp.vocab, normalise=True)
    raw = read_conllu_docs(path, vocab=nlp.vocab, normalise=False)
    examples = []
    for g in gold:
        pred = Doc(nlp.vocab, words=[t.text for t in g], spaces=[bool(t.whitespace_) for t in g])
        examples.append(Example(pred, g))
    return examples, raw


def measure_speed(nlp, texts, n_process: int = 1, batch_size: int = 256, repeat: int = 1) -> dict:
    """Words (non-space tokens) per second over ``texts`` with ``nlp.pipe``."""
    n_words = 0
    t0 = time.perf_counter()
    c0 = time.process_time()
    for _ in range(repeat):
        for doc in nlp.pipe(texts, batch_size=batch_size, n_process=n_process):
            n_words += sum(1 for t in doc if not t.is_space)
    secs = time.perf_counter() - t0
    cpu = time.process_time() - c0
    return {"n_words": n_words, "seconds": secs, "words_per_second": n_words / secs if secs else 0.0,
            "words_per_cpu_second": n_words / cpu if cpu and n_process == 1 else None}


def paragraphs(sentences, per_paragraph: int = 5):
    """Join sentences into paragraph-sized texts (more realistic than one per doc)."""
    sentences = list(sentences)
    return [" ".join(sentences[i:i + per_paragraph]) for i in range(0, len(sentences), per_paragraph)]


def evaluate(nlp, path: str | Path, speed: bool = True) -> dict:
    path = Path(path)
    if not path.is_file():
        raise ConlluError(f"no such file: {path}")
    from spacy.scorer import Scorer

    class _Capture(Scorer):
        predicted = []

        def score(self, examples, **kw):
            _Capture.predicted = list(examples)
            return super().score(examples, **kw)

    examples, raw = _examples(nlp, path)
    scores = nlp.evaluate(examples, batch_size=256, scorer=_Capture(nlp=nlp))
    examples = _Capture.predicted
    # raw Alpino gold lemmas (with compound underscores) for transparency
    n = ok_raw = 0
    for eg, r in zip(examples, raw):
        for p, g in zip(eg.predicted, r):
            n += 1
            ok_raw += p.lemma_ == g.lemma_
    out = {
        "file": str(path),
        "n_words": int(sum(len(eg.reference) for eg in examples)),
        "n_sentences": int(sum(1 for eg in examples for _ in eg.reference.sents)),
        "pos_acc": scores.get("pos_acc"),
        "morph_acc": scores.get("morph_acc"),
        "lemma_acc": scores.get("lemma_acc"),
        "lemma_acc_raw_gold": ok_raw / n if n else None,
        "uas": scores.get("dep_uas"),
        "las": scores.get("dep_las"),
        "sents_p": scores.get("sents_p"),
        "sents_r": scores.get("sents_r"),
        "sents_f": scores.get("sents_f"),
    }
    if speed:
        texts = paragraphs(iter_raw_sentences(path))
        if not texts:
            texts = [eg.reference.text for eg in examples]
        nlp(texts[0])  # warm up
        sp = measure_speed(nlp, texts)
        out["words_per_second"] = sp["words_per_second"]
        out["words_per_cpu_second"] = sp["words_per_cpu_second"]
        out["speed_n_words"] = sp["n_words"]
    return out


def evaluate_path(path: str | Path, model: Optional[str | Path] = None, speed: bool = True) -> dict:
    from . import load

    nlp = load(model) if model else load()
    return evaluate(nlp, path, speed=speed)
