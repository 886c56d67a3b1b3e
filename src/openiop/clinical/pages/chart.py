"""The clinical chart page: plan status and overdue flags, measures with trajectory charts
and their data tables, drug screens with their trend, and discharge."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response

from openiop.clinical import chart_figures, chart_service, measures_service
from openiop.clinical.pages.common import LABELS, new_router
from openiop.web.deps import PageActor, SessionDep
from openiop.web.render import render

router = new_router()


@router.get("/patients/{patient_id}/clinical")
def clinical_chart(request: Request, patient_id: int, db: SessionDep, actor: PageActor) -> Response:
    chart = chart_service.clinical_chart(db, actor=actor, patient_id=patient_id)
    figures = [
        figure
        for name, rows in chart.measures.given.items()
        if (figure := chart_figures.measure_figure(name, rows)) is not None
    ]
    screens = chart_figures.screen_figure([(r.collected_on, r.outcome) for r in chart.screens])
    return render(
        request,
        "clinical/chart.html",
        {
            **LABELS,
            "chart": chart,
            "figures": figures,
            "screen_svg": screens,
            "band_label": measures_service.band_label,
        },
    )
