"""This week's requirements for one patient, planned and done: pure, no I/O.

Reads the program policy (attendance.compliance.ProgramPolicy): group days a week, weekly
individual sessions of at least the policy's minutes, weekly physician visits. "Planned"
counts what is on the calendar and not cancelled; "done" counts what was held — group days
the patient attended (per the attendance record), appointments completed with enough minutes. The attendance area's
minutes ledger remains the record for billing and compliance; this panel is for planning.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from openiop.attendance.compliance import ProgramPolicy


@dataclass(frozen=True)
class SessionFact:
    day: date
    status: str  # scheduled, held, cancelled
    attended: bool = False  # the patient's attendance was recorded as present, late or left early


@dataclass(frozen=True)
class AppointmentFact:
    kind: str
    status: str
    minutes: int  # booked length
    actual_minutes: int | None = None


@dataclass(frozen=True)
class Requirement:
    code: str  # group_days, individual, physician
    label: str
    needed: int
    planned: int
    done: int

    @property
    def state(self) -> str:
        """met, planned (enough on the calendar, not yet held) or short."""
        if self.done >= self.needed:
            return "met"
        return "planned" if self.planned >= self.needed else "short"

    @property
    def state_label(self) -> str:
        return {"met": "Done", "planned": "Planned", "short": "Not yet planned"}[self.state]


def weekly_requirements(
    policy: ProgramPolicy, sessions: list[SessionFact], appointments: list[AppointmentFact]
) -> list[Requirement]:
    live = [s for s in sessions if s.status != "cancelled"]
    planned_days = {s.day for s in live}
    held_days = {s.day for s in live if s.attended}
    minimum = policy.individual_min_minutes
    individual = [a for a in appointments if a.kind == "individual"]
    physician = [a for a in appointments if a.kind == "physician"]
    return [
        Requirement(
            "group_days",
            "Group days",
            policy.group_days_per_week,
            len(planned_days),
            len(held_days),
        ),
        Requirement(
            "individual",
            f"Individual session (≥ {minimum} min)",
            policy.individual_sessions_per_week,
            sum(1 for a in individual if _booked(a) and a.minutes >= minimum),
            sum(
                1
                for a in individual
                if a.status == "completed" and (a.actual_minutes or 0) >= minimum
            ),
        ),
        Requirement(
            "physician",
            "Physician visit",
            policy.physician_visits_per_week,
            sum(1 for a in physician if _booked(a)),
            sum(1 for a in physician if a.status == "completed"),
        ),
    ]


def _booked(a: AppointmentFact) -> bool:
    return a.status in {"scheduled", "completed"}
