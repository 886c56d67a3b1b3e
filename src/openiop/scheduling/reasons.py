"""Why an appointment was not placed, in words a coordinator can act on.

Two cases. If no option exists even for the appointment alone, we look at every time an
eligible staff member might see the patient and name what stands in the way at the times that
come closest (the fewest kinds of obstacle): a commitment, the group, the travel buffer, the
staff member's hours, a closure, the rooms. If options exist but all are taken in the final
plan, we name what took them: a booked staff member, a full caseload, a full day, the rooms.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

from openiop.scheduling.candidates import Catalogue, eligible_staff, merged
from openiop.scheduling.problem import (
    DAY,
    DAY_NAMES,
    KINDS,
    Appointment,
    Block,
    Patient,
    Problem,
    Request,
    Unplaced,
    clock,
)

STEP = 30  # minutes between the times looked at: a reason need not be exact to the slot
Blocker = tuple[str, str]  # (family, item named for people)


def _hours(block: Block) -> str:
    day = block.start // DAY
    return f"{clock(block.start - day * DAY)}–{clock(block.end - day * DAY)}"


def _named(block: Block) -> str:
    return f"'{block.label}' ({_hours(block)})" if block.label else f"({_hours(block)})"


def _site_hours(problem: Problem) -> list[tuple[int, int]]:
    return merged([(b.start, b.end) for s in problem.staff for b in s.hours])


def _patient_blockers(problem: Problem, patient: Patient, start: int, end: int, in_person: bool):
    pad = problem.settings.travel_buffer_minutes if in_person else 0
    track = problem.track_by_id.get(patient.track or "")
    for b in track.sessions if track else ():
        if b.overlaps(start, end):
            yield ("group", f"the patient's group '{track.name}'")
    for c in patient.commitments:
        if c.overlaps(start, end):
            yield ("commitment", f"the commitment {_named(c)}")
        elif pad and c.overlaps(start - pad, end + pad):
            yield ("travel", f"the {pad}-minute travel buffer around {_named(c)}")


def _staff_blockers(problem: Problem, staff, start: int, end: int):
    if not any(b.start <= start and end <= b.end for b in staff.hours):
        yield ("staff_hours", f"the working hours of {staff.name}")
    for track in problem.tracks:
        if staff.id in track.facilitators and any(b.overlaps(start, end) for b in track.sessions):
            yield ("staff_group", f"{staff.name} leading '{track.name}'")
    for c in problem.closures:
        if c.overlaps(start, end):
            label = f" '{c.label}'" if c.label else ""
            yield ("closure", f"the closure{label} on {DAY_NAMES[c.start // DAY]}")


def _mode_blockers(cat: Catalogue, patient: Patient, kind: str, start: int, end: int):
    """(telehealth?, blockers) for each way of meeting: each room class that fits, and video."""
    rule = KINDS[kind]
    modes: list[tuple[bool, list[Blocker]]] = []
    for rc in cat.room_classes:
        if rc.hosts(kind):
            taken = any(s < end and start < e for s, e in rc.blocked)
            names = ", ".join(cat.problem.room_by_id[r].name for r in rc.rooms)
            modes.append((False, [("room", f"{names} taken by a group")] if taken else []))
    if not modes:
        need = f"no room can hold a {rule.label.lower()} for {rule.headcount}"
        modes.append((False, [("room", need)]))
    if rule.telehealth:
        refused = [("telehealth", "no telehealth for the patient")]
        modes.append((True, [] if patient.telehealth_ok else refused))
    return modes


def _alone(cat: Catalogue, request: Request) -> Unplaced:
    problem, kind = cat.problem, KINDS[request.kind]
    patient = problem.patient_by_id[request.patient]
    title = f"{kind.label} ({request.minutes} min) fits nowhere this week, even on its own"
    staff = eligible_staff(problem, patient, request.kind)
    if not any(s.hours for s, _ in staff):
        roles = " or ".join(r.replace("_", " ") for r in sorted(kind.roles))
        text = f"{title}: no {roles} who may see this patient works at this location this week"
        return Unplaced(request.id, patient.id, request.kind, (text,), ("staff_hours",))
    seen: list[set[Blocker]] = []
    for s, _other in staff:
        for lo, hi in _site_hours(problem):
            for t in range(-(-lo // STEP) * STEP, hi - request.minutes + 1, STEP):
                end = t + request.minutes
                common = set(_staff_blockers(problem, s, t, end))
                for tele, mode in _mode_blockers(cat, patient, request.kind, t, end):
                    found = common | set(mode)
                    found |= set(_patient_blockers(problem, patient, t, end, not tele))
                    seen.append(found)
    return _summarise(request, patient, title, seen, _stand_in_note(problem, patient, request))


def _stand_in_note(problem: Problem, patient: Patient, request: Request) -> list[str]:
    if patient.other_counselor_allowed or not KINDS[request.kind].with_counselor:
        return []
    relaxed = replace(patient, other_counselor_allowed=True)
    if len(eligible_staff(problem, relaxed, request.kind)) > 1:
        return ["Another counselor could be tried, but this patient's plan does not allow one."]
    return []


def _summarise(
    request: Request, patient: Patient, title: str, seen: list[set[Blocker]], notes: list[str]
) -> Unplaced:
    fewest = min((len({f for f, _ in s}) for s in seen if s), default=0)
    near = [s for s in seen if len({f for f, _ in s}) == fewest]
    counts = Counter(item for s in near for _, item in s)
    families = sorted({f for s in near for f, _ in s})
    items = [item for item, _ in counts.most_common(6)]
    text = f"{title}; in the way at the times closest to fitting: " + "; ".join(items) + "."
    if not items:
        text = f"{title}."
    return Unplaced(request.id, patient.id, request.kind, (text, *notes), tuple(families))


def _taken(cat: Catalogue, request_index: int, placed: list[Appointment]) -> list[set[Blocker]]:
    problem = cat.problem
    request = cat.requests[request_index]
    patients_of: dict[str, set[str]] = {}
    per_day: Counter = Counter()
    for a in placed:
        patients_of.setdefault(a.staff, set()).add(a.patient)
        per_day[(a.staff, a.start // DAY)] += 1
    by_day: dict[int, list[Appointment]] = {}
    for a in placed:
        by_day.setdefault(a.start // DAY, []).append(a)
    seen: list[set[Blocker]] = []
    for o in cat.options[request_index]:
        staff = problem.staff_by_id[o.staff]
        same_day = by_day.get(o.start // DAY, [])
        clash = [a for a in same_day if a.start < o.end and o.start < a.end]
        found: set[Blocker] = set()
        if any(a.staff == o.staff for a in clash):
            found.add(("staff_booked", f"{staff.name} is booked"))
        if any(a.patient == request.patient for a in clash):
            found.add(("patient_booked", "the patient's other appointments"))
        if not o.telehealth:
            rooms = [r for rc in cat.classes_for[request_index] for r in cat.room_classes[rc].rooms]
            used = {a.room for a in clash}
            blocked = {
                r
                for rc in cat.classes_for[request_index]
                for r in cat.room_classes[rc].rooms
                if any(s < o.end and o.start < e for s, e in cat.room_classes[rc].blocked)
            }
            if all(r in used or r in blocked for r in rooms):
                names = ", ".join(problem.room_by_id[r].name for r in rooms)
                found.add(("room_taken", f"{names} in use"))
        cap, load = staff.caseload_cap, patients_of.get(o.staff, set())
        if cap is not None and request.patient not in load and len(load) >= cap:
            found.add(("caseload_cap", f"{staff.name}'s caseload cap of {cap} is reached"))
        day = o.start // DAY
        if staff.max_per_day is not None and per_day[(o.staff, day)] >= staff.max_per_day:
            found.add(("daily_cap", f"{staff.name}'s {DAY_NAMES[day]} is full"))
        seen.append(found)
    return seen


def _competed(
    cat: Catalogue, index: int, placed: list[Appointment], stopped_early: bool
) -> Unplaced:
    request = cat.requests[index]
    kind = KINDS[request.kind]
    patient = cat.problem.patient_by_id[request.patient]
    seen = _taken(cat, index, placed)
    title = f"{kind.label}: all {len(seen)} times that fit on their own are taken"
    notes = []
    if stopped_early:
        notes.append("The solver stopped at its time limit; a longer run might place it.")
    return _summarise(request, patient, title, seen, notes)


def explain_unplaced(
    cat: Catalogue, placed: list[Appointment], *, stopped_early: bool
) -> list[Unplaced]:
    done = {a.request for a in placed}
    out = []
    for index, request in enumerate(cat.requests):
        if request.id in done:
            continue
        if cat.options[index]:
            out.append(_competed(cat, index, placed, stopped_early))
        else:
            out.append(_alone(cat, request))
    return out
