"""`consult nlp ...`: train and evaluate the bundled Dutch spaCy pipeline."""
import json
import sys
from pathlib import Path

import click

nlp_group = click.Group("nlp", help="Train and evaluate the bundled Dutch NLP pipeline.")


def _fail(message: str) -> None:
    click.echo(f"Error: {message}", err=True)
    sys.exit(1)


@nlp_group.command("train")
@click.option("--output", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Where to write the packaged pipeline (default: analysis/nlp/model).")
@click.option("--epochs", type=click.IntRange(1, 1000), default=None,
              help="Training epochs (default: from training/config.cfg).")
@click.option("--ud-dir", envvar="CONSULT_UD_DIR", type=click.Path(file_okay=False), default=None,
              help="Directory with the UD Dutch CoNLL-U files (env CONSULT_UD_DIR; "
                   "default ../shared/ud-dutch next to the repository).")
@click.option("--work", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Directory for intermediate files (default analysis/nlp/training/work).")
def train_cmd(output, epochs, ud_dir, work):
    """Convert the UD data, train, package and evaluate the pipeline."""
    from analysis.nlp import train as training

    try:
        training.run(output=output, epochs=epochs, ud=ud_dir, work=work, echo=click.echo)
    except training.TrainingError as exc:
        _fail(str(exc))


@nlp_group.command("evaluate")
@click.option("--conllu", "conllu", required=True, type=click.Path(path_type=Path),
              help="CoNLL-U file with gold annotation.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option("--model", type=click.Path(path_type=Path), default=None,
              help="Pipeline directory (default: the bundled model).")
@click.option("--no-speed", is_flag=True, help="Skip the throughput measurement.")
def evaluate_cmd(conllu, as_json, model, no_speed):
    """Accuracy (UPOS, lemma, UAS/LAS, sentence F1) and words/second."""
    from analysis.nlp import ModelNotFoundError
    from analysis.nlp.conllu import ConlluError
    from analysis.nlp.evaluate import evaluate_path

    if not conllu.is_file():
        _fail(f"no such file: {conllu}")
    try:
        scores = evaluate_path(conllu, model=model, speed=not no_speed)
    except (ConlluError, ModelNotFoundError) as exc:
        _fail(str(exc))
    except UnicodeDecodeError:
        _fail(f"{conllu} is not UTF-8 text, so not a CoNLL-U file")
    except (OSError, ValueError) as exc:
        _fail(f"cannot evaluate {conllu}: {exc}".splitlines()[0])
    if as_json:
        click.echo(json.dumps(scores, sort_keys=True))
        return
    def pct(key):
        v = scores.get(key)
        return "n/a" if v is None else f"{100 * v:.2f}%"
    click.echo(f"File:            {scores['file']}")
    click.echo(f"Words:           {scores['n_words']}  (sentences: {scores['n_sentences']})")
    click.echo(f"POS (UPOS) acc:  {pct('pos_acc')}")
    click.echo(f"Lemma acc:       {pct('lemma_acc')}  (raw Alpino gold with '_': {pct('lemma_acc_raw_gold')})")
    click.echo(f"UAS / LAS:       {pct('uas')} / {pct('las')}")
    click.echo(f"Sentence F1:     {pct('sents_f')}")
    if "words_per_second" in scores:
        cpu = scores.get("words_per_cpu_second")
        extra = f"; {cpu:.0f} per CPU second" if cpu else ""
        click.echo(f"Throughput:      {scores['words_per_second']:.0f} words/s (nlp.pipe, 1 process{extra})")
