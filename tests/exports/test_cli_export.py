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
        segments = zf.read("segments.csv").decode("utf-8-sig")
    assert "[naam]" in segments and "Jansen" not in segments and "06-12345678" not in segments
    r = invoke(app, ["export", "trace", "--consultation", SLUG, "--format", "html", "--out", str(tmp_path / "t.html")])
    assert r.exit_code == 0 and "1 unanswered" in r.output
    r = invoke(app, ["export", "report", "--consultation", "bestaat-niet", "--format", "md",
                     "--out", str(tmp_path / "x.md")])
    assert r.exit_code != 0 and "no consultation" in r.output
