"""The clinician's screening and assessment of an inquiry, the level-of-care recommendation with
its reasons, and the decision on it: /admissions/inquiries/{id}/assessment."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from openiop.admissions import assessment_service as service
from openiop.admissions import dsm5
from openiop.admissions.assessment import HOME_ENVIRONMENTS
from openiop.admissions.dimensions import DIMENSION_PROMPTS, DIMENSIONS, RATINGS, suggest_ratings
from openiop.admissions.level_of_care import INTENSITY, LEVEL_LABELS, RULES
from openiop.instruments import InstrumentInputError, Score, get_instrument, score
from openiop.kit.errors import Conflict, ValidationFailed
from openiop.models import AdmissionAssessment
from openiop.security.audit import Actor
from openiop.web.deps import FormLists, PageActor, SessionDep, verify_csrf
from openiop.web.render import render
from openiop.web.routing import TransactionalRoute

router = APIRouter(
    route_class=TransactionalRoute, dependencies=[Depends(verify_csrf)], include_in_schema=False
)
INSTRUMENT_IDS = ("PHQ-9", "GAD-7", "AUDIT", "CIWA-Ar", "COWS", "PCL-5")
DIMENSION_KEYS = tuple(DIMENSIONS)


def _private(response: Response) -> Response:
    """Clinical answers must not linger in a shared browser's cache."""
    response.headers["Cache-Control"] = "no-store"
    return response


def _url(inquiry_id: int) -> str:
    return f"/admissions/inquiries/{inquiry_id}/assessment"


# ---- reading the form ----------------------------------------------------------------------


def _one(form: dict[str, list[str]], name: str) -> str:
    return (form.get(name) or [""])[0].strip()


def _answers(form: dict[str, list[str]], errors: dict[str, str]) -> dict[str, list[int]]:
    """Instruments with at least one answer; a partly answered one names its blank items."""
    found: dict[str, list[int]] = {}
    for instrument_id in INSTRUMENT_IDS:
        count = len(get_instrument(instrument_id).items)
        raw = [_one(form, f"{instrument_id}.{n}") for n in range(1, count + 1)]
        if not any(raw):
            continue
        for number, value in enumerate(raw, start=1):
            if not value.lstrip("-").isdigit() or len(value) > 3:
                where = f"{instrument_id}.{number}"
                errors[where] = (
                    f"{instrument_id} item {number}: choose an answer, or leave the whole {instrument_id} blank."
                )
        if not any(k.startswith(f"{instrument_id}.") for k in errors):
            found[instrument_id] = [int(v) for v in raw]
    return found


def _dimensions(
    form: dict[str, list[str]], errors: dict[str, str]
) -> dict[str, tuple[int | None, str]]:
    found: dict[str, tuple[int | None, str]] = {}
    for key in DIMENSION_KEYS:
        raw = _one(form, f"dim_{key}")
        rating = int(raw) if raw.isdigit() and len(raw) == 1 else None
        if raw and (rating is None or rating not in RATINGS):
            errors[f"dim_{key}"] = f"Dimension {key}: a rating is a whole number from 0 to 4."
        found[key] = (rating if rating in RATINGS else None, _one(form, f"dim_{key}_note")[:2000])
    return found


def read_form(form: dict[str, list[str]]) -> service.AssessmentInput:
    errors: dict[str, str] = {}
    substances = tuple(s for s in form.get("substances", []) if s)
    criteria = {
        s: tuple(form.get(f"dsm5.{s}", [])) for s in dsm5.SUBSTANCES if form.get(f"dsm5.{s}")
    }
    data = service.AssessmentInput(
        substances=substances,
        dsm5_criteria=criteria,
        instruments=_answers(form, errors),
        home_environment=_one(form, "home_environment"),
        sober_living_home=_one(form, "sober_living_home")[:200] or None,
        commitments=_one(form, "commitments")[:2000] or None,
        dimensions=_dimensions(form, errors),
    )
    if errors:
        raise ValidationFailed("Please correct the fields marked.", field_errors=errors)
    return data


def _form_values(form: dict[str, list[str]]) -> dict[str, Any]:
    """What was entered, to show again: lists for checkboxes, single strings otherwise."""
    lists = {"substances"} | {f"dsm5.{s}" for s in dsm5.SUBSTANCES}
    return {k: (v if k in lists else (v[0] if v else "")) for k, v in form.items()}


def _stored_values(row: AdmissionAssessment | None) -> dict[str, Any]:
    if row is None:
        return {"home_environment": "safe_home"}
    values: dict[str, Any] = {
        "substances": list(row.substances),
        "home_environment": row.home_environment,
        "sober_living_home": row.sober_living_home or "",
        "commitments": row.commitments or "",
    }
    values |= {f"dsm5.{s}": list(keys) for s, keys in row.dsm5_criteria.items()}
    for name, answers in row.instrument_answers.items():
        values |= {f"{name}.{n}": str(a) for n, a in enumerate(answers, start=1)}
    for key, dim in row.dimensions.items():
        values[f"dim_{key}"] = "" if dim.get("rating") is None else str(dim["rating"])
        values[f"dim_{key}_note"] = dim.get("note") or ""
    return values


def _scores_of(values: dict[str, Any]) -> dict[str, Score]:
    """Scores of the fully and validly answered instruments, for suggested ratings only."""
    found = {}
    for instrument_id in INSTRUMENT_IDS:
        count = len(get_instrument(instrument_id).items)
        raw = [str(values.get(f"{instrument_id}.{n}", "")) for n in range(1, count + 1)]
        if all(v.isdigit() for v in raw):
            try:
                found[instrument_id] = score(instrument_id, [int(v) for v in raw])
            except InstrumentInputError:
                continue
    return found


# ---- the page --------------------------------------------------------------------------------


def _page(
    request: Request,
    db: Session,
    actor: Actor,
    inquiry_id: int,
    *,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    decision: dict[str, Any] | None = None,
    decision_errors: dict[str, str] | None = None,
    message: str | None = None,
    fill_suggestions: bool = False,
    status: int = 200,
) -> Response:
    found = service.view(db, actor=actor, inquiry_id=inquiry_id)
    values = values if values is not None else _stored_values(found.latest)
    suggestions = suggest_ratings(_scores_of(values), values.get("home_environment"))
    if fill_suggestions:
        for key, s in suggestions.items():
            values[f"dim_{key}"] = values.get(f"dim_{key}") or str(s.rating)
    zone = (
        found.location.time_zone if found.location else request.app.state.settings.default_time_zone
    )
    context = {
        "v": found,
        "row": found.inquiry,
        "a": found.latest,
        "zone": zone,
        "values": values,
        "errors": errors or {},
        "decision": decision or {},
        "decision_errors": decision_errors or {},
        "message": message,
        "may_decide": service.may_decide(actor),
        "substances": list(dsm5.SUBSTANCES.items()),
        "criteria": dsm5.CRITERIA,
        "prescribed_note": dsm5.PRESCRIBED_USE_NOTE,
        "instruments": [get_instrument(i) for i in INSTRUMENT_IDS],
        "homes": list(HOME_ENVIRONMENTS.items()),
        "home_labels": HOME_ENVIRONMENTS,
        "dimensions": DIMENSIONS,
        "prompts": DIMENSION_PROMPTS,
        "ratings": list(RATINGS.items()),
        "suggestions": suggestions,
        "levels": [(k, LEVEL_LABELS[k]) for k in INTENSITY],
        "level_labels": LEVEL_LABELS,
        "rules": RULES,
    }
    return _private(render(request, "admissions/assessment_page.html", context, status))


@router.get("/admissions/inquiries/{inquiry_id}/assessment")
def assessment(request: Request, inquiry_id: int, db: SessionDep, actor: PageActor) -> Response:
    return _page(request, db, actor, inquiry_id)


@router.post("/admissions/inquiries/{inquiry_id}/assessment")
def record(
    request: Request, inquiry_id: int, db: SessionDep, actor: PageActor, form: FormLists
) -> Response:
    values = _form_values(form)
    if _one(form, "step") == "suggest":
        return _page(request, db, actor, inquiry_id, values=values, fill_suggestions=True)
    try:
        service.record_assessment(
            db,
            actor=actor,
            inquiry_id=inquiry_id,
            data=read_form(form),
            default_zone=request.app.state.settings.default_time_zone,
        )
    except ValidationFailed as error:
        db.rollback()
        return _page(
            request, db, actor, inquiry_id, values=values, errors=error.field_errors, status=422
        )
    return RedirectResponse(f"{_url(inquiry_id)}#recommendation", status_code=303)


@router.post("/admissions/inquiries/{inquiry_id}/assessment/{assessment_id}/decision")
def decide(
    request: Request,
    inquiry_id: int,
    assessment_id: int,
    db: SessionDep,
    actor: PageActor,
    form: FormLists,
) -> Response:
    version = _one(form, "version")
    entered = {k: _one(form, k) for k in ("decision", "decided_level", "override_reason")}
    try:
        service.decide(
            db,
            actor=actor,
            inquiry_id=inquiry_id,
            assessment_id=assessment_id,
            decision=entered["decision"],
            level=entered["decided_level"] or None,
            override_reason=entered["override_reason"] or None,
            version=int(version) if version.isdigit() and len(version) < 10 else None,
        )
    except ValidationFailed as error:
        db.rollback()
        return _page(
            request, db, actor, inquiry_id, decision=entered,
            decision_errors=error.field_errors, status=422,
        )  # fmt: skip
    except Conflict as error:
        db.rollback()
        return _page(request, db, actor, inquiry_id, message=error.message, status=409)
    return RedirectResponse(f"{_url(inquiry_id)}#recommendation", status_code=303)
