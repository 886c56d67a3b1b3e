"""A solved week as a proposal to review: pure, no I/O.

Each placed appointment becomes an item with a stable id ("i1", "i2", ...) that the review
page and the API accept by. Items are compared with last week: "unchanged" when the patient
had the same kind of appointment at the same weekday and time with the same person, "moved"
when they had one at another time or with someone else, "new" otherwise. Appointments already
in the calendar are listed as "kept" (the engine planned around them), and every request the
engine could not place is listed with its reasons.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from openiop.calendar.planning_problem import Booked, WeekClock, row_id
from openiop.scheduling.problem import KINDS, Appointment, Plan, Problem, describe_span

Doc = dict[str, Any]
CHANGES = ("new", "moved", "unchanged")


def _label(kind: str) -> str:
    return KINDS[kind].label if kind in KINDS else kind


def _change(problem: Problem, a: Appointment) -> tuple[str, str | None]:
    patient = problem.patient_by_id[a.patient]
    before = [w for w in patient.last_week if w.kind == a.kind]
    if not before:
        return "new", None
    if any(w.start == a.start and w.staff == a.staff for w in before):
        return "unchanged", None
    w = before[0]
    who = problem.staff_by_id.get(w.staff or "")
    with_whom = f" with {who.name}" if who else ""
    return "moved", f"last week {describe_span(w.start, w.start + a.end - a.start)}{with_whom}"


def _item(problem: Problem, wc: WeekClock, n: int, a: Appointment) -> Doc:
    start, end = wc.instant(a.start), wc.instant(a.end)
    change, previous = _change(problem, a)
    room = problem.room_by_id.get(a.room or "")
    return {
        "id": f"i{n}",
        "request": a.request,
        "patient_id": row_id(a.patient),
        "patient_name": problem.patient_by_id[a.patient].name,
        "kind": a.kind,
        "kind_label": _label(a.kind),
        "staff_id": row_id(a.staff),
        "staff_name": problem.staff_by_id[a.staff].name,
        "starts_at": start.isoformat(),
        "ends_at": end.isoformat(),
        "day": start.astimezone(wc.tz).date().isoformat(),
        "when": describe_span(a.start, a.end),
        "room_id": row_id(a.room) if room else None,
        "room_name": room.name if room else None,
        "telehealth": a.telehealth,
        "covering": a.other_counselor,
        "change": change,
        "previous": previous,
    }


def _unplaced(problem: Problem, plan: Plan) -> list[Doc]:
    return [
        {
            "patient_id": row_id(u.patient),
            "patient_name": problem.patient_by_id[u.patient].name,
            "kind": u.kind,
            "kind_label": _label(u.kind),
            "reasons": list(u.reasons),
        }
        for u in plan.unplaced
    ]


def _not_requested(problem: Problem, notes: tuple[tuple[int, str, str], ...]) -> list[Doc]:
    return [
        {
            "patient_id": pid,
            "patient_name": problem.patient_by_id[f"p{pid}"].name,
            "kind": kind,
            "kind_label": _label(kind),
            "reasons": [reason],
        }
        for pid, kind, reason in notes
    ]


def _kept(problem: Problem, wc: WeekClock, booked: tuple[Booked, ...]) -> list[Doc]:
    out = []
    for b in booked:
        patient = problem.patient_by_id.get(f"p{b.patient_id}")
        if patient is None:
            continue  # another site's patient: only their staff member's time matters here
        staff = problem.staff_by_id.get(f"s{b.staff_id}")
        out.append(
            {
                "appointment_id": b.id,
                "patient_id": b.patient_id,
                "patient_name": patient.name,
                "kind": b.kind,
                "kind_label": _label(b.kind),
                "staff_name": staff.name if staff else "",
                "day": b.start.astimezone(wc.tz).date().isoformat(),
                "when": describe_span(wc.minute(b.start), wc.minute(b.end)),
            }
        )
    return out


def summary_of(proposal: Doc, plan: Plan) -> Doc:
    counts = {c: sum(i["change"] == c for i in proposal["items"]) for c in CHANGES}
    return {
        **counts,
        "proposed": len(proposal["items"]),
        "unplaced": len(proposal["unplaced"]),
        "kept": len(proposal["kept"]),
        "patients": len({i["patient_id"] for i in proposal["items"] + proposal["unplaced"]}),
        "engine_status": plan.status,
        "objective": plan.objective,
        "gap": plan.gap,
        "seconds": plan.seconds,
    }


def build_proposal(
    problem: Problem,
    plan: Plan,
    *,
    booked: tuple[Booked, ...] = (),
    not_requested: tuple[tuple[int, str, str], ...] = (),
) -> Doc:
    wc = WeekClock(problem.week_start, problem.timezone)
    ordered = sorted(
        plan.appointments, key=lambda a: (problem.patient_by_id[a.patient].name, a.start)
    )
    return {
        "week_start": problem.week_start.isoformat(),
        "zone": problem.timezone,
        "items": [_item(problem, wc, n, a) for n, a in enumerate(ordered, start=1)],
        "unplaced": _not_requested(problem, not_requested) + _unplaced(problem, plan),
        "kept": _kept(problem, wc, booked),
    }


def by_patient(proposal: Doc) -> list[Doc]:
    """Items, unplaced requests and kept appointments grouped by patient, then by day."""
    people: dict[int, Doc] = {}
    for key in ("items", "unplaced", "kept"):
        for entry in proposal.get(key, []):
            person = people.setdefault(
                entry["patient_id"],
                {"patient_id": entry["patient_id"], "name": entry["patient_name"], "days": {}},
            )
            person.setdefault(key, []).append(entry)
            if "day" in entry:
                person["days"].setdefault(entry["day"], []).append({**entry, "section": key})
    for person in people.values():
        person["days"] = dict(sorted(person["days"].items()))
    return sorted(people.values(), key=lambda p: p["name"])


def parse_instant(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def day_label(day: str, zone: str) -> str:
    moment = datetime.fromisoformat(day).replace(tzinfo=ZoneInfo(zone))
    return moment.strftime("%A %b %-d")
