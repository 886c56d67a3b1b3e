"""Who may do what: pure rules, no I/O, tested by tables.

Scope has two layers. Staff see only patients at their own locations (admins see every
location). Within a location, counselors and physicians see full clinical detail only for
patients whose care team they are on; everyone else at the site sees a limited face sheet.
Auditors review the trail, not charts. A patient sees only their own record.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum, StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    PROGRAM_DIRECTOR = "program_director"
    ADMISSIONS = "admissions"
    COUNSELOR = "counselor"
    PHYSICIAN = "physician"
    BILLING = "billing"
    FRONT_DESK = "front_desk"
    AUDITOR = "auditor"
    PATIENT = "patient"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


STAFF_ROLES = frozenset(Role) - {Role.PATIENT}
CLINICAL_ROLES = frozenset({Role.COUNSELOR, Role.PHYSICIAN})


class Access(IntEnum):
    NONE = 0
    LIMITED = 1  # face sheet: identity, contact, site, track, care team
    FULL = 2  # plus clinical detail


class Permission(StrEnum):
    CONFIG_READ = "config.read"
    CONFIG_WRITE = "config.write"
    STAFF_WRITE = "staff.write"
    PATIENT_LIST = "patient.list"
    PATIENT_CREATE = "patient.create"
    PATIENT_UPDATE = "patient.update"
    ENROLLMENT_WRITE = "enrollment.write"
    AUDIT_READ = "audit.read"
    BREAK_GLASS_REVIEW = "break_glass.review"
    USER_MANAGE = "user.manage"
    # Treatment plans, measures, drug screens and discharge; care-team scope still applies.
    CLINICAL_WRITE = "clinical.write"
    NOTE_READ = "note.read"
    NOTE_WRITE = "note.write"
    CALENDAR_READ = "calendar.read"
    CALENDAR_CONFIGURE = "calendar.configure"
    APPOINTMENT_WRITE = "appointment.write"
    ATTENDANCE_RECORD = "attendance.record"
    MINUTES_READ = "minutes.read"
    COMPLIANCE_DASHBOARD = "compliance.dashboard"
    SCHEDULE_PLAN = "schedule.plan"
    TASK_WORK = "task.work"


_R = Role
GRANTS: dict[Permission, frozenset[Role]] = {
    Permission.CONFIG_READ: STAFF_ROLES,
    Permission.CONFIG_WRITE: frozenset({_R.ADMIN, _R.PROGRAM_DIRECTOR}),
    Permission.STAFF_WRITE: frozenset({_R.ADMIN, _R.PROGRAM_DIRECTOR}),
    Permission.PATIENT_LIST: STAFF_ROLES - {_R.AUDITOR},
    Permission.PATIENT_CREATE: frozenset({_R.ADMIN, _R.PROGRAM_DIRECTOR, _R.ADMISSIONS}),
    Permission.PATIENT_UPDATE: frozenset(
        {_R.ADMIN, _R.PROGRAM_DIRECTOR, _R.ADMISSIONS, _R.FRONT_DESK}
    ),
    Permission.ENROLLMENT_WRITE: frozenset({_R.ADMIN, _R.PROGRAM_DIRECTOR, _R.ADMISSIONS}),
    Permission.AUDIT_READ: frozenset({_R.ADMIN, _R.AUDITOR}),
    Permission.BREAK_GLASS_REVIEW: frozenset({_R.ADMIN, _R.AUDITOR, _R.PROGRAM_DIRECTOR}),
    Permission.USER_MANAGE: frozenset({_R.ADMIN}),
    Permission.CLINICAL_WRITE: frozenset({_R.COUNSELOR, _R.PHYSICIAN, _R.PROGRAM_DIRECTOR}),
    # Clinical notes: clinicians and directors; each note also needs FULL patient access.
    Permission.NOTE_READ: frozenset({_R.PROGRAM_DIRECTOR, _R.COUNSELOR, _R.PHYSICIAN}),
    Permission.NOTE_WRITE: frozenset({_R.PROGRAM_DIRECTOR, _R.COUNSELOR, _R.PHYSICIAN}),
    # The calendar: billing reads it (what was held), auditors review the trail instead.
    Permission.CALENDAR_READ: STAFF_ROLES - {_R.AUDITOR},
    Permission.CALENDAR_CONFIGURE: frozenset({_R.ADMIN, _R.PROGRAM_DIRECTOR}),
    Permission.APPOINTMENT_WRITE: frozenset(
        {_R.ADMIN, _R.PROGRAM_DIRECTOR, _R.COUNSELOR, _R.PHYSICIAN, _R.FRONT_DESK, _R.ADMISSIONS}
    ),
    # Attendance: facilitators and the care team record it at their sites (the service
    # checks the session or the patient); billing reads the minutes ledger; directors watch
    # the location's compliance.
    Permission.ATTENDANCE_RECORD: frozenset(
        {_R.ADMIN, _R.PROGRAM_DIRECTOR, _R.COUNSELOR, _R.PHYSICIAN}
    ),
    Permission.MINUTES_READ: frozenset(
        {_R.ADMIN, _R.PROGRAM_DIRECTOR, _R.COUNSELOR, _R.PHYSICIAN, _R.BILLING}
    ),
    Permission.COMPLIANCE_DASHBOARD: frozenset({_R.ADMIN, _R.PROGRAM_DIRECTOR}),
    # "Plan next week": directors and coordinators (the admissions role) run the weekly solver
    # for their sites and accept its proposal; others book by hand (APPOINTMENT_WRITE).
    Permission.SCHEDULE_PLAN: frozenset({_R.ADMIN, _R.PROGRAM_DIRECTOR, _R.ADMISSIONS}),
    # The admissions task list and worklist: those who do intakes, first sessions, physician
    # visits, safety follow-ups and referral follow-ups.
    Permission.TASK_WORK: frozenset(
        {_R.ADMIN, _R.PROGRAM_DIRECTOR, _R.ADMISSIONS, _R.COUNSELOR, _R.PHYSICIAN}
    ),
}


@dataclass(frozen=True)
class Principal:
    """Who is acting. `location_ids` None means every location (organization-wide admin)."""

    user_id: int
    email: str
    role: Role
    staff_member_id: int | None = None
    patient_id: int | None = None
    location_ids: frozenset[int] | None = field(default_factory=frozenset)

    def at_location(self, location_id: int) -> bool:
        return self.location_ids is None or location_id in self.location_ids


@dataclass(frozen=True)
class PatientScope:
    """What the rules need to know about a patient: where they are seen and by whom."""

    patient_id: int
    location_ids: frozenset[int]
    care_team_staff_ids: frozenset[int]


def can(principal: Principal, permission: Permission) -> bool:
    return principal.role in GRANTS[permission]


def patient_access(principal: Principal, scope: PatientScope) -> Access:
    if principal.role is Role.PATIENT:
        return Access.FULL if principal.patient_id == scope.patient_id else Access.NONE
    if principal.role is Role.AUDITOR:
        return Access.NONE
    if not _shares_location(principal, scope):
        return Access.NONE
    if principal.role is Role.PROGRAM_DIRECTOR:
        return Access.FULL
    if principal.role in CLINICAL_ROLES:
        on_team = principal.staff_member_id in scope.care_team_staff_ids
        return Access.FULL if on_team else Access.LIMITED
    return Access.LIMITED


def may_break_glass(principal: Principal) -> bool:
    """Any staff member but an auditor may open a record outside their scope in an emergency,
    with a typed reason; every such opening is listed for review."""
    return principal.role in STAFF_ROLES - {Role.AUDITOR}


def _shares_location(principal: Principal, scope: PatientScope) -> bool:
    if principal.location_ids is None:
        return True
    return bool(principal.location_ids & scope.location_ids)
