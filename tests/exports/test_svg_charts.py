"""Inline SVG charts for the dashboard (exports.svg_charts): valid XML, an accessible name,
escaped labels, small counts drawn as open bars, and a size that fits a web page."""
from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from exports.svg_charts import PAD, VALUE_SPACE, WIDTH, Bar, bar_chart, column_chart, nice_ticks, nl_number

NS = "{http://www.w3.org/2000/svg}"
HOSTILE = 'Wijk <script>alert("x")</script> & "Noord"\x00\x1b'


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # raises on invalid XML


def texts(root: ET.Element) -> list[str]:
    return [t.text or "" for t in root.iter(f"{NS}text")]


@pytest.mark.parametrize("draw", [bar_chart, column_chart])
def test_valid_xml_with_role_title_and_description(draw):
    bars = [Bar("online", 1105, "1.105"), Bar("papier", None, "minder dan 5"), Bar("telefoon", 0, "0")]
    root = parse(draw(bars, chart_id="grafiek-kanaal", title="Per kanaal", description="Staafdiagram per kanaal."))
    assert root.tag == f"{NS}svg"
    assert root.get("role") == "img"
    assert root.get("width") == "100%" and root.get("viewBox").startswith("0 0 400 ")
    assert root.get("aria-labelledby") == "grafiek-kanaal-title grafiek-kanaal-desc"
    title, desc = root.find(f"{NS}title"), root.find(f"{NS}desc")
    assert title.get("id") == "grafiek-kanaal-title" and title.text == "Per kanaal"
    assert desc.get("id") == "grafiek-kanaal-desc" and desc.text == "Staafdiagram per kanaal."
    assert list(root)[0] is title  # the accessible name comes first


@pytest.mark.parametrize("draw", [bar_chart, column_chart])
def test_labels_with_markup_and_quotes_are_escaped(draw):
    svg = draw([Bar(HOSTILE, 7, "7", short=HOSTILE)], chart_id='x" onload="alert(1)',
               title=HOSTILE, description=HOSTILE)
    assert "<script" not in svg and "onload=" not in svg.replace("&quot;", "")
    root = parse(svg)
    clean = 'Wijk <script>alert("x")</script> & "Noord"'
    assert root.find(f"{NS}title").text == clean
    assert root.find(f"{NS}desc").text == clean
    assert root.get("id") == "x--onload--alert-1-"
    if draw is bar_chart:  # the label is wrapped over lines and written as text, never as markup
        assert " ".join(texts(root)[:-1]).replace("  ", " ").startswith("Wijk <script>")


def test_horizontal_bars_write_every_value_and_scale_to_the_largest():
    root = parse(bar_chart([Bar("online", 1105, "1.105"), Bar("papier", 552, "552"), Bar("telefoon", 0, "0")],
                           chart_id="k", title="Per kanaal"))
    assert {"online", "papier", "telefoon", "1.105", "552", "0"} <= set(texts(root))
    widths = [float(r.get("width")) for r in root.iter(f"{NS}rect")]
    assert len(widths) == 2  # nothing drawn for 0
    assert widths[1] == pytest.approx(widths[0] * 552 / 1105, rel=0.01)
    assert root.get("aria-labelledby") == "k-title"  # no description given


def test_small_counts_are_open_dashed_bars_with_a_legend_not_exact_lengths():
    bars = [Bar("groot", 40, "40"), Bar("klein", None, "minder dan 5")]
    root = parse(bar_chart(bars, chart_id="k", title="t"))
    rects = list(root.iter(f"{NS}rect"))
    small = [r for r in rects if r.get("stroke-dasharray")]
    assert len(small) == 2  # the open bar and its legend swatch
    assert small[0].get("fill") == "#fff"
    assert float(small[0].get("width")) == pytest.approx((WIDTH - 2 * PAD - VALUE_SPACE) * 5 / 40, rel=0.01)
    assert "minder dan 5" in texts(root)
    assert any("Open balk" in t for t in texts(root))
    # no legend without small counts
    assert not any("Open balk" in t for t in texts(parse(bar_chart([Bar("a", 9, "9")], chart_id="k", title="t"))))


def test_long_labels_wrap_and_end_in_an_ellipsis():
    label = "Een heel lang antwoord " * 10
    lines = [t for t in texts(parse(bar_chart([Bar(label, 5, "5")], chart_id="k", title="t"))) if t != "5"]
    assert len(lines) == 2 and lines[-1].endswith("…")
    assert all(len(line) <= 48 for line in lines)


def test_column_chart_has_an_axis_and_at_most_six_date_labels():
    bars = [Bar(f"{d} mei 2019", d % 9 if d % 4 else None, str(d), short=f"{d} mei") for d in range(1, 32)]
    svg = column_chart(bars, chart_id="per-dag", title="Per dag")
    root = parse(svg)
    labels = [t for t in texts(root) if t.endswith("mei")]
    assert 2 <= len(labels) <= 6 and labels[0] == "1 mei"
    assert "0" in texts(root) and "8" in texts(root)  # value axis
    tips = [t.text for t in root.iter(f"{NS}title")][1:]
    assert tips[0] == "1 mei 2019: 1" and "4 mei 2019: 4" in tips
    assert len(svg) < 15_000  # a month of days is a few kilobytes


def test_numbers_and_ticks():
    assert nl_number(1105) == "1.105" and nl_number(1234567) == "1.234.567" and nl_number(0) == "0"
    assert nice_ticks(1105) == [0, 500, 1000, 1500]
    assert nice_ticks(3) == [0, 1, 2, 3]
    assert nice_ticks(0) == [0, 1]
