"""`consult trace ...`: advice-response traceability."""
from __future__ import annotations

import json
from pathlib import Path

import click

trace_group = click.Group("trace", help="Link advice points to response paragraphs.")


@trace_group.command("evaluate")
@click.option("--gold", "gold", type=click.Path(exists=True, dir_okay=False, path_type=Path), required=True,
              help="JSON with advice points, response paragraphs, gold links and unanswered points.")
@click.option("--json", "as_json", is_flag=True, help="Print the scores as JSON.")
@click.option("--min-score", type=float, default=None, help="Minimum link score (default: the linker's).")
@click.option("--relative", type=float, default=None,
              help="Minimum share of a paragraph's best score (default: the linker's).")
def evaluate_command(gold: Path, as_json: bool, min_score: float | None, relative: float | None):
    """Run the linker on a gold file and report link precision/recall/F1, stance accuracy
    on correct links (overall and per stance), the unanswered points found and missed,
    and the paragraphs read as a general acknowledgement."""
    from analysis import trace

    try:
        data = json.loads(gold.read_text(encoding="utf-8"))
        kwargs = {}
        if min_score is not None:
            kwargs["min_score"] = min_score
        if relative is not None:
            kwargs["relative"] = relative
        result = trace.evaluate(data, **kwargs)
    except (ValueError, KeyError, TypeError) as exc:
        raise click.ClickException(f"{gold}: not a usable gold file: {exc}")
    if as_json:
        click.echo(json.dumps(result, indent=2, ensure_ascii=False))
        return
    click.echo(f"{result['points']} advice points, {result['paragraphs']} response paragraphs")
    click.echo(f"links:      precision {result['link_precision']:.3f}  recall {result['link_recall']:.3f}  "
               f"F1 {result['link_f1']:.3f}  ({result['correct_links']} of {result['predicted_links']} "
               f"proposed correct, {result['gold_links']} in gold)")
    acc = result["stance_accuracy"]
    click.echo(f"stance:     accuracy {acc:.3f} on correct links" if acc is not None else "stance:     -")
    for stance, s in result["stance_per_stance"].items():
        click.echo(f"  {stance:<18} {s['correct']} of {s['total']} right ({s['accuracy']:.3f})")
    click.echo(f"unanswered: {result['unanswered_correct']} of {result['unanswered_gold']} found, "
               f"{result['unanswered_flagged']} flagged")
    click.echo("  found: " + (", ".join(result["unanswered_found"]) or "-")
               + "; missed: " + (", ".join(result["unanswered_missed"]) or "-")
               + "; flagged but answered: " + (", ".join(result["unanswered_wrongly_flagged"]) or "-"))
    if result["general_responses"] or "general_gold" in result:
        click.echo("general acknowledgements: " + (", ".join(result["general_responses"]) or "-")
                   + (f" (gold: {', '.join(result['general_gold']) or '-'})" if "general_gold" in result else ""))
    for key, title in (("missed_links", "missed"), ("wrong_links", "wrong"), ("stance_errors", "stance errors")):
        if result[key]:
            click.echo(f"{title}: " + ", ".join(result[key]))


@trace_group.command("split")
@click.argument("letter", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--kind", type=click.Choice(["advice", "reaction"]), default="advice", show_default=True)
def split_command(letter: Path, kind: str):
    """Show how a letter (text file) would be split into advice points or paragraphs."""
    from analysis import trace
    from analysis.nlp import decode_bytes

    text = decode_bytes(letter.read_bytes())
    parts = trace.split_advice(text) if kind == "advice" else trace.split_reaction(text)
    for p in parts:
        click.echo(f"[{p.label}] {p.text[:160]}{'…' if len(p.text) > 160 else ''}")
