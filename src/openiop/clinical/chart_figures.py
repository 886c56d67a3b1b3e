"""Turn stored measures and screens into the chart's SVG figures and their table rows.
Presentation only: no database, no web framework."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from openiop.clinical import charts, measures_rules
from openiop.clinical.drug_screen_rules import OUTCOMES
from openiop.instruments import get_instrument
from openiop.models import MeasureAdministration


@dataclass(frozen=True)
class Figure:
    instrument: str
    title: str
    svg: str
    summary: str


def measure_figure(instrument: str, rows: Sequence[MeasureAdministration]) -> Figure | None:
    if not rows:
        return None
    definition = get_instrument(instrument)
    if instrument == "BAM":
        return _bam_figure(rows)
    points = [(r.administered_on, r.total or 0) for r in rows]
    bands = [charts.Shade(b.low, b.high, b.label) for b in definition.bands]
    title = f"{instrument} total over time"
    summary = _summary(instrument, rows)
    ranges = ", ".join(f"{b.label.lower()} {b.low}–{b.high}" for b in definition.bands)
    svg = charts.line_chart(
        chart_id=f"chart-{instrument.lower().replace('-', '')}",
        title=title,
        desc=f"{summary} Bands: {ranges}.",
        series=[charts.Series(f"{instrument} total", points)],
        y_max=definition.max_total,
        y_label="Total score",
        bands=bands,
    )
    return Figure(instrument, title, svg, summary)


def _summary(instrument: str, rows: Sequence[MeasureAdministration]) -> str:
    first, last = rows[0], rows[-1]
    if len(rows) == 1:
        return f"{instrument} given once, on {first.administered_on}: total {first.total}."
    moved = measures_rules.change([first.total, last.total]) or 0
    direction = "down" if moved < 0 else "up" if moved > 0 else "unchanged"
    return (
        f"{instrument} given {len(rows)} times from {first.administered_on} to "
        f"{last.administered_on}: total {first.total} then {last.total} "
        f"({direction}{f' {abs(moved)}' if moved else ''}; lower is better)."
    )


def _bam_figure(rows: Sequence[MeasureAdministration]) -> Figure:
    labels = {"use": "Use", "risk": "Risk factors", "protective": "Protective factors"}
    series = [
        charts.Series(label, [(r.administered_on, int(r.subscales.get(code, 0))) for r in rows])
        for code, label in labels.items()
    ]
    last = rows[-1].subscales
    summary = (
        f"BAM given {len(rows)} times; latest on {rows[-1].administered_on}: use "
        f"{last.get('use')}, risk {last.get('risk')}, protective {last.get('protective')} "
        "(lower use and risk, higher protective, is better)."
    )
    svg = charts.line_chart(
        chart_id="chart-bam",
        title="Brief Addiction Monitor subscales over time",
        desc=summary,
        series=series,
        y_max=max(measures_rules.BAM_SUBSCALE_MAX.values()),
        y_label="Subscale score",
    )
    return Figure("BAM", "Brief Addiction Monitor subscales over time", svg, summary)


def screen_figure(points: Sequence[tuple]) -> str | None:  # type: ignore[type-arg]
    """points: (collected_on, outcome code) oldest first."""
    if not points:
        return None
    counts = {code: sum(1 for _, c in points if c == code) for code in OUTCOMES}
    words = ", ".join(f"{n} {OUTCOMES[c].lower()}" for c, n in counts.items() if n)
    return charts.outcome_strip(
        chart_id="chart-screens",
        title="Drug screen results over time",
        desc=f"{len(points)} screens from {points[0][0]} to {points[-1][0]}: {words}.",
        points=[(d, code, OUTCOMES[code]) for d, code in points],
    )
