"""Pure rules of the clinical task list: the kinds of task, who sees which, the order they are
shown in and when one is overdue. No database, no web: tested by tables.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from openiop.security.permissions import Role

KINDS = {
    "urgent_safety_follow_up": "Urgent same-day safety follow-up",
    "intake": "Intake",
    "individual_session": "First individual session",
    "physician_visit": "First physician visit",
    "referral_follow_up": "Referral follow-up",
}
URGENT_KINDS = frozenset({"urgent_safety_follow_up"})
PIPELINE_ROLES = frozenset({Role.ADMIN, Role.PROGRAM_DIRECTOR, Role.ADMISSIONS})
CLINICIAN_ROLES = frozenset({Role.COUNSELOR, Role.PHYSICIAN})
TASK_ROLES = PIPELINE_ROLES | CLINICIAN_ROLES
# A referral follow-up is about someone who never became a patient: only the pipeline staff,
# who hold inquiries, see it. Clinicians see the rest, including the urgent safety follow-up
# that they are the ones to do.
_CLINICIAN_KINDS = frozenset(KINDS) - {"referral_follow_up"}


def visible_kinds(role: Role) -> frozenset[str]:
    if role in PIPELINE_ROLES:
        return frozenset(KINDS)
    if role in CLINICIAN_ROLES:
        return _CLINICIAN_KINDS
    return frozenset()


def kind_label(kind: str) -> str:
    return KINDS.get(kind, kind.replace("_", " ").capitalize())


@dataclass(frozen=True)
class TaskFacts:
    id: int
    kind: str
    due: date


def timing(due: date, today: date) -> str:
    """overdue, today or upcoming, in the task's local day."""
    if due < today:
        return "overdue"
    return "today" if due == today else "upcoming"


def order_key(task: TaskFacts, today: date) -> tuple[int, int, date, int]:
    """Urgent first, then overdue, then by due date; the id keeps the order stable."""
    return (
        0 if task.kind in URGENT_KINDS else 1,
        0 if task.due < today else 1,
        task.due,
        task.id,
    )
