"""Reproducible training recipe for consult's Dutch pipeline.

Steps (all driven by :func:`run`, exposed as ``consult nlp train``):

1. **convert** the UD CoNLL-U files to spaCy ``DocBin`` files with
   ``spacy.training.converters.conllu_to_docs`` (lemmas normalised, see
   :mod:`analysis.nlp.conllu`).  Training data: ``nl_alpino-ud-dev.conllu`` +
   ``nl_lassysmall-ud-test.conllu``; development: ``nl_lassysmall-ud-dev.conllu``.
2. **lexical features**: build the static "tag dictionary" vectors
   (:mod:`analysis.nlp.lexfeatures`) from spaCy's Dutch lemma tables and
   wordfreq.
3. **train** with ``training/config.cfg`` (``spacy.cli.train``).
4. **package**: load ``model-best``, add consult's rule components and tokenizer
   exceptions, and write the pipeline (no optimizer state, no training
   intermediates) to ``analysis/nlp/model/`` keeping its LICENSE/README.
5. **evaluate** the packaged pipeline on the development file.

The UD directory defaults to ``../shared/ud-dutch`` next to the repository
root and can be overridden with ``CONSULT_UD_DIR`` or ``--ud-dir``.
"""
from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from pathlib import Path
from typing import Optional

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_ROOT = PACKAGE_DIR.parent.parent
CONFIG_PATH = PACKAGE_DIR / "training" / "config.cfg"
WORK_DIR = PACKAGE_DIR / "training" / "work"
MODEL_DIR = PACKAGE_DIR / "model"

TRAIN_FILES = ("nl_alpino-ud-dev.conllu", "nl_lassysmall-ud-test.conllu")
DEV_FILE = "nl_lassysmall-ud-dev.conllu"
KEEP_IN_MODEL = ("LICENSE", "README.md")


class TrainingError(RuntimeError):
    pass


def ud_dir(override: Optional[str] = None) -> Path:
    if override:
        return Path(override)
    env = os.environ.get("CONSULT_UD_DIR")
    if env:
        return Path(env)
    return (REPO_ROOT / ".." / "shared" / "ud-dutch").resolve()


def convert(ud: Path, work: Path, morph_features: bool = True) -> tuple[Path, Path]:
    """CoNLL-U -> DocBin (train.spacy, dev.spacy) in ``work``.  With
    ``morph_features=False`` the morphological features are dropped, so the
    morphologizer learns UPOS only."""
    from spacy.tokens import DocBin

    from .conllu import read_conllu_docs

    for name in TRAIN_FILES + (DEV_FILE,):
        if not (ud / name).is_file():
            raise TrainingError(f"missing UD file {ud / name} (set CONSULT_UD_DIR or --ud-dir)")
    work.mkdir(parents=True, exist_ok=True)
    train_db = DocBin(store_user_data=False)
    for name in TRAIN_FILES:
        for doc in read_conllu_docs(ud / name):
            if not morph_features:
                for tok in doc:
                    tok.set_morph(None)
            train_db.add(doc)
    dev_docs = read_conllu_docs(ud / DEV_FILE)
    if not morph_features:
        for doc in dev_docs:
            for tok in doc:
                tok.set_morph(None)
    dev_db = DocBin(store_user_data=False, docs=dev_docs)
    train_path, dev_path = work / "train.spacy", work / "dev.spacy"
    train_db.to_disk(train_path)
    dev_db.to_disk(dev_path)
    return train_path, dev_path


def train_pipeline(train_path: Path, dev_path: Path, out: Path, epochs: Optional[int] = None,
                   config: Path = CONFIG_PATH, overrides: Optional[dict] = None,
                   vectors: Optional[Path] = None) -> Path:
    """Run spaCy training; returns the ``model-best`` directory."""
    from spacy.cli.train import train as spacy_train

    from . import tokenizer  # noqa: F401  registers consult.nl_tokenizer.v1

    ov = {"paths.train": str(train_path), "paths.dev": str(dev_path)}
    if vectors is not None:
        ov["paths.vectors"] = str(vectors)
    if epochs is not None:
        ov["training.max_epochs"] = int(epochs)
        if epochs < 5:
            # short runs (smoke tests): evaluate often enough that model-best
            # is not the untrained step-0 checkpoint
            ov["training.eval_frequency"] = 50
    ov.update(overrides or {})
    spacy_train(config, out, use_gpu=-1, overrides=ov)
    best = out / "model-best"
    if not best.is_dir():
        raise TrainingError(f"training produced no {best}")
    return best


def assemble(model_path: Path):
    """Load a trained pipeline and add consult's rule-based parts."""
    import spacy

    from . import components  # noqa: F401  registers factories
    from .tokenizer import customize_tokenizer

    nlp = spacy.load(model_path)
    customize_tokenizer(nlp)
    if "consult_layout" not in nlp.pipe_names:
        nlp.add_pipe("consult_layout", first=True)
    if "consult_lemma_fallback" not in nlp.pipe_names:
        nlp.add_pipe("consult_lemma_fallback", after="trainable_lemmatizer")
    return nlp


def package(model_path: Path, dest: Path = MODEL_DIR, training_info: Optional[dict] = None) -> Path:
    """Write the assembled pipeline to ``dest`` (keeps LICENSE and README.md)."""
    nlp = assemble(model_path)
    nlp.meta["name"] = "consult_nl"
    nlp.meta["version"] = "1.0.0"
    nlp.meta["license"] = "CC BY-SA 4.0"
    nlp.meta["author"] = "consult contributors"
    nlp.meta["description"] = (
        "Dutch tokenizer, morphologizer, edit-tree lemmatizer and dependency parser "
        "trained on UD_Dutch-Alpino (dev) and UD_Dutch-LassySmall (test)."
    )
    nlp.meta["sources"] = [
        {"name": "UD_Dutch-Alpino", "url": "https://github.com/UniversalDependencies/UD_Dutch-Alpino",
         "license": "CC BY-SA 4.0", "author": "Gosse Bouma, Gertjan van Noord"},
        {"name": "UD_Dutch-LassySmall", "url": "https://github.com/UniversalDependencies/UD_Dutch-LassySmall",
         "license": "CC BY-SA 4.0", "author": "Gosse Bouma, Gertjan van Noord"},
    ]
    if training_info:
        nlp.meta["consult_training"] = training_info
    dest.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        tmp_model = Path(tmp) / "model"
        nlp.to_disk(tmp_model)
        for child in dest.iterdir():
            if child.name in KEEP_IN_MODEL:
                continue
            if child.is_dir():
                shutil.rmtree(child)
            else:
                child.unlink()
        for child in tmp_model.iterdir():
            target = dest / child.name
            if child.is_dir():
                shutil.copytree(child, target)
            else:
                shutil.copy2(child, target)
    return dest


def record_scores(dest: Path, scores: dict) -> None:
    """Store the development scores in the packaged pipeline's meta.json."""
    meta_path = Path(dest) / "meta.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    keep = {k: v for k, v in scores.items() if k not in ("file",)}
    keep["file"] = Path(scores.get("file", "")).name
    meta.setdefault("consult_training", {})["dev_scores"] = keep
    meta_path.write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def run(output: Optional[Path] = None, epochs: Optional[int] = None, ud: Optional[str] = None,
        work: Optional[Path] = None, overrides: Optional[dict] = None, echo=print,
        morph_features: bool = True) -> dict:
    """Convert, train, package and evaluate. Returns the dev scores."""
    from .evaluate import evaluate_path

    ud_path = ud_dir(ud)
    work = Path(work) if work else WORK_DIR
    dest = Path(output) if output else MODEL_DIR
    t0 = time.time()
    echo(f"Converting UD data from {ud_path} ...")
    train_path, dev_path = convert(ud_path, work, morph_features=morph_features)
    echo("Building lexical feature vectors (analysis/nlp/lexfeatures.py) ...")
    try:
        import wordfreq  # noqa: F401
    except ImportError as exc:
        raise TrainingError("training needs the wordfreq package (pip install wordfreq)") from exc
    from .lexfeatures import build_vectors

    vectors = build_vectors(work / "lexvectors")
    echo("Training ...")
    best = train_pipeline(train_path, dev_path, work / "output", epochs=epochs, overrides=overrides,
                          vectors=vectors)
    train_seconds = round(time.time() - t0, 1)
    echo(f"Packaging into {dest} ...")
    package(best, dest, {"train_files": list(TRAIN_FILES), "dev_file": DEV_FILE,
                         "epochs": epochs, "train_seconds": train_seconds})
    scores = evaluate_path(ud_path / DEV_FILE, model=dest)
    scores["train_seconds"] = train_seconds
    record_scores(dest, scores)
    echo(json.dumps(scores, indent=2))
    return scores
