"""Server-drawn SVG charts: accessible names, labelled axes, bands in words, markers for
every point, escaping, and the edge cases (one point, many points)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date, timedelta

from openiop.clinical import charts

NS = {"s": "http://www.w3.org/2000/svg"}
BANDS = [
    charts.Shade(0, 4, "Minimal"),
    charts.Shade(5, 9, "Mild"),
    charts.Shade(10, 14, "Moderate"),
    charts.Shade(15, 19, "Moderately severe"),
    charts.Shade(20, 27, "Severe"),
]


def phq_chart(points) -> ET.Element:  # type: ignore[no-untyped-def]
    svg = charts.line_chart(
        chart_id="c1",
        title="PHQ-9 total over time",
        desc="Fell from 16 to 8.",
        series=[charts.Series("PHQ-9 total", points)],
        y_max=27,
        y_label="Total score",
        bands=BANDS,
    )
    return ET.fromstring(svg)


def texts(root: ET.Element) -> list[str]:
    return [t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}text")]


def test_the_chart_is_a_named_image_with_a_description():
    root = phq_chart([(date(2026, 11, 2), 16), (date(2026, 11, 16), 8)])
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "c1-t c1-d"
    assert root.find("s:title", NS).text == "PHQ-9 total over time"
    assert root.find("s:desc", NS).text == "Fell from 16 to 8."


def test_axes_are_labelled_and_bands_named_in_text():
    labels = texts(phq_chart([(date(2026, 11, 2), 16), (date(2026, 11, 16), 8)]))
    assert "Date given" in labels and "Total score" in labels
    assert "Moderate" in labels and "Moderately severe" in labels and "Severe" in labels
    assert "Nov 2" in labels and "Nov 16" in labels
    assert "0" in labels and "25" in labels


def test_every_point_has_a_marker_with_its_value():
    points = [(date(2026, 11, 2) + timedelta(days=14 * i), v) for i, v in enumerate([16, 12, 8])]
    root = phq_chart(points)
    tips = [t.text for t in root.iter("{http://www.w3.org/2000/svg}title")][1:]
    assert tips == [
        "PHQ-9 total, 2026-11-02: 16",
        "PHQ-9 total, 2026-11-16: 12",
        "PHQ-9 total, 2026-11-30: 8",
    ]


def test_higher_scores_are_drawn_higher():
    root = phq_chart([(date(2026, 11, 2), 20), (date(2026, 11, 16), 2)])
    first, second = list(root.iter("{http://www.w3.org/2000/svg}circle"))
    assert float(first.get("cy")) < float(second.get("cy"))
    assert float(first.get("cx")) < float(second.get("cx"))


def test_bands_fill_the_plot_from_bottom_to_top():
    rects = list(phq_chart([(date(2026, 11, 2), 5)]).iter("{http://www.w3.org/2000/svg}rect"))
    assert len(rects) == 5
    tops = [float(r.get("y")) for r in rects]
    assert tops == sorted(tops, reverse=True)
    assert tops[-1] == charts.TOP  # the top band reaches the top of the plot


def test_a_single_point_is_centred_and_many_dates_are_thinned():
    one = phq_chart([(date(2026, 11, 2), 5)])
    [circle] = list(one.iter("{http://www.w3.org/2000/svg}circle"))
    assert float(circle.get("cx")) == charts.LEFT + (charts.WIDTH - charts.LEFT - charts.RIGHT) / 2
    many = [(date(2026, 1, 1) + timedelta(days=7 * i), i % 27) for i in range(40)]
    date_labels = [
        t
        for t in texts(phq_chart(many))
        if t[:3] in {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct"}
    ]
    assert 2 <= len(date_labels) <= 7


def test_text_is_escaped():
    svg = charts.line_chart(
        chart_id="x",
        title="A <b> & C",
        desc="d",
        series=[charts.Series("s<1>", [(date(2026, 1, 1), 1)])],
        y_max=3,
        y_label="y",
    )
    assert "<b>" not in svg and "A &lt;b&gt; &amp; C" in svg
    ET.fromstring(svg)  # still well-formed


def test_several_series_get_a_legend_and_distinct_dashes():
    svg = charts.line_chart(
        chart_id="bam",
        title="BAM",
        desc="d",
        series=[
            charts.Series("Use", [(date(2026, 1, 1), 2), (date(2026, 1, 8), 1)]),
            charts.Series("Risk factors", [(date(2026, 1, 1), 10), (date(2026, 1, 8), 8)]),
        ],
        y_max=24,
        y_label="Subscale score",
    )
    root = ET.fromstring(svg)
    assert {"Use", "Risk factors"} <= set(texts(root))
    dashes = {p.get("stroke-dasharray") for p in root.iter("{http://www.w3.org/2000/svg}polyline")}
    assert len(dashes) == 2


def test_the_outcome_strip_marks_each_screen_with_a_shape_and_legend():
    svg = charts.outcome_strip(
        chart_id="ds",
        title="Drug screens",
        desc="3 screens",
        points=[
            (date(2026, 1, 1), "positive", "Unexpected positive"),
            (date(2026, 1, 8), "negative", "All negative"),
            (date(2026, 1, 15), "expected", "Only expected positives"),
        ],
    )
    root = ET.fromstring(svg)
    tips = [t.text for t in root.iter("{http://www.w3.org/2000/svg}title")]
    assert "2026-01-01: Unexpected positive" in tips
    assert {"positive", "negative", "expected"} <= set(texts(root))
    assert len(list(root.iter("{http://www.w3.org/2000/svg}polygon"))) >= 2  # triangle markers
