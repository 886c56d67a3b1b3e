"""Small charts for the patient chart, drawn server-side as SVG. Pure: strings in, string out.

Each chart is an image with a title and a description that says what it shows in words
(screen readers read those; the page also shows the same numbers as a table). Bands are
shaded behind the line and labelled in text, so the meaning never rests on colour alone;
series differ by dash pattern and marker shape as well as colour.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from html import escape

WIDTH, HEIGHT = 560, 270
LEFT, RIGHT, TOP, BOTTOM = 48, 124, 16, 58
# Light fills (dark text stays readable on each) from calm to alarming.
BAND_FILLS = ("#e8f5e9", "#f1f8e9", "#fff8e1", "#fff3e0", "#fdecea")
SERIES_STYLES = (("#1a4f8b", ""), ("#7a3b00", "6 4"), ("#2e6b30", "2 3"))
OUTCOME_STYLE = {
    "negative": ("#2e6b30", "circle"),
    "expected": ("#1a4f8b", "square"),
    "unreadable": ("#6b5a00", "diamond"),
    "positive": ("#a1190e", "triangle"),
    "pending": ("#555555", "ring"),
}


@dataclass(frozen=True)
class Shade:
    low: int
    high: int
    label: str


@dataclass(frozen=True)
class Series:
    label: str
    points: Sequence[tuple[date, int]]


def line_chart(
    *,
    chart_id: str,
    title: str,
    desc: str,
    series: Sequence[Series],
    y_max: int,
    y_label: str,
    bands: Sequence[Shade] = (),
) -> str:
    dates = sorted({d for s in series for d, _ in s.points})
    x = _x_scale(dates)
    y = _y_scale(y_max)
    parts = [_open(chart_id, title, desc)]
    parts += [_band(shade, y, i) for i, shade in enumerate(bands)]
    parts.append(_axes(dates, x, y_max, y, y_label))
    for index, one in enumerate(series):
        parts.append(_line(one, x, y, index))
    if len(series) > 1:
        parts.append(_legend(series))
    parts.append("</svg>")
    return "".join(parts)


def outcome_strip(
    *, chart_id: str, title: str, desc: str, points: Sequence[tuple[date, str, str]]
) -> str:
    """One marker per screen on a time line: (date, outcome code, outcome label)."""
    height = 120
    dates = sorted({d for d, _, _ in points})
    x = _x_scale(dates)
    parts = [_open(chart_id, title, desc, height)]
    baseline = 56
    parts.append(_line_el(LEFT, baseline, WIDTH - RIGHT, baseline, "#767676"))
    for when, code, label in points:
        colour, shape = OUTCOME_STYLE.get(code, OUTCOME_STYLE["pending"])
        parts.append(_marker(shape, x(when), baseline, colour, f"{when.isoformat()}: {label}"))
    parts.append(_date_ticks(dates, x, baseline + 22))
    parts.append(_strip_legend({code for _, code, _ in points}, baseline + 44))
    parts.append("</svg>")
    return "".join(parts)


# ---- pieces -----------------------------------------------------------------------------


def _open(chart_id: str, title: str, desc: str, height: int = HEIGHT) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {WIDTH} {height}" '
        f'width="100%" role="img" aria-labelledby="{chart_id}-t {chart_id}-d" '
        f'preserveAspectRatio="xMinYMin meet">'
        f'<title id="{chart_id}-t">{escape(title)}</title>'
        f'<desc id="{chart_id}-d">{escape(desc)}</desc>'
    )


def _x_scale(dates: Sequence[date]):  # type: ignore[no-untyped-def]
    plot = WIDTH - LEFT - RIGHT
    if len(dates) < 2:
        return lambda _when: LEFT + plot / 2
    first, span = dates[0], (dates[-1] - dates[0]).days
    return lambda when: LEFT + 12 + (plot - 24) * (when - first).days / span


def _y_scale(y_max: int):  # type: ignore[no-untyped-def]
    plot = HEIGHT - TOP - BOTTOM
    return lambda value: TOP + plot * (1 - value / max(y_max, 1))


def _band(shade: Shade, y, index: int) -> str:  # type: ignore[no-untyped-def]
    # A band of whole scores low..high covers the strip up to the next band's first score.
    top, bottom = max(y(shade.high + 1), TOP), y(shade.low)
    fill = BAND_FILLS[min(index, len(BAND_FILLS) - 1)]
    label_y = (top + bottom) / 2 + 4
    return (
        f'<rect x="{LEFT}" y="{top:.1f}" width="{WIDTH - LEFT - RIGHT}" '
        f'height="{bottom - top:.1f}" fill="{fill}"/>'
        f'<text x="{WIDTH - RIGHT + 6}" y="{label_y:.1f}" font-size="12" fill="#333">'
        f"{escape(shade.label)}</text>"
    )


def _axes(dates: Sequence[date], x, y_max: int, y, y_label: str) -> str:  # type: ignore[no-untyped-def]
    bottom = HEIGHT - BOTTOM
    parts = [
        _line_el(LEFT, TOP, LEFT, bottom, "#333"),
        _line_el(LEFT, bottom, WIDTH - RIGHT, bottom, "#333"),
    ]
    step = _tick_step(y_max)
    for value in range(0, y_max + 1, step):
        parts.append(
            f'<text class="tick" x="{LEFT - 6}" y="{y(value) + 4:.1f}" font-size="13" text-anchor="end" '
            f'fill="#333">{value}</text>'
        )
    parts.append(_date_ticks(dates, x, bottom + 16))
    parts.append(
        f'<text x="{(LEFT + WIDTH - RIGHT) / 2:.0f}" y="{HEIGHT - 8}" font-size="14" '
        f'text-anchor="middle" fill="#333">Date given</text>'
        f'<text x="14" y="{(TOP + bottom) / 2:.0f}" font-size="14" text-anchor="middle" '
        f'fill="#333" transform="rotate(-90 14 {(TOP + bottom) / 2:.0f})">{escape(y_label)}</text>'
    )
    return "".join(parts)


def _tick_step(y_max: int) -> int:
    for step in (1, 2, 5, 10, 20):
        if y_max / step <= 6:
            return step
    return 50


def _date_ticks(dates: Sequence[date], x, at_y: float) -> str:  # type: ignore[no-untyped-def]
    if not dates:
        return ""
    shown = _thin(dates, 6)
    return "".join(
        f'<text class="tick" x="{x(when):.1f}" y="{at_y:.0f}" font-size="13" text-anchor="middle" '
        f'fill="#333">{when.strftime("%b %-d")}</text>'
        for when in shown
    )


def _thin(dates: Sequence[date], most: int) -> list[date]:
    if len(dates) <= most:
        return list(dates)
    stride = -(-len(dates) // most)
    picked = list(dates[::stride])
    return picked if picked[-1] == dates[-1] else [*picked[:-1], dates[-1]]


def _line(one: Series, x, y, index: int) -> str:  # type: ignore[no-untyped-def]
    colour, dash = SERIES_STYLES[index % len(SERIES_STYLES)]
    points = sorted(one.points)
    path = " ".join(f"{x(d):.1f},{y(v):.1f}" for d, v in points)
    dashing = f' stroke-dasharray="{dash}"' if dash else ""
    parts = [f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"{dashing}/>']
    shape = ("circle", "square", "diamond")[index % 3]
    for when, value in points:
        tip = f"{one.label}, {when.isoformat()}: {value}"
        parts.append(_marker(shape, x(when), y(value), colour, tip))
    return "".join(parts)


def _legend(series: Sequence[Series]) -> str:
    parts = []
    for index, one in enumerate(series):
        colour, dash = SERIES_STYLES[index % len(SERIES_STYLES)]
        top = HEIGHT - BOTTOM + 30
        left = LEFT + 150 * index
        dashing = f' stroke-dasharray="{dash}"' if dash else ""
        parts.append(
            f'<line x1="{left}" y1="{top}" x2="{left + 24}" y2="{top}" stroke="{colour}" '
            f'stroke-width="2"{dashing}/>'
            f'<text x="{left + 30}" y="{top + 4}" font-size="13" fill="#333">'
            f"{escape(one.label)}</text>"
        )
    return "".join(parts)


def _strip_legend(codes: set[str], at_y: int) -> str:
    labels = {
        "negative": "negative",
        "expected": "expected",
        "unreadable": "invalid/dilute",
        "positive": "positive",
        "pending": "pending",
    }
    parts, left = [], 16
    for code in OUTCOME_STYLE:
        if code not in codes:
            continue
        colour, shape = OUTCOME_STYLE[code]
        parts.append(_marker(shape, left + 5, at_y - 4, colour, labels[code]))
        parts.append(
            f'<text x="{left + 14}" y="{at_y}" font-size="13" fill="#333">{labels[code]}</text>'
        )
        left += 108
    return "".join(parts)


def _marker(shape: str, cx: float, cy: float, colour: str, tip: str) -> str:
    tip_el = f"<title>{escape(tip)}</title>"
    if shape == "square":
        body = f'<rect x="{cx - 4:.1f}" y="{cy - 4:.1f}" width="8" height="8" fill="{colour}">'
        return body + tip_el + "</rect>"
    if shape in {"diamond", "triangle"}:
        pts = (
            f"{cx:.1f},{cy - 5:.1f} {cx + 5:.1f},{cy:.1f} {cx:.1f},{cy + 5:.1f} {cx - 5:.1f},{cy:.1f}"
            if shape == "diamond"
            else f"{cx:.1f},{cy - 6:.1f} {cx + 6:.1f},{cy + 5:.1f} {cx - 6:.1f},{cy + 5:.1f}"
        )
        return f'<polygon points="{pts}" fill="{colour}">{tip_el}</polygon>'
    fill = "#fff" if shape == "ring" else colour
    return (
        f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="4.5" fill="{fill}" stroke="{colour}" '
        f'stroke-width="2">{tip_el}</circle>'
    )


def _line_el(x1: float, y1: float, x2: float, y2: float, colour: str) -> str:
    return f'<line x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}" stroke="{colour}" stroke-width="1"/>'
