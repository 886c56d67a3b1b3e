"""An independent check of a plan against every hard rule of its week.

Written apart from the solver on purpose: it reads the Problem's raw fields and does its own
arithmetic, sharing no code with candidates, model, greedy or solver, so that a mistake in
one is not repeated in the other. Tests and the benchmark call it on every plan.
"""

from __future__ import annotations

from dataclasses import dataclass

from openiop.scheduling.problem import KINDS, Appointment, Plan, Problem

_DAY = 24 * 60


@dataclass(frozen=True)
class Violation:
    rule: str  # a short code: overlap_staff, outside_hours, wrong_room, ...
    message: str


def _clash(a_start: int, a_end: int, b_start: int, b_end: int) -> bool:
    return a_start < b_end and b_start < a_end


def _when(minute: int) -> str:
    day = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")[minute // _DAY]
    return f"{day} {minute % _DAY // 60:02d}:{minute % 60:02d}"


def _who(a: Appointment) -> str:
    return f"{a.kind} of {a.patient} at {_when(a.start)}"


def _requests(problem: Problem) -> dict[str, tuple[str, str, int]]:
    """request id -> (patient, kind, minutes), rebuilt from the patients' needs."""
    out: dict[str, tuple[str, str, int]] = {}
    for p in problem.patients:
        if not p.active:
            continue
        count: dict[str, int] = {}
        for kind in p.needs:
            count[kind] = count.get(kind, 0) + 1
            suffix = f"/{count[kind]}" if count[kind] > 1 else ""
            minutes = dict(problem.settings.minutes).get(kind, KINDS[kind].minutes)
            out[f"{p.id}/{kind}{suffix}"] = (p.id, kind, minutes)
    return out


def _coverage(problem: Problem, plan: Plan) -> list[Violation]:
    wanted = _requests(problem)
    out = []
    seen: dict[str, int] = {}
    for rid in [a.request for a in plan.appointments] + [u.request for u in plan.unplaced]:
        seen[rid] = seen.get(rid, 0) + 1
    for rid in wanted:
        if rid not in seen:
            out.append(Violation("dropped", f"{rid} is neither placed nor reported unplaced"))
        elif seen[rid] > 1:
            out.append(Violation("duplicate", f"{rid} appears {seen[rid]} times"))
    for rid in seen.keys() - wanted.keys():
        out.append(Violation("unknown_request", f"{rid} is not needed by any active patient"))
    for u in plan.unplaced:
        if not u.reasons:
            out.append(Violation("no_reason", f"{u.request} is unplaced without a reason"))
    return out


def _shape(problem: Problem, a: Appointment, wanted: dict) -> list[Violation]:
    out = []
    patient = next((p for p in problem.patients if p.id == a.patient), None)
    staff = next((s for s in problem.staff if s.id == a.staff), None)
    if patient is None or staff is None or a.request not in wanted:
        return [Violation("unknown_item", f"{_who(a)}: unknown patient, staff or request")]
    if wanted[a.request][:2] != (a.patient, a.kind):
        out.append(Violation("wrong_request", f"{_who(a)} does not match {a.request}"))
    if a.end - a.start < wanted[a.request][2] or a.start // _DAY != (a.end - 1) // _DAY:
        out.append(Violation("wrong_length", f"{_who(a)} is too short or crosses midnight"))
    rule = KINDS[a.kind]
    if staff.role not in rule.roles:
        out.append(Violation("wrong_staff", f"{_who(a)}: a {staff.role} cannot hold it"))
    if rule.with_counselor:
        out.extend(_counselor_rule(patient, staff.id, a))
    if a.room is None and not (rule.telehealth and patient.telehealth_ok):
        out.append(Violation("telehealth", f"{_who(a)} is by telehealth, which is not allowed"))
    return out


def _counselor_rule(patient, staff_id: str, a: Appointment) -> list[Violation]:
    primary = staff_id == patient.primary_counselor
    if a.other_counselor == primary:
        return [Violation("other_counselor_mark", f"{_who(a)} is marked wrongly as a stand-in")]
    allowed = patient.qualified_counselors
    if not primary and (
        not patient.other_counselor_allowed or (allowed is not None and staff_id not in allowed)
    ):
        return [Violation("other_counselor", f"{_who(a)}: {staff_id} may not stand in")]
    return []


def _staff_rules(problem: Problem, a: Appointment) -> list[Violation]:
    staff = next(s for s in problem.staff if s.id == a.staff)
    out = []
    if not any(b.start <= a.start and a.end <= b.end for b in staff.hours):
        out.append(Violation("outside_hours", f"{_who(a)} is outside {staff.id}'s hours"))
    for t in problem.tracks:
        if staff.id in t.facilitators and any(
            _clash(a.start, a.end, b.start, b.end) for b in t.sessions
        ):
            out.append(Violation("staff_in_group", f"{_who(a)}: {staff.id} leads {t.id} then"))
    for c in problem.closures:
        if _clash(a.start, a.end, c.start, c.end):
            out.append(Violation("closure", f"{_who(a)} falls in a closure"))
    return out


def _patient_rules(problem: Problem, a: Appointment) -> list[Violation]:
    patient = next(p for p in problem.patients if p.id == a.patient)
    pad = 0 if a.room is None else problem.settings.travel_buffer_minutes
    out = []
    track = next((t for t in problem.tracks if t.id == patient.track), None)
    for b in track.sessions if track else ():
        if _clash(a.start, a.end, b.start, b.end):
            out.append(Violation("overlap_group", f"{_who(a)} overlaps the patient's group"))
    for c in patient.commitments:
        if _clash(a.start, a.end, c.start, c.end):
            out.append(Violation("overlap_commitment", f"{_who(a)} overlaps '{c.label}'"))
        elif _clash(a.start - pad, a.end + pad, c.start, c.end):
            out.append(
                Violation("travel_buffer", f"{_who(a)} leaves no travel time around '{c.label}'")
            )
    return out


def _room_rules(problem: Problem, a: Appointment) -> list[Violation]:
    if a.room is None:
        return []
    room = next((r for r in problem.rooms if r.id == a.room), None)
    if room is None:
        return [Violation("wrong_room", f"{_who(a)}: no room '{a.room}' here")]
    out = []
    if a.kind not in room.kinds:
        out.append(Violation("wrong_room", f"{_who(a)}: {room.id} does not host {a.kind}"))
    if room.capacity < KINDS[a.kind].headcount:
        out.append(Violation("room_capacity", f"{_who(a)}: {room.id} is too small"))
    for t in problem.tracks:
        if t.room == room.id and any(_clash(a.start, a.end, b.start, b.end) for b in t.sessions):
            out.append(Violation("room_in_use", f"{_who(a)}: {room.id} holds group {t.id} then"))
    return out


def _pairs(appointments: tuple[Appointment, ...]) -> list[Violation]:
    out = []
    ordered = sorted(appointments, key=lambda a: a.start)
    for i, a in enumerate(ordered):
        for b in ordered[i + 1 :]:
            if b.start >= a.end:
                break
            for attr, rule in (("staff", "overlap_staff"), ("patient", "overlap_patient")):
                if getattr(a, attr) == getattr(b, attr):
                    out.append(Violation(rule, f"{_who(a)} overlaps {_who(b)}"))
            if a.room is not None and a.room == b.room:
                out.append(Violation("overlap_room", f"{_who(a)} and {_who(b)} share {a.room}"))
    return out


def _caps(problem: Problem, appointments: tuple[Appointment, ...]) -> list[Violation]:
    out = []
    for s in problem.staff:
        mine = [a for a in appointments if a.staff == s.id]
        if s.caseload_cap is not None and len({a.patient for a in mine}) > s.caseload_cap:
            out.append(
                Violation("caseload_cap", f"{s.id} sees more than {s.caseload_cap} patients")
            )
        days: dict[int, int] = {}
        for a in mine:
            days[a.start // _DAY] = days.get(a.start // _DAY, 0) + 1
        if s.max_per_day is not None and any(n > s.max_per_day for n in days.values()):
            out.append(Violation("daily_cap", f"{s.id} has more than {s.max_per_day} on a day"))
    return out


def check_plan(problem: Problem, plan: Plan) -> list[Violation]:
    """Every hard rule the plan breaks; an empty list means the plan is valid."""
    wanted = _requests(problem)
    out = _coverage(problem, plan)
    for a in plan.appointments:
        shape = _shape(problem, a, wanted)
        out.extend(shape)
        if any(v.rule == "unknown_item" for v in shape):
            continue
        out += _staff_rules(problem, a) + _patient_rules(problem, a) + _room_rules(problem, a)
    return out + _pairs(plan.appointments) + _caps(problem, plan.appointments)
