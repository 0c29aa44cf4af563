"""Charts for the report as PNG pictures, drawn with Pillow (nothing is downloaded at run time).

The bar chart and the heat map were matplotlib figures; importing pyplot and saving three
figures took about 2 s and 50 MB of each report, for pictures that are a few rectangles and
labels. They are drawn here directly at the size they are printed (:data:`PRINT_WIDTH`
inches at :data:`DPI`), in DejaVu Sans, so a 9-point label is 9 points on paper. The word
clouds come from the ``wordcloud`` package (which draws with Pillow too).
"""
from __future__ import annotations

import io
import math
import os
import textwrap
from functools import lru_cache

DPI = 120
BAR = "#1f5f8b"
GREY = "#dddddd"
TEXT = "#1a1a1a"
AXIS = "#333333"
#: The width (inches) charts are printed at: the text width of an A4 page with 1.8 cm margins.
PRINT_WIDTH = 6.8
#: matplotlib's "Blues" colour map, sampled at 9 points (light to dark).
BLUES = ["#f7fbff", "#deebf7", "#c6dbef", "#9ecae1", "#6baed6", "#4292c6", "#2171b5", "#08519c", "#08306b"]
_FONT_FILES = ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "/usr/share/fonts/dejavu/DejaVuSans.ttf")


def _px(points: float) -> int:
    """A size in points, in pixels at :data:`DPI`."""
    return round(points * DPI / 72)


@lru_cache(maxsize=None)
def _font_path() -> str | None:
    for path in _FONT_FILES:
        if os.path.exists(path):
            return path
    import importlib.util

    spec = importlib.util.find_spec("matplotlib")   # matplotlib ships DejaVu Sans; not imported
    if spec and spec.submodule_search_locations:
        path = os.path.join(next(iter(spec.submodule_search_locations)), "mpl-data", "fonts", "ttf", "DejaVuSans.ttf")
        if os.path.exists(path):
            return path
    return None


@lru_cache(maxsize=None)
def _font(points: float):
    from PIL import ImageFont

    path = _font_path()
    size = _px(points)
    return ImageFont.truetype(path, size) if path else ImageFont.load_default(size)


def _text_size(text: str, font) -> tuple[int, int]:
    left, top, right, bottom = font.getbbox(text)
    return right - left, bottom - top


def _line_height(font) -> int:
    ascent, descent = font.getmetrics()
    return ascent + descent


def _png(image) -> bytes:
    buf = io.BytesIO()
    image.save(buf, format="PNG", dpi=(DPI, DPI), optimize=False, compress_level=6)
    return buf.getvalue()


def _hex(colour: str) -> tuple[int, int, int]:
    colour = colour.lstrip("#")
    return tuple(int(colour[i:i + 2], 16) for i in (0, 2, 4))


def _blues(x: float) -> tuple[int, int, int]:
    """The colour for ``x`` in 0..1 on :data:`BLUES` (linear between the samples)."""
    x = min(1.0, max(0.0, x)) * (len(BLUES) - 1)
    i = min(int(x), len(BLUES) - 2)
    a, b, f = _hex(BLUES[i]), _hex(BLUES[i + 1]), x - i
    return tuple(round(a[k] + (b[k] - a[k]) * f) for k in range(3))


def _nice_ticks(vmax: float, n: int = 5) -> list[float]:
    """Round tick values from 0 to at least ``vmax`` (about ``n`` of them)."""
    if vmax <= 0:
        return [0.0, 1.0]
    raw = vmax / n
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    return [i * step for i in range(int(math.ceil(vmax / step - 1e-9)) + 1)]


def _tick_label(v: float) -> str:
    return f"{v:.0f}" if float(v).is_integer() else f"{v:g}"


def bar_chart(labels: list[str], values: list[int], *, xlabel: str) -> bytes:
    """Horizontal bars, largest first as given, each with its value written after it."""
    from PIL import Image, ImageDraw

    label_font, value_font = _font(9), _font(8)
    row = _px(0.32 * 72)
    pad = _px(6)
    width = _px(PRINT_WIDTH * 72)
    label_w = min(max((_text_size(lb, label_font)[0] for lb in labels), default=0), width // 2)
    vmax = max(values, default=0) or 1
    ticks = _nice_ticks(vmax)
    value_w = _text_size(f" {max(values, default=0)}", value_font)[0] + pad
    left = pad + label_w + pad
    right = width - pad - value_w
    top = pad
    plot_h = row * max(1, len(labels))
    height = top + plot_h + pad + 2 * _line_height(label_font) + pad
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    scale = (right - left) / max(ticks[-1], vmax)
    bottom = top + plot_h
    for i, (label, v) in enumerate(zip(labels, values)):
        y0 = top + i * row + row * 0.1
        y1 = top + (i + 1) * row - row * 0.1
        if v > 0:
            draw.rectangle([left, y0, left + v * scale, y1], fill=BAR)
        mid = (y0 + y1) / 2
        draw.text((left - pad, mid), label, font=label_font, fill=TEXT, anchor="rm")
        draw.text((left + v * scale, mid), f" {v}", font=value_font, fill=TEXT, anchor="lm")
    draw.line([left, top, left, bottom], fill=AXIS, width=1)
    draw.line([left, bottom, right, bottom], fill=AXIS, width=1)
    for t in ticks:
        x = left + t * scale
        if x > right + 1:
            break
        draw.line([x, bottom, x, bottom + _px(3)], fill=AXIS, width=1)
        draw.text((x, bottom + _px(4)), _tick_label(t), font=value_font, fill=TEXT, anchor="mt")
    draw.text(((left + right) / 2, bottom + _px(4) + _line_height(value_font)), xlabel, font=label_font,
              fill=TEXT, anchor="mt")
    return _png(image)


def _rotated_text(text: str, font, angle: float, fill=TEXT):
    """``text`` as an RGBA picture turned ``angle`` degrees anticlockwise."""
    from PIL import Image, ImageDraw

    w, h = _text_size(text, font)
    ascent, descent = font.getmetrics()
    canvas = Image.new("L", (w + 4, ascent + descent + 4), 0)
    ImageDraw.Draw(canvas).text((2, 2), text, font=font, fill=255)
    canvas = canvas.rotate(angle, resample=Image.BICUBIC, expand=True)
    out = Image.new("RGBA", canvas.size, fill)
    out.putalpha(canvas)
    return out


def heat_map(rows: list[str], cols: list[str], shares: list[list[float | None]], *, title: str,
             grey_note: str | None = None) -> bytes:
    """``shares`` in 0..1; ``None`` cells (small groups) are grey and empty, explained by
    ``grey_note`` above the chart. Drawn at the width it is printed (:data:`PRINT_WIDTH`),
    so the 9-point labels and 8-point numbers stay that size on paper."""
    from PIL import Image, ImageDraw

    label_font, value_font, title_font = _font(9), _font(8), _font(10)
    values = [[None if v is None else v * 100 for v in r] for r in shares]
    known = [v for r in values for v in r if v is not None]
    vmax = max(10.0, max(known) if known else 10.0)
    pad = _px(6)
    width = _px(PRINT_WIDTH * 72)
    line = _line_height(label_font)
    labels = [textwrap.wrap(r, 30) or [r] for r in rows]
    label_w = max((_text_size(x, label_font)[0] for lab in labels for x in lab), default=0)
    col_labels = [_rotated_text(c, label_font, 40) for c in cols]
    col_h = max((im.size[1] for im in col_labels), default=0)
    n_lines = sum(len(lab) for lab in labels)
    row_h = [max(_px(18), len(lab) * line + _px(4)) for lab in labels]
    # the colour bar and its label on the right
    bar_w = _px(10)
    ticks = [t for t in _nice_ticks(vmax) if t <= vmax + 1e-9]
    tick_w = max(_text_size(_tick_label(t), value_font)[0] for t in ticks)
    bar_label = _rotated_text("% van de deelnemers", label_font, 90)
    legend_w = pad + bar_w + _px(3) + tick_w + pad + bar_label.size[0] + pad
    left = pad + label_w + pad
    right = width - legend_w
    note = bool(grey_note) and any(v is None for r in values for v in r)
    top = pad + _line_height(title_font) + pad + ((line + pad) if note else 0)
    plot_h = sum(row_h)
    height = top + plot_h + col_h + pad
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    draw.text((left, pad), title, font=title_font, fill=TEXT, anchor="la")
    if note:
        y = pad + _line_height(title_font) + pad
        box = _px(9)
        draw.rectangle([left, y + (line - box) / 2, left + box, y + (line + box) / 2], fill=GREY, outline="#999999")
        draw.text((left + box + _px(4), y + line / 2), grey_note, font=label_font, fill=TEXT, anchor="lm")
    n_cols = max(1, len(cols))
    cell_w = (right - left) / n_cols
    y = top
    for i, (lab, h) in enumerate(zip(labels, row_h)):
        for j in range(len(cols)):
            v = values[i][j] if j < len(values[i]) else None
            x0, x1 = left + j * cell_w, left + (j + 1) * cell_w
            colour = GREY if v is None else _blues(v / vmax)
            draw.rectangle([x0, y, x1, y + h], fill=colour)
            if v is not None:
                draw.text(((x0 + x1) / 2, y + h / 2), f"{v:.0f}", font=value_font,
                          fill="white" if v > 0.6 * vmax else "black", anchor="mm")
        text_top = y + (h - len(lab) * line) / 2
        for k, x in enumerate(lab):
            draw.text((left - pad, text_top + k * line), x, font=label_font, fill=TEXT, anchor="ra")
        y += h
    for j, im in enumerate(col_labels):
        cx = left + (j + 0.5) * cell_w
        # the end of the label sits under the middle of its column (as ha="right" at 40 degrees)
        image.paste(im, (round(cx - im.size[0]), top + plot_h + _px(2)), im)
    # colour bar
    bx = right + pad
    bar_top, bar_bottom = top, top + plot_h
    steps = max(1, bar_bottom - bar_top)
    for k in range(steps):
        draw.line([bx, bar_bottom - k, bx + bar_w, bar_bottom - k], fill=_blues(k / steps))
    draw.rectangle([bx, bar_top, bx + bar_w, bar_bottom], outline=AXIS)
    for t in ticks:
        ty = bar_bottom - (t / vmax) * (bar_bottom - bar_top)
        draw.line([bx + bar_w, ty, bx + bar_w + _px(3), ty], fill=AXIS)
        draw.text((bx + bar_w + _px(4), ty), _tick_label(t), font=value_font, fill=TEXT, anchor="lm")
    lx = bx + bar_w + _px(3) + tick_w + pad
    image.paste(bar_label, (round(lx), round((bar_top + bar_bottom - bar_label.size[1]) / 2)), bar_label)
    return _png(image)


def word_cloud(frequencies: dict[str, float]) -> bytes | None:
    """A 640 x 300 pixel word cloud. The words are placed on a canvas of half that size and
    drawn at twice the scale (the same picture, a quarter of the placing work), with the
    largest font size given, so that wordcloud does not lay out the cloud twice to find it."""
    if not frequencies:
        return None
    from wordcloud import WordCloud

    dark = ["#154273", "#01689b", "#1f5f8b", "#0b3d5c", "#3d3d3d"]   # all >= 4.5:1 on white

    def colour(word, font_size, position, orientation, random_state=None, **kwargs) -> str:
        return dark[(random_state.randint(0, 255) if random_state else 0) * len(dark) // 256]

    wc = WordCloud(width=320, height=150, scale=2, max_font_size=45, background_color="white", color_func=colour,
                   max_words=len(frequencies), prefer_horizontal=0.95, random_state=1, font_path=_font_path())
    image = wc.generate_from_frequencies(frequencies).to_image()
    return _png(image)
