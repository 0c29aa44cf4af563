"""Small, accessible bar charts as inline SVG for web pages (the results dashboard).

The report's charts (:mod:`exports.charts`) are PNGs for documents, drawn with Pillow; on a web
page a chart should be a few kilobytes of markup that scales with the screen and needs no
JavaScript. These functions return an ``<svg>`` element as text:

- ``role="img"`` with a ``<title>`` and ``<desc>`` (``aria-labelledby``), so assistive
  technology announces a name; the page shows the same numbers in a data table, which is
  the text alternative;
- a ``viewBox`` and ``width="100%"``: it shrinks to a 360 px screen;
- every label and value is XML-escaped, and characters XML cannot hold are dropped;
- values are written next to each bar (horizontal charts), so nothing depends on colour;
  a count too small to show (``Bar.value`` is None) is drawn as an open, dashed bar up to
  the small-count limit with its text (``minder dan 5``), never as an exact length.

No Flask, no database: the caller decides what is shown (see ``consult.dashboard``).
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass

from exports.model import MIN_CELL

#: Dark blue bars on white: 7.0:1, well above the 3:1 WCAG asks for graphics.
BAR = "#154273"
TEXT = "#1a1a1a"
MUTED = "#4a4a4a"   # 8.9:1 on white
GRID = "#b4b4b4"

WIDTH = 400
PAD = 4
FONT = 16
SMALL_FONT = 14
#: Rough width of one character in user units (DejaVu Sans / Verdana are wide), for wrapping.
CHAR_WIDTH = 0.6
VALUE_SPACE = 130   # room right of the longest bar for its value ("minder dan 5")

_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_ID_INVALID = re.compile(r"[^A-Za-z0-9_-]")


@dataclass(frozen=True)
class Bar:
    label: str
    #: The count to draw, or None when it is too small to show exactly.
    value: int | None
    #: What is written at the bar: "1.105", "minder dan 5".
    text: str
    #: Axis label for column charts (a date: "3 mei"); the label when empty.
    short: str = ""


def nl_number(n: int | float) -> str:
    """1105 -> "1.105" (Dutch thousands separator)."""
    if isinstance(n, float) and not n.is_integer():
        return f"{n:,.1f}".replace(",", "_").replace(".", ",").replace("_", ".")
    return f"{int(n):,}".replace(",", ".")


def _clean(text: str) -> str:
    return _XML_INVALID.sub("", str(text))


def esc(text: str) -> str:
    """Text for an XML element or a double-quoted attribute."""
    return (_clean(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;"))


def _wrap(text: str, width: int, max_lines: int = 2) -> list[str]:
    """Break ``text`` into lines of at most ``width`` characters (words kept whole where
    possible); the last line ends in "…" when the text does not fit."""
    words = _clean(text).split()
    lines: list[str] = []
    line = ""
    for word in words:
        while len(word) > width:  # a very long word: cut it
            if line:
                lines.append(line)
                line = ""
            lines.append(word[:width])
            word = word[width:]
        candidate = f"{line} {word}" if line else word
        if len(candidate) <= width:
            line = candidate
        else:
            lines.append(line)
            line = word
    if line:
        lines.append(line)
    if not lines:
        return [""]
    if len(lines) > max_lines:
        last = lines[max_lines - 1]
        lines = lines[:max_lines - 1] + [(last[:width - 1].rstrip() + "…")]
    return lines


def _fmt(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".")


def _open(chart_id: str, height: float, title: str, description: str) -> list[str]:
    cid = _ID_INVALID.sub("-", chart_id) or "chart"
    desc = f'<desc id="{cid}-desc">{esc(description)}</desc>' if description else ""
    labelled = f"{cid}-title {cid}-desc" if description else f"{cid}-title"
    return [f'<svg xmlns="http://www.w3.org/2000/svg" id="{cid}" class="chart-svg" '
            f'viewBox="0 0 {WIDTH} {_fmt(height)}" width="100%" role="img" aria-labelledby="{labelled}" '
            'focusable="false">',
            f'<title id="{cid}-title">{esc(title)}</title>{desc}']


def _legend(y: float, small_limit: int) -> list[str]:
    return [f'<rect x="{PAD + 1}" y="{_fmt(y + 2)}" width="22" height="12" fill="#fff" stroke="{BAR}" '
            f'stroke-width="2" stroke-dasharray="4 3"/>',
            f'<text x="{PAD + 30}" y="{_fmt(y + 14)}" font-size="{SMALL_FONT}" fill="{MUTED}">'
            f'{esc(f"Open balk: minder dan {small_limit}, geen exact aantal")}</text>']


def bar_chart(bars: list[Bar], *, chart_id: str, title: str, description: str = "",
              small_limit: int = MIN_CELL) -> str:
    """Horizontal bars, one per category, the label above each bar and the value after it."""
    chars = int((WIDTH - 2 * PAD) / (FONT * CHAR_WIDTH))
    line_height = FONT + 4
    bar_height = 20
    plot = WIDTH - 2 * PAD - VALUE_SPACE
    top = max([b.value if b.value is not None else small_limit for b in bars] + [1])
    parts: list[str] = []
    y = PAD
    for bar in bars:
        for line in _wrap(bar.label, chars):
            y += line_height
            parts.append(f'<text x="{PAD}" y="{_fmt(y - 4)}" font-size="{FONT}" fill="{TEXT}">{esc(line)}</text>')
        if bar.value is None:
            width = max(8.0, plot * small_limit / top)
            parts.append(f'<rect x="{PAD + 1}" y="{_fmt(y + 1)}" width="{_fmt(width)}" height="{bar_height - 2}" '
                         f'fill="#fff" stroke="{BAR}" stroke-width="2" stroke-dasharray="4 3"/>')
        else:
            width = plot * bar.value / top
            if bar.value > 0:
                parts.append(f'<rect x="{PAD}" y="{_fmt(y)}" width="{_fmt(max(width, 2.0))}" '
                             f'height="{bar_height}" fill="{BAR}"/>')
        parts.append(f'<text x="{_fmt(PAD + width + 6)}" y="{_fmt(y + bar_height - 4)}" font-size="{FONT}" '
                     f'fill="{TEXT}" font-weight="bold">{esc(bar.text)}</text>')
        y += bar_height + 10
    if any(b.value is None for b in bars):
        parts += _legend(y, small_limit)
        y += 22
    return "".join(_open(chart_id, y + PAD, title, description) + parts + ["</svg>"])


def nice_ticks(top: float, count: int = 4) -> list[int]:
    """Round tick values from 0 to at least ``top`` (about ``count`` steps)."""
    top = max(1.0, float(top))
    raw = top / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    step = max(1, int(math.ceil(step)))
    ticks = list(range(0, int(math.ceil(top / step)) * step + 1, step))
    return ticks


def column_chart(bars: list[Bar], *, chart_id: str, title: str, description: str = "",
                 small_limit: int = MIN_CELL, max_labels: int = 6) -> str:
    """Vertical columns in order (a time series): a value axis with grid lines and at most
    ``max_labels`` labels under the columns; the exact numbers are in the page's table."""
    left, right, top_pad, bottom = 50, 8, 12, 30
    plot_h = 170
    height = top_pad + plot_h + bottom
    legend = any(b.value is None for b in bars)
    top = max([b.value if b.value is not None else small_limit for b in bars] + [1])
    ticks = nice_ticks(top)
    scale_top = ticks[-1]
    plot_w = WIDTH - left - right
    n = max(1, len(bars))
    slot = plot_w / n
    col_w = max(1.0, slot * 0.7)
    base = top_pad + plot_h
    parts: list[str] = []
    for t in ticks:
        ty = base - plot_h * t / scale_top
        parts.append(f'<line x1="{left}" x2="{WIDTH - right}" y1="{_fmt(ty)}" y2="{_fmt(ty)}" '
                     f'stroke="{GRID if t else MUTED}" stroke-width="1"/>')
        parts.append(f'<text x="{left - 6}" y="{_fmt(ty + 4)}" font-size="{SMALL_FONT}" fill="{MUTED}" '
                     f'text-anchor="end">{esc(nl_number(t))}</text>')
    every = max(1, math.ceil(n / max_labels))
    for i, bar in enumerate(bars):
        x = left + i * slot + (slot - col_w) / 2
        tip = f"<title>{esc(f'{bar.label}: {bar.text}')}</title>"
        if bar.value is None:
            h = max(4.0, plot_h * small_limit / scale_top)
            parts.append(f'<rect x="{_fmt(x)}" y="{_fmt(base - h)}" width="{_fmt(col_w)}" height="{_fmt(h)}" '
                         f'fill="#fff" stroke="{BAR}" stroke-width="{1.5 if col_w > 3 else 1}" '
                         f'stroke-dasharray="3 2">{tip}</rect>')
        elif bar.value > 0:
            h = max(1.0, plot_h * bar.value / scale_top)
            parts.append(f'<rect x="{_fmt(x)}" y="{_fmt(base - h)}" width="{_fmt(col_w)}" height="{_fmt(h)}" '
                         f'fill="{BAR}">{tip}</rect>')
        if i % every == 0:
            cx = left + i * slot + slot / 2
            anchor = "start" if i == 0 and n > 1 else ("end" if i == n - 1 and n > 1 else "middle")
            lx = left if anchor == "start" else (WIDTH - right if anchor == "end" else cx)
            parts.append(f'<line x1="{_fmt(cx)}" x2="{_fmt(cx)}" y1="{_fmt(base)}" y2="{_fmt(base + 4)}" '
                         f'stroke="{MUTED}" stroke-width="1"/>')
            parts.append(f'<text x="{_fmt(lx)}" y="{_fmt(base + 18)}" font-size="{SMALL_FONT}" fill="{MUTED}" '
                         f'text-anchor="{anchor}">{esc(bar.short or bar.label)}</text>')
    if legend:
        parts += _legend(height, small_limit)
        height += 22
    return "".join(_open(chart_id, height + PAD, title, description) + parts + ["</svg>"])
