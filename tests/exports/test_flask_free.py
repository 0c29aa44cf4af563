"""exports/ and analysis/trace.py never import Flask (they run in jobs and other tools)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_exports_do_not_import_flask():
    code = ("import sys, exports.model, exports.report, exports.render, exports.data, exports.qdpx, "
            "exports.trace_matrix, exports.privacy, exports.charts, analysis.trace; "
            "bad = [m for m in sys.modules if m == 'flask' or m.startswith(('flask.', 'flask_', 'consult'))]; "
            "print(bad); sys.exit(1 if bad else 0)")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    for path in list((ROOT / "exports").rglob("*.py")) + [ROOT / "analysis" / "trace.py"]:
        text = path.read_text(encoding="utf-8")
        assert "import flask" not in text and "from flask" not in text and "from consult" not in text, path
