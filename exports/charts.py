"""Charts for the report (matplotlib, Agg backend; nothing is downloaded at run time)."""
from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

plt.rcParams.update({"font.family": "DejaVu Sans", "font.size": 9, "svg.fonttype": "none"})

DPI = 110
BAR = "#1f5f8b"
GREY = "#dddddd"
#: The width (inches) charts are printed at: the text width of an A4 page with 1.8 cm margins.
PRINT_WIDTH = 6.8


def _png(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI, bbox_inches="tight")
    plt.close(fig)
    return buf.getvalue()


def bar_chart(labels: list[str], values: list[int], *, xlabel: str) -> bytes:
    height = max(2.0, 0.32 * len(labels) + 0.8)
    fig, ax = plt.subplots(figsize=(PRINT_WIDTH, height))
    y = range(len(labels))
    ax.barh(list(y), values, color=BAR)
    ax.set_yticks(list(y), labels)
    ax.invert_yaxis()
    ax.set_xlabel(xlabel)
    for i, v in enumerate(values):
        ax.text(v, i, f" {v}", va="center", fontsize=8)
    ax.spines[["top", "right"]].set_visible(False)
    return _png(fig)


def heat_map(rows: list[str], cols: list[str], shares: list[list[float | None]], *, title: str,
             grey_note: str | None = None) -> bytes:
    """``shares`` in 0..1; ``None`` cells (small groups) are grey and empty, explained by
    ``grey_note`` under the chart. Drawn at the width it is printed (:data:`PRINT_WIDTH`),
    so the 9-point labels and 8-point numbers stay that size on paper."""
    import textwrap

    import numpy as np
    from matplotlib.patches import Patch

    data = np.array([[np.nan if v is None else v * 100 for v in r] for r in shares], dtype=float)
    labels = ["\n".join(textwrap.wrap(r, 30)) or r for r in rows]
    lines = sum(label.count("\n") + 1 for label in labels)
    fig, ax = plt.subplots(figsize=(PRINT_WIDTH, min(9.0, max(2.5, 0.15 * lines + 0.08 * len(rows) + 1.5))))
    cmap = plt.get_cmap("Blues").with_extremes(bad=GREY)
    im = ax.imshow(np.ma.masked_invalid(data), cmap=cmap, aspect="auto", vmin=0,
                   vmax=max(10.0, float(np.nanmax(data)) if np.isfinite(data).any() else 10.0))
    ax.set_xticks(range(len(cols)), cols, rotation=40, ha="right", fontsize=9)
    ax.set_yticks(range(len(rows)), labels, fontsize=9)
    for i in range(len(rows)):
        for j in range(len(cols)):
            v = data[i, j]
            if np.isfinite(v):
                ax.text(j, i, f"{v:.0f}", ha="center", va="center", fontsize=8,
                        color="white" if v > 0.6 * im.norm.vmax else "black")
    note = bool(grey_note) and not np.isfinite(data).all()
    ax.set_title(title, fontsize=10, loc="left", pad=22 if note else 6)
    if note:
        ax.legend(handles=[Patch(facecolor=GREY, edgecolor="#999999", label=grey_note)], loc="lower left",
                  bbox_to_anchor=(0.0, 1.0), frameon=False, fontsize=9, borderaxespad=0.1, handlelength=1.2)
    fig.colorbar(im, ax=ax, label="% van de deelnemers", shrink=0.8, pad=0.02)
    return _png(fig)


def word_cloud(frequencies: dict[str, float]) -> bytes | None:
    """A 640 x 300 pixel word cloud. The words are placed on a canvas of half that size and
    drawn at twice the scale (the same picture, a quarter of the placing work), with the
    largest font size given, so that wordcloud does not lay out the cloud twice to find it."""
    if not frequencies:
        return None
    from wordcloud import WordCloud

    from matplotlib.colors import ListedColormap

    dark = ListedColormap(["#154273", "#01689b", "#1f5f8b", "#0b3d5c", "#3d3d3d"])  # all >= 4.5:1 on white
    wc = WordCloud(width=320, height=150, scale=2, max_font_size=45, background_color="white", colormap=dark,
                   max_words=len(frequencies), prefer_horizontal=0.95, random_state=1,
                   font_path="/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
                   if _exists("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf") else None)
    image = wc.generate_from_frequencies(frequencies).to_image()
    buf = io.BytesIO()
    image.save(buf, format="PNG")
    return buf.getvalue()


def _exists(path: str) -> bool:
    import os

    return os.path.exists(path)
