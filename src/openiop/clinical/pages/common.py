"""Small helpers shared by the clinical pages."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends
from fastapi.responses import RedirectResponse, Response

from openiop.clinical import drug_screen_rules, measures_rules, plan_rules
from openiop.clinical.discharge_rules import DISCHARGE_TYPES
from openiop.web.deps import verify_csrf
from openiop.web.routing import TransactionalRoute

LABELS: dict[str, Any] = {
    "modalities": plan_rules.MODALITIES,
    "objective_statuses": plan_rules.OBJECTIVE_STATUSES,
    "dimensions": plan_rules.ASAM_DIMENSIONS,
    "signers": plan_rules.SIGNERS,
    "specimens": drug_screen_rules.SPECIMENS,
    "testing_kinds": drug_screen_rules.TESTING,
    "substance_classes": drug_screen_rules.SUBSTANCE_CLASSES,
    "results": drug_screen_rules.RESULTS,
    "outcomes": drug_screen_rules.OUTCOMES,
    "discharge_types": DISCHARGE_TYPES,
    "measures": measures_rules.MEASURES,
}


def new_router() -> APIRouter:
    return APIRouter(
        route_class=TransactionalRoute,
        dependencies=[Depends(verify_csrf)],
        include_in_schema=False,
    )


def redirect(target: str) -> Response:
    return RedirectResponse(target, status_code=303)
