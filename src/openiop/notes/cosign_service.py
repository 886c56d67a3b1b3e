"""The supervisor's queue: notes by supervised authors still waiting for a co-signature.

Only staff with a supervising credential get a queue. Individual notes are listed only for
patients the supervisor has care-team access to, and each patient listed is audited. Group
notes are listed by session (date, track, topic), without attendee names; co-signing one still
needs care-team access to every attendee.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from openiop.models import GroupNote
from openiop.notes import repository, rules
from openiop.security import audit
from openiop.security.audit import Actor, AuditEntry
from openiop.security.permissions import Access, Permission
from openiop.security.service import access_to_patient, require


@dataclass(frozen=True)
class WaitingNote:
    note_id: int
    patient_id: int
    patient_name: str
    title: str
    service_date: date
    author: str


@dataclass(frozen=True)
class CosignQueue:
    may_supervise: bool
    notes: list[WaitingNote]
    groups: list[GroupNote]


def my_queue(session: Session, *, actor: Actor) -> CosignQueue:
    require(session, actor, Permission.NOTE_WRITE, action="note.cosign_queue")
    principal = actor.principal
    assert principal is not None
    credentials = repository.staff_credentials(session, principal.staff_member_id)
    if not rules.may_supervise(credentials):
        return CosignQueue(False, [], [])
    where = {"location_ids": principal.location_ids, "exclude_author": principal.user_id}
    candidates = repository.chart_notes_awaiting_cosign(session, **where)
    mine = [
        n for n in candidates if access_to_patient(session, principal, n.patient_id) >= Access.FULL
    ]
    names = repository.user_names(session, (n.author_user_id for n in mine))
    patients = repository.patients_by_id(session, {n.patient_id for n in mine})
    audit.record_many(
        session,
        actor,
        [
            AuditEntry("note.cosign_queue", patient_id=pid, object_type="patient", object_id=pid)
            for pid in sorted(patients)
        ],
    )
    notes = [
        WaitingNote(
            note_id=n.id,
            patient_id=n.patient_id,
            patient_name=patients[n.patient_id].full_name,
            title=rules.FORMATS[n.format].title,
            service_date=n.service_date,
            author=names.get(n.author_user_id, ""),
        )
        for n in mine
    ]
    return CosignQueue(True, notes, repository.group_notes_awaiting_cosign(session, **where))
