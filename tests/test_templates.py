"""Static checks over the Jinja templates."""
from __future__ import annotations

import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parents[1] / "consult" / "templates"
TITLE = re.compile(r"{%\s*block title\s*%}(.*?){%\s*endblock", re.S)


def test_page_titles_are_plain_text():
    """A page's <title> is what screen readers announce first: text only, one line."""
    checked = 0
    for path in TEMPLATES.rglob("*.html"):
        for title in TITLE.findall(path.read_text(encoding="utf-8")):
            checked += 1
            assert "<" not in title and "\n" not in title.strip(), f"{path}: {title[:80]!r}"
    assert checked > 10
