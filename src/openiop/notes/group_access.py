"""Who may write and sign a group session's note, and the access each attendee's record needs.

The session's facilitator, one of its track's facilitators, or a program director, at the
session's site; each attendee's record is then authorized one by one (audited)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.orm import Session

from openiop.kit.errors import NotFound
from openiop.models import GroupNote, GroupSession
from openiop.notes import repository, rules
from openiop.security.audit import Actor, AuditEntry
from openiop.security.permissions import Access, Permission, Role
from openiop.security.service import Refused, authorize_patient, require


def load_session(session: Session, group_session_id: int) -> GroupSession:
    group = repository.group_session(session, group_session_id)
    if group is None:
        raise NotFound(f"No group session with id {group_session_id}.")
    return group


def leads(session: Session, actor: Actor, group: GroupSession) -> bool:
    """The session's facilitator, one of its track's facilitators, or a program director,
    at the session's site."""
    principal = actor.principal
    assert principal is not None
    staff = principal.staff_member_id
    leads = staff is not None and (
        group.facilitator_id == staff
        or staff in repository.track_facilitator_ids(session, group.track_id)
    )
    director = principal.role is Role.PROGRAM_DIRECTOR
    return principal.at_location(group.location_id) and (leads or director)


def refused(action: str, group: GroupSession) -> Refused:
    return Refused(
        "Only the session's facilitators (or a program director) write its group note.",
        AuditEntry(action, "refused", object_type="group_session", object_id=group.id),
    )


def authorize_session(session: Session, actor: Actor, group_session_id: int, action: str):  # type: ignore[no-untyped-def]
    require(session, actor, Permission.NOTE_WRITE, action=action)
    group = load_session(session, group_session_id)
    if not leads(session, actor, group):
        raise refused(action, group)
    return group


def access_needed(session: Session, actor: Actor, group: GroupSession) -> Access:
    """What each attendee's record needs for this session's note.

    Whoever leads the session (its facilitator, a stand-in set on it, or one of its track's
    facilitators) writes and reads its note because they led it: the site's limited access to
    each attendee suffices, so the note can still be finished and read after an attendee has
    been discharged or has moved to another track (neither leaves a care team to ask).
    Everyone else (a co-signing supervisor, a director) needs full access to every attendee."""
    principal = actor.principal
    staff = principal.staff_member_id if principal else None
    led = (
        staff is not None
        and principal is not None
        and principal.at_location(group.location_id)
        and (
            staff == group.facilitator_id
            or staff in repository.track_facilitator_ids(session, group.track_id)
        )
    )
    return Access.LIMITED if led else Access.FULL


def authorize_patients(
    session: Session,
    actor: Actor,
    patient_ids: Iterable[int],
    action: str,
    object_id: int,
    need: Access = Access.FULL,
) -> None:
    for patient_id in sorted(set(patient_ids)):
        authorize_patient(
            session,
            actor=actor,
            patient_id=patient_id,
            action=action,
            need=need,
            object_type="group_note",
            object_id=object_id,
        )


def note_state(note: GroupNote) -> rules.NoteState:
    return rules.NoteState(
        patient_id=None,
        author_user_id=note.author_user_id,
        status=note.status,
        cosign_required=note.cosign_required,
        cosigned=note.cosigned_at is not None,
    )
