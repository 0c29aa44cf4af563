"""`consult export ...`: reports and data exports."""
from __future__ import annotations

import sys
import time
from pathlib import Path

import click
from flask.cli import with_appcontext

export_group = click.Group("export", help="Export reports and data.")


def _check_out(out: Path, *, folder: bool = False) -> Path:
    """A one-line error, before any work, when ``out`` cannot be written."""
    kind = "folder" if folder else "file"
    parent = out.parent if str(out.parent) else Path(".")
    if not parent.is_dir():
        raise click.ClickException(f"cannot write {out}: the folder {parent} does not exist")
    if folder and out.exists() and not out.is_dir():
        raise click.ClickException(f"cannot write the {kind} {out}: a file with that name exists")
    if not folder and out.is_dir():
        raise click.ClickException(f"cannot write the {kind} {out}: it is a folder")
    return out


def _progressbar(length: int, label: str, show: bool | None = None):
    """A progress bar on stderr: on a terminal, or when asked (``show``); silent when stderr
    is a file or a pipe and nobody asked."""
    hidden = not sys.stderr.isatty() if show is None else not show
    return click.progressbar(length=length, label=label, file=sys.stderr, hidden=hidden,
                             item_show_func=lambda s: s or "")


def _session_and_consultation(slug: str):
    from consult.cli import session_factory
    from consult.reporting import NotFound, get_consultation

    session = session_factory()()
    try:
        return session, get_consultation(session, slug)
    except NotFound:
        session.close()
        raise click.ClickException(f"no consultation with slug {slug!r} (see the staff pages or 'consult demo')")


@export_group.command("report")
@click.option("--consultation", "slug", required=True, help="Slug of the consultation.")
@click.option("--format", "fmt", type=click.Choice(["docx", "pdf", "html", "md"]), default="docx",
              show_default=True)
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="File to write (Markdown writes its charts to <name>_bestanden/ next to it).")
@click.option("--no-charts", is_flag=True, help="Leave out charts and word clouds (faster).")
@click.option("--progress/--no-progress", "show_progress", default=None,
              help="Show a progress bar on stderr (default: only when stderr is a terminal).")
@with_appcontext
def report_command(slug: str, fmt: str, out: Path, no_charts: bool, show_progress: bool | None):
    """Write the verkenning report (Dutch) of a consultation. The lemmas of the texts are kept
    in <instance>/cache/report-lemmas/ for the next report."""
    from flask import current_app

    from consult.reporting import lemma_store, report_input
    from exports.render import render
    from exports.report import STEPS, build_report

    started = time.monotonic()
    _check_out(out)
    session, consultation = _session_and_consultation(slug)
    try:
        steps = ["database"] + list(STEPS) + [fmt]
        with _progressbar(len(steps), f"Report {fmt}", show_progress) as bar:
            bar.update(0, "database")
            data = report_input(session, consultation)
            bar.update(1, "lemma's")
            report = build_report(data, with_charts=not no_charts, progress=lambda name: bar.update(1, name),
                                  lemma_store=lemma_store(current_app.instance_path, consultation))
            path = render(report, fmt, out)
            bar.update(1, fmt)
    finally:
        session.close()
    click.echo(f"Wrote {path} ({path.stat().st_size // 1024} KiB, {len(report.themes)} themes, "
               f"{time.monotonic() - started:.1f} s)")


@export_group.command("data")
@click.option("--consultation", "slug", required=True, help="Slug of the consultation.")
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx", "sav", "qdpx"]), required=True)
@click.option("--out", "out", type=click.Path(path_type=Path), required=True,
              help="csv: a .zip file, or a folder for the separate .csv files; xlsx: a .xlsx file; "
                   "sav: a .sav file (SPSS); qdpx: a .qdpx file.")
@click.option("--unmasked", is_flag=True,
              help="Export texts unmasked (only for facilitators and administrators allowed to see personal "
                   "data); by default every text is masked as the segments are.")
@with_appcontext
def data_command(slug: str, fmt: str, out: Path, unmasked: bool):
    """Export responses, answers (long and wide), segments, code assignments and the codebook
    (CSV, XLSX), the answers for SPSS (.sav, with variable and value labels), or the coded
    material as a REFI-QDA project (.qdpx) for ATLAS.ti, NVivo, MAXQDA or QualCoder."""
    from consult.audit import record
    from consult.reporting import codebook_files, data_tables, qda_project, survey_data
    from exports.data import write_csv, write_sav, write_xlsx
    from exports.qdpx import write_qdpx

    suffix = out.suffix.lower()
    expected = {"xlsx": ".xlsx", "sav": ".sav", "qdpx": ".qdpx"}.get(fmt)
    if fmt == "csv" and suffix == ".csv":
        raise click.ClickException(
            f"cannot write {out}: the csv export is several files; give a .zip file or a folder name")
    if expected and suffix != expected:
        raise click.ClickException(f"cannot write {out}: a {fmt} export needs a file name ending in {expected}")
    _check_out(out, folder=fmt == "csv" and suffix != ".zip")
    session, consultation = _session_and_consultation(slug)
    try:
        if fmt == "qdpx":
            project = qda_project(session, consultation, masked=not unmasked)
            path = write_qdpx(project, out)
            summary = f"{len(project.sources)} sources, {len(project.codes)} codes, " \
                      f"{sum(len(s.selections) for s in project.sources)} coded selections"
        elif fmt == "sav":
            data = survey_data(session, consultation, masked=not unmasked)
            path = write_sav(data, out, file_label=consultation.title)
            summary = f"{len(data.responses)} responses, {len(data.questions)} questions"
        else:
            tables = data_tables(session, consultation, masked=not unmasked)
            path = write_csv(tables, out, codebook_files(consultation)) if fmt == "csv" else write_xlsx(tables, out)
            summary = ", ".join(f"{len(t.rows)} {t.name}" for t in tables)
        record(session, "export_data", consultation, actor="cli",
               details={"format": fmt, "unmasked": unmasked, "path": str(path)})
        session.commit()
    finally:
        session.close()
    click.echo(f"Wrote {path}: {summary}")


@export_group.command("trace")
@click.option("--consultation", "slug", required=True, help="Slug of the consultation.")
@click.option("--format", "fmt", type=click.Choice(["xlsx", "docx", "html"]), default="xlsx", show_default=True)
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), required=True)
@with_appcontext
def trace_command(slug: str, fmt: str, out: Path):
    """Export the traceability matrix: advice point -> response -> stance -> action, and
    input -> segment -> code -> finding -> advice/decision."""
    from consult.reporting import trace_matrix
    from exports.trace_matrix import write_trace

    _check_out(out)
    session, consultation = _session_and_consultation(slug)
    try:
        matrix = trace_matrix(session, consultation)
    finally:
        session.close()
    path = write_trace(matrix, fmt, out)
    click.echo(f"Wrote {path}: {len(matrix.advice_rows)} advice rows, {len(matrix.evidence_rows)} evidence rows, "
               f"{len(matrix.unanswered)} unanswered advice points")
