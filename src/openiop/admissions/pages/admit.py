"""Admitting an inquiry: /admissions/inquiries/{id}/admit. One form: the patient (new, or one
found by duplicate detection), weekly commitments, the track (each shown with its times and any
clash), the care team with caseloads, the admit date and the consent to treatment signed on
screen. "Check tracks" shows the form again with clashes worked out; "Admit" saves it all."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from openiop.admissions import admit_form_service
from openiop.admissions import admit_rules as rules
from openiop.admissions import admit_service as service
from openiop.admissions.level_of_care import LEVEL_LABELS
from openiop.admissions.pipeline_rules import STAGE_LABELS
from openiop.admissions.task_rules import kind_label
from openiop.kit.errors import Conflict, ValidationFailed
from openiop.models import Inquiry
from openiop.patients.rules import SEX_AT_BIRTH
from openiop.security.audit import Actor
from openiop.web.deps import FormLists, PageActor, SessionDep, verify_csrf
from openiop.web.render import render
from openiop.web.routing import TransactionalRoute

router = APIRouter(
    route_class=TransactionalRoute, dependencies=[Depends(verify_csrf)], include_in_schema=False
)
NEW_PATIENT_FIELDS = ("first_name", "last_name", "date_of_birth", "sex_at_birth", "phone", "email")
SINGLE = (
    *NEW_PATIENT_FIELDS,
    "patient_id",
    "track_id",
    "admit_date",
    "primary_counselor_id",
    "physician_id",
    "clash_acknowledged",
    "consent_signer",
    "consent_signed_name",
    "consent_relationship",
    "consent_agreed",
    "version",
    *(f"c{n}_{part}" for n in range(1, 4) for part in ("kind", "start", "end", "label")),
)


def _url(inquiry_id: int) -> str:
    return f"/admissions/inquiries/{inquiry_id}/admit"


def _one(form: dict[str, list[str]], name: str) -> str:
    return (form.get(name) or [""])[0].strip()


def _id(raw: str) -> int | None:
    return int(raw) if raw.isdigit() and len(raw) < 10 else None


def _date(raw: str) -> date | None:
    try:
        return date.fromisoformat(raw)
    except ValueError:
        return None


# ---- reading the form ------------------------------------------------------------------------


def _commitments(
    form: dict[str, list[str]], errors: dict[str, str]
) -> tuple[rules.CommitmentRow, ...]:
    rows = []
    for n in range(1, rules.COMMITMENT_ROWS + 1):
        row, problems = rules.read_commitment_row(
            n,
            _one(form, f"c{n}_kind"),
            [d for d in form.get(f"c{n}_days", []) if d],
            _one(form, f"c{n}_start"),
            _one(form, f"c{n}_end"),
            _one(form, f"c{n}_label"),
        )
        errors.update(problems)
        rows += [row] if row else []
    return tuple(rows)


def read_form(form: dict[str, list[str]]) -> tuple[service.AdmitInput, dict[str, str]]:
    errors: dict[str, str] = {}
    commitments = _commitments(form, errors)
    chosen = _one(form, "patient_id")
    data = service.AdmitInput(
        version=_id(_one(form, "version")),
        patient_id=_id(chosen),
        new_patient={name: _one(form, name) for name in NEW_PATIENT_FIELDS},
        track_id=_id(_one(form, "track_id")),
        admit_date=_date(_one(form, "admit_date")),
        primary_counselor_id=_id(_one(form, "primary_counselor_id")),
        physician_id=_id(_one(form, "physician_id")),
        commitments=commitments,
        clash_acknowledged=_one(form, "clash_acknowledged") == "yes",
        signature=rules.Signature(
            signer=_one(form, "consent_signer"),
            typed_name=_one(form, "consent_signed_name"),
            relationship=_one(form, "consent_relationship")[:100],
            agreed=_one(form, "consent_agreed") == "yes",
        ),
    )
    if chosen not in ("", "new") and data.patient_id is None:
        errors["patient_id"] = "Choose a patient from the list, or register a new one."
    return data, errors


def _values(form: dict[str, list[str]]) -> dict[str, Any]:
    values: dict[str, Any] = {name: _one(form, name) for name in SINGLE}
    for n in range(1, rules.COMMITMENT_ROWS + 1):
        values[f"c{n}_days"] = [d for d in form.get(f"c{n}_days", []) if d]
    return values


def _first_values(row: Inquiry, today: date) -> dict[str, Any]:
    """The inquiry's details as a starting point for a new patient."""
    first, _, last = (row.person_name or row.name).strip().rpartition(" ")
    caller_is_person = row.caller_relationship == "self" or not row.person_name
    return {
        "first_name": first or last,
        "last_name": last if first else "",
        "date_of_birth": row.date_of_birth.isoformat() if row.date_of_birth else "",
        "phone": (row.phone or "") if caller_is_person else "",
        "email": (row.email or "") if caller_is_person else "",
        "sex_at_birth": "unknown",
        "admit_date": today.isoformat(),
        "consent_signer": "self",
        "patient_id": "new",
    }


# ---- the page --------------------------------------------------------------------------------


def _page(
    request: Request,
    db: Session,
    actor: Actor,
    inquiry_id: int,
    *,
    values: dict[str, Any] | None = None,
    extra: tuple[rules.CommitmentRow, ...] = (),
    errors: dict[str, str] | None = None,
    message: str | None = None,
    status: int = 200,
    link: int | None = None,
) -> Response:
    linked = link if values is None else _id(str(values.get("patient_id", "")))
    found = admit_form_service.admit_form(
        db,
        actor=actor,
        inquiry_id=inquiry_id,
        default_zone=request.app.state.settings.default_time_zone,
        patient_id=linked,
        extra=extra,
    )
    shown = values if values is not None else _first_values(found.inquiry, found.today)
    if values is None and link is not None:
        shown["patient_id"] = str(link)
    shown.setdefault("version", found.inquiry.version)
    context = {
        "c": found,
        "row": found.inquiry,
        "values": shown,
        "errors": errors or {},
        "message": message,
        "level_labels": LEVEL_LABELS,
        "stage_labels": STAGE_LABELS,
        "sexes": list(SEX_AT_BIRTH.items()),
        "signers": list(rules.SIGNERS.items()),
        "kinds": [(k, k.capitalize()) for k in rules.COMMITMENT_KINDS],
        "days": list(rules.DAY_NAMES.items()),
        "rows": range(1, rules.COMMITMENT_ROWS + 1),
        "kind_label": kind_label,
    }
    response = render(request, "admissions/admit.html", context, status)
    response.headers["Cache-Control"] = "no-store"
    return response


@router.get("/admissions/inquiries/{inquiry_id}/admit")
def admit_form(
    request: Request, inquiry_id: int, db: SessionDep, actor: PageActor, patient_id: str = ""
) -> Response:
    return _page(request, db, actor, inquiry_id, link=_id(patient_id))


@router.post("/admissions/inquiries/{inquiry_id}/admit")
def admit(
    request: Request, inquiry_id: int, db: SessionDep, actor: PageActor, form: FormLists
) -> Response:
    values = _values(form)
    data, errors = read_form(form)
    if errors or _one(form, "step") == "check":
        return _page(
            request, db, actor, inquiry_id, values=values, extra=data.commitments,
            errors=errors, status=422 if errors else 200,
        )  # fmt: skip
    try:
        service.admit(
            db,
            actor=actor,
            inquiry_id=inquiry_id,
            data=data,
            default_zone=request.app.state.settings.default_time_zone,
        )
    except ValidationFailed as error:
        db.rollback()
        return _page(
            request, db, actor, inquiry_id, values=values, extra=data.commitments,
            errors=error.field_errors, message=error.message, status=422,
        )  # fmt: skip
    except Conflict as error:
        db.rollback()
        return _page(request, db, actor, inquiry_id, message=error.message, status=409)
    return RedirectResponse(_url(inquiry_id), status_code=303)
