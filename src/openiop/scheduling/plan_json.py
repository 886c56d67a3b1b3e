"""Plan files: Plan <-> JSON, as described by docs/schedule-plan.schema.json."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from openiop.scheduling.problem import DAY, DAYS, Appointment, InstanceError, Plan, Unplaced

Doc = dict[str, Any]

PLAN_FORMAT = "openiop-schedule-plan/1"


def _stamp(week_start: date, minute: int) -> str:
    midnight = datetime(week_start.year, week_start.month, week_start.day)
    return (midnight + timedelta(minutes=minute)).isoformat(timespec="minutes")


def _minute_of_week(week_start: date, text: str) -> int:
    moment = datetime.fromisoformat(text)
    return (moment.date() - week_start).days * DAY + moment.hour * 60 + moment.minute


def plan_summary(plan: Plan) -> Doc:
    patients = {u.patient for u in plan.unplaced}
    everyone = {a.patient for a in plan.appointments} | patients
    return {
        "requests": len(plan.appointments) + len(plan.unplaced),
        "placed": len(plan.appointments),
        "unplaced": len(plan.unplaced),
        "patients": len(everyone),
        "patients_fully_placed": len(everyone - patients),
        "telehealth": sum(a.telehealth for a in plan.appointments),
        "other_counselor": sum(a.other_counselor for a in plan.appointments),
    }


def plan_doc(plan: Plan) -> Doc:
    week = plan.week_start
    return {
        "location": plan.location_id,
        "week_start": week.isoformat(),
        "solver": plan.solver,
        "status": plan.status,
        "objective": plan.objective,
        "best_bound": plan.best_bound,
        "gap": plan.gap,
        "seconds": round(plan.seconds, 3),
        "costs": dict(plan.costs),
        "parameters": dict(plan.parameters),
        "summary": plan_summary(plan),
        "appointments": [
            {
                "request": a.request,
                "patient": a.patient,
                "kind": a.kind,
                "staff": a.staff,
                "day": DAYS[a.start // DAY],
                "start": _stamp(week, a.start),
                "end": _stamp(week, a.end),
                "mode": "telehealth" if a.telehealth else "in_person",
                "room": a.room,
                "other_counselor": a.other_counselor,
            }
            for a in plan.appointments
        ],
        "unplaced": [
            {
                "request": u.request,
                "patient": u.patient,
                "kind": u.kind,
                "reasons": list(u.reasons),
                "blocked_by": list(u.blocked_by),
            }
            for u in plan.unplaced
        ],
    }


def plans_doc(plans: list[Plan]) -> Doc:
    """The plan file: one plan per location, and totals over them."""
    totals: Doc = {}
    for plan in plans:
        for key, value in plan_summary(plan).items():
            totals[key] = totals.get(key, 0) + value
    return {
        "format": PLAN_FORMAT,
        "week_start": plans[0].week_start.isoformat() if plans else None,
        "summary": totals,
        "plans": [plan_doc(p) for p in plans],
    }


def parse_plan(doc: Doc) -> Plan:
    week = date.fromisoformat(doc["week_start"])
    return Plan(
        location_id=doc["location"],
        week_start=week,
        solver=doc["solver"],
        status=doc["status"],
        appointments=tuple(
            Appointment(
                request=a["request"],
                patient=a["patient"],
                kind=a["kind"],
                staff=a["staff"],
                start=_minute_of_week(week, a["start"]),
                end=_minute_of_week(week, a["end"]),
                room=a["room"] if a["mode"] == "in_person" else None,
                other_counselor=a["other_counselor"],
            )
            for a in doc["appointments"]
        ),
        unplaced=tuple(
            Unplaced(
                u["request"], u["patient"], u["kind"], tuple(u["reasons"]), tuple(u["blocked_by"])
            )
            for u in doc["unplaced"]
        ),
        objective=doc["objective"],
        best_bound=doc["best_bound"],
        gap=doc["gap"],
        seconds=doc["seconds"],
        costs=tuple(doc["costs"].items()),
        parameters=tuple(doc["parameters"].items()),
    )


def parse_plans(doc: Doc) -> list[Plan]:
    if doc.get("format") != PLAN_FORMAT:
        raise InstanceError(f"plan: format must be '{PLAN_FORMAT}'", item="format")
    return [parse_plan(p) for p in doc["plans"]]
