"""`consult export report|data|trace` through Click, on a small consultation."""
from __future__ import annotations

import zipfile

import pytest
from click.testing import CliRunner
from flask.cli import ScriptInfo

from consult.cli import cli


@pytest.fixture
def small(app):
    from consult.db import session_scope
    from tests.exports.helpers import build_small_consultation

    with session_scope(app.extensions["consult.sessions"]) as s:
        return build_small_consultation(s)


def invoke(app, args):
    return CliRunner().invoke(cli, args, obj=ScriptInfo(create_app=lambda: app))


def test_export_commands(app, small, tmp_path):
    from tests.exports.helpers import SLUG

    r = invoke(app, ["export", "report", "--consultation", SLUG, "--format", "md", "--out", str(tmp_path / "v.md")])
    assert r.exit_code == 0, r.output
    md = (tmp_path / "v.md").read_text(encoding="utf-8")
    assert "## 4. Wat is opgehaald" in md and "Mantelzorg" in md and "Jansen" not in md
    assert "06-12345678" not in md
    r = invoke(app, ["export", "report", "--consultation", SLUG, "--format", "docx", "--no-charts",
                     "--out", str(tmp_path / "v.docx")])
    assert r.exit_code == 0 and (tmp_path / "v.docx").stat().st_size > 5000
    for fmt, name in (("csv", "d.zip"), ("xlsx", "d.xlsx"), ("qdpx", "d.qdpx")):
        r = invoke(app, ["export", "data", "--consultation", SLUG, "--format", fmt, "--out", str(tmp_path / name)])
        assert r.exit_code == 0, r.output
    with zipfile.ZipFile(tmp_path / "d.zip") as zf:
        segments = zf.read("segmenten.csv").decode("utf-8-sig")
    assert "[naam]" in segments and "Jansen" not in segments and "06-12345678" not in segments
    r = invoke(app, ["export", "trace", "--consultation", SLUG, "--format", "html", "--out", str(tmp_path / "t.html")])
    assert r.exit_code == 0 and "1 unanswered" in r.output
    r = invoke(app, ["export", "report", "--consultation", "bestaat-niet", "--format", "md",
                     "--out", str(tmp_path / "x.md")])
    assert r.exit_code != 0 and "no consultation" in r.output


def test_export_output_paths_are_checked_before_any_work(app, small, tmp_path):
    from tests.exports.helpers import SLUG

    missing = tmp_path / "bestaat-niet" / "x.pdf"
    r = invoke(app, ["export", "report", "--consultation", SLUG, "--format", "pdf", "--out", str(missing)])
    assert r.exit_code == 1 and "the folder" in r.output and "does not exist" in r.output
    assert len(r.output.strip().splitlines()) == 1 and not missing.parent.exists()
    r = invoke(app, ["export", "trace", "--consultation", SLUG, "--format", "xlsx",
                     "--out", str(tmp_path / "nee" / "t.xlsx")])
    assert r.exit_code == 1 and "does not exist" in r.output and not (tmp_path / "nee").exists()

    # csv is several files: a .csv name is refused instead of becoming a folder
    r = invoke(app, ["export", "data", "--consultation", SLUG, "--format", "csv", "--out", str(tmp_path / "data.csv")])
    assert r.exit_code == 1 and ".zip file or a folder" in r.output and not (tmp_path / "data.csv").exists()
    r = invoke(app, ["export", "data", "--consultation", SLUG, "--format", "xlsx", "--out", str(tmp_path / "d.csv")])
    assert r.exit_code == 1 and "ending in .xlsx" in r.output
    r = invoke(app, ["export", "data", "--consultation", SLUG, "--format", "csv", "--out", str(tmp_path / "uitvoer")])
    assert r.exit_code == 0, r.output
    assert {"segmenten.csv", "antwoorden.csv"} <= {p.name for p in (tmp_path / "uitvoer").iterdir()}


def test_report_export_prints_no_progress_when_not_on_a_terminal(app, small, tmp_path):
    from tests.exports.helpers import SLUG

    runner = CliRunner()
    r = runner.invoke(cli, ["export", "report", "--consultation", SLUG, "--format", "html", "--no-charts",
                            "--out", str(tmp_path / "v.html")], obj=ScriptInfo(create_app=lambda: app))
    assert r.exit_code == 0, r.output
    assert r.stderr == "" and "Report" not in r.output
    assert r.stdout.startswith("Wrote ")


def test_report_export_progress_when_asked_and_lemmas_kept_for_the_next_report(app, small, tmp_path):
    from pathlib import Path

    from tests.exports.helpers import SLUG

    runner = CliRunner()
    r = runner.invoke(cli, ["export", "report", "--consultation", SLUG, "--format", "md", "--no-charts",
                            "--progress", "--out", str(tmp_path / "v.md")], obj=ScriptInfo(create_app=lambda: app))
    assert r.exit_code == 0, r.output
    assert "Report md" in r.stderr and "Report md" not in r.stdout and r.stdout.startswith("Wrote ")
    store = Path(app.instance_path) / "cache" / "report-lemmas" / f"{SLUG}.sqlite3"
    assert store.is_file()
    import sqlite3

    with sqlite3.connect(store) as con:
        kept = con.execute("SELECT count(*) FROM lemmas").fetchone()[0]
    assert kept > 0
    r = runner.invoke(cli, ["export", "report", "--consultation", SLUG, "--format", "md", "--no-charts",
                            "--out", str(tmp_path / "w.md")], obj=ScriptInfo(create_app=lambda: app))
    assert r.exit_code == 0 and r.stderr == ""
    assert (tmp_path / "w.md").read_text(encoding="utf-8") == (tmp_path / "v.md").read_text(encoding="utf-8")
    with sqlite3.connect(store) as con:
        assert con.execute("SELECT count(*) FROM lemmas").fetchone()[0] == kept
