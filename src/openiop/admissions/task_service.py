"""Use cases of the clinical task list (/admissions/tasks): open tasks at the actor's sites,
urgent first and overdue flagged, marking one done, and the clinicians' worklist of inquiries
waiting for an assessment. Keyword-only; never commits.

Who: the people who do the tasks (task_rules.TASK_ROLES: administrators, program directors,
admissions, counselors, physicians), at their own sites; a task with no site is everyone's.
Clinicians do not see referral follow-ups (they are about people who never became patients).
Billing, front desk, auditors and patients are refused. Each patient named on the list is an
audited disclosure, as on the patient list.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from openiop.admissions import task_repository as repo
from openiop.admissions import task_rules as rules
from openiop.kit import clock
from openiop.kit.errors import Conflict, NotFound
from openiop.models import ClinicalTask, Inquiry
from openiop.security import audit
from openiop.security.audit import Actor, AuditEntry
from openiop.security.permissions import Principal
from openiop.security.service import Refused

DONE_WINDOW = timedelta(days=7)  # "recently done" shows a week of who did what


@dataclass(frozen=True)
class TaskRow:
    task: ClinicalTask
    label: str
    about: str
    link: str | None
    assignee: str | None
    timing: str
    urgent: bool
    today: date  # the local day at the task's site, against which it is overdue or not
    done_by: str | None = None


@dataclass
class TaskList:
    open: list[TaskRow]
    done: list[TaskRow]
    awaiting: list[Inquiry]
    mine: bool


def _principal(actor: Actor, action: str) -> Principal:
    principal = actor.principal
    if principal is None or principal.role not in rules.TASK_ROLES:
        raise Refused(
            "Your role does not work on clinical tasks.",
            AuditEntry(action, "refused", detail="needs a clinical or admissions role"),
        )
    return principal


def task_list(session: Session, *, actor: Actor, default_zone: str, mine: bool) -> TaskList:
    principal = _principal(actor, "task.list")
    kinds = rules.visible_kinds(principal.role)
    scope = principal.location_ids
    open_rows = repo.open_tasks(session, scope, kinds)
    if mine:
        open_rows = [t for t in open_rows if t.assigned_staff_id == principal.staff_member_id]
    done_rows = repo.done_since(session, scope, kinds, clock.now() - DONE_WINDOW)
    rows = _rows(session, open_rows + done_rows, principal, default_zone)
    shown = sorted(rows[: len(open_rows)], key=lambda r: rules.order_key(_facts(r.task), r.today))
    awaiting = repo.awaiting_assessment(session, scope)
    _audit_list(session, actor, open_rows + done_rows, awaiting)
    return TaskList(shown, rows[len(open_rows) :], awaiting, mine)


def _facts(task: ClinicalTask) -> rules.TaskFacts:
    return rules.TaskFacts(task.id, task.kind, task.due_date)


def _rows(
    session: Session, tasks: list[ClinicalTask], principal: Principal, default_zone: str
) -> list[TaskRow]:
    patients = repo.patient_names(session, {t.patient_id for t in tasks if t.patient_id})
    inquiries = repo.inquiry_names(session, {t.inquiry_id for t in tasks if t.inquiry_id})
    staff = repo.staff_names(session, {t.assigned_staff_id for t in tasks if t.assigned_staff_id})
    users = repo.user_names(session, {t.done_by_user_id for t in tasks if t.done_by_user_id})
    zones = repo.zones(session)
    pipeline = principal.role in rules.PIPELINE_ROLES
    found = []
    for t in tasks:
        today = clock.today_in(zones.get(t.location_id or 0, default_zone))
        found.append(
            TaskRow(
                task=t,
                label=t.title or rules.kind_label(t.kind),
                about=patients.get(t.patient_id or 0) or inquiries.get(t.inquiry_id or 0, "—"),
                link=_link(t, pipeline),
                assignee=staff.get(t.assigned_staff_id or 0),
                timing=rules.timing(t.due_date, today),
                urgent=t.kind in rules.URGENT_KINDS,
                today=today,
                done_by=users.get(t.done_by_user_id or 0),
            )
        )
    return found


def _link(task: ClinicalTask, pipeline: bool) -> str | None:
    if task.patient_id:
        return f"/patients/{task.patient_id}"
    if task.kind == "urgent_safety_follow_up" and task.inquiry_id:
        return f"/admissions/inquiries/{task.inquiry_id}/assessment"
    if pipeline and task.inquiry_id:
        return f"/admissions/inquiries/{task.inquiry_id}"
    return None


def _audit_list(
    session: Session, actor: Actor, tasks: list[ClinicalTask], awaiting: list[Inquiry]
) -> None:
    # One event per patient named, so "who saw my record" finds the task list too.
    detail = f"tasks={len(tasks)}; awaiting_assessment={len(awaiting)}"
    audit.record(session, actor, AuditEntry("task.list", detail=detail))
    patient_ids = sorted({t.patient_id for t in tasks if t.patient_id})
    audit.record_many(
        session,
        actor,
        (
            AuditEntry("task.list", patient_id=pid, object_type="patient", object_id=pid)
            for pid in patient_ids
        ),
    )


def mark_done(session: Session, *, actor: Actor, task_id: int, version: int | None) -> ClinicalTask:
    principal = _principal(actor, "task.done")
    row = repo.task(session, task_id)
    if row is None:
        raise NotFound(f"No task with id {task_id}.")
    where = row.location_id
    if row.kind not in rules.visible_kinds(principal.role) or (
        where is not None and not principal.at_location(where)
    ):
        raise Refused(
            "This task is not one of yours to close.",
            AuditEntry("task.done", "refused", patient_id=row.patient_id,
                       object_type="clinical_task", object_id=row.id,
                       detail=f"kind={row.kind}; location={where}"),
        )  # fmt: skip
    if row.status != "open":
        raise Conflict("This task is already done.")
    if version != row.version:
        raise Conflict("This task was changed by someone else since you opened the list.")
    row.status, row.done_by_user_id, row.done_at = "done", principal.user_id, clock.now()
    try:
        session.flush()
    except StaleDataError:
        raise Conflict("This task was changed by someone else while you were saving.") from None
    audit.record(
        session,
        actor,
        AuditEntry("task.done", patient_id=row.patient_id, object_type="clinical_task",
                   object_id=row.id, detail=f"kind={row.kind}"),
    )  # fmt: skip
    return row
