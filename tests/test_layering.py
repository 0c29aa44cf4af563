"""The layers point one way: analysis/ and exports/ import neither Flask nor consult.

They run in background jobs and other tools; the web layer and the CLI call into them.
Checked twice: by importing every module in a fresh process, and by reading the sources.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PURE = ("analysis", "exports")


def _modules(package: str) -> list[str]:
    names = []
    for path in sorted((ROOT / package).rglob("*.py")):
        rel = path.relative_to(ROOT).with_suffix("")
        parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
        if "training" in parts and "work" in parts:
            continue
        names.append(".".join(parts))
    return names


@pytest.mark.parametrize("package", PURE)
def test_importing_every_module_loads_no_flask_and_no_consult(package):
    modules = _modules(package)
    assert len(modules) > 5
    code = ("import importlib, sys\n"
            f"for name in {modules!r}:\n"
            "    importlib.import_module(name)\n"
            "bad = sorted(m for m in sys.modules if m == 'flask' or m.startswith(('flask.', 'flask_', 'werkzeug'))"
            " or m == 'consult' or m.startswith('consult.'))\n"
            "print(bad)\n"
            "sys.exit(1 if bad else 0)\n")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("package", PURE)
def test_sources_name_no_flask_and_no_consult(package):
    for path in (ROOT / package).rglob("*.py"):
        for line in path.read_text(encoding="utf-8").splitlines():
            stripped = line.strip()
            if stripped.startswith(("import ", "from ")):
                module = stripped.split()[1]
                assert not module.startswith(("flask", "consult", "werkzeug")), f"{path}: {stripped}"
