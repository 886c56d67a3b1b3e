"""Group notes: written once per group session, with a short individualized part per attendee.

The shared part (topic, content, interventions) is stored once; each attendee's part is a
chart note of format "group" in that patient's chart. Signing signs every part together, each
with its own hash over the shared part and that patient's part only.

Who may write: Permission.NOTE_WRITE, at the session's site, and the session's facilitator or
one of its track's facilitators (or a program director). Each attendee's record is then
authorized (LIMITED for whoever led the session, FULL otherwise; see
group_access.access_needed) and audited one by one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from openiop.config import Settings
from openiop.kit import clock
from openiop.kit.errors import Conflict, NotFound, ValidationFailed
from openiop.models import ClinicalNote, GroupNote, GroupSession, Patient
from openiop.notes import group_access, group_objectives, repository, rules, views
from openiop.notes.schemas import GroupNoteView, GroupPartIO
from openiop.notes.service import CHANGED_ELSEWHERE, mark_signed
from openiop.security.audit import Actor
from openiop.security.permissions import Access, Permission, Role
from openiop.security.service import require

PART = rules.FORMATS["group"]
RECENT_DAYS = 14


ATTENDED = {"present", "late", "left_early"}  # attendance statuses that count as there


@dataclass
class RosterRow:
    patient_id: int
    name: str
    attended: bool
    part: dict[str, str] = field(default_factory=dict)
    attendance: str | None = None  # as recorded by attendance, if it was
    # This attendee's own active-plan objectives (id, statement); None: no plan yet.
    objectives: list[tuple[int, str]] | None = None
    objective_ids: list[int] = field(default_factory=list)  # the ones their part links
    addressed: list[tuple[int, str]] = field(default_factory=list)  # signed: linked ones' text


@dataclass
class GroupForm:
    group: GroupSession
    note: GroupNote | None
    shared: dict[str, str]
    rows: list[RosterRow]
    may_edit: bool = True
    zone: str | None = None  # the site's time zone, for the session's local times


@dataclass(frozen=True)
class SessionLine:
    group: GroupSession
    note: GroupNote | None


# ---- reading ----------------------------------------------------------------------------


def my_sessions(session: Session, *, actor: Actor, today: date) -> list[SessionLine]:
    """The last two weeks of sessions the actor leads (a director: every session at their
    sites), newest first, with the state of each one's note."""
    require(session, actor, Permission.NOTE_WRITE, action="note.group.sessions")
    principal = actor.principal
    assert principal is not None
    director = principal.role is Role.PROGRAM_DIRECTOR
    rows = repository.facilitated_sessions(
        session,
        staff_member_id=None if director else principal.staff_member_id or -1,
        location_ids=principal.location_ids,
        since=today - timedelta(days=RECENT_DAYS),
        until=today,
    )
    return [SessionLine(group, note) for group, note in rows]


def group_form(session: Session, *, actor: Actor, group_session_id: int) -> GroupForm:
    """The whole note with the roster, for its facilitators; read-only for others (such as a
    supervisor who co-signs) who are on the care team of every attendee in it."""
    require(session, actor, Permission.NOTE_READ, action="note.group.read")
    group = group_access.load_session(session, group_session_id)
    note = repository.group_note_for_session(session, group.id)
    leads = group_access.leads(session, actor, group)
    if not leads and (note is None or not note.parts):
        raise group_access.refused("note.group.read", group)
    roster = repository.roster(session, group) if leads else []
    parts = {p.patient_id: p for p in note.parts} if note else {}
    extra = repository.patients_by_id(session, set(parts) - {p.id for p in roster})
    everyone: list[Patient] = roster + sorted(extra.values(), key=lambda p: p.last_name)
    need = group_access.access_needed(session, actor, group) if leads else Access.FULL
    group_access.authorize_patients(
        session, actor, (p.id for p in everyone), "note.group.read", group.id, need
    )
    recorded = repository.attendance_statuses(session, group.id)
    signed = note is not None and note.status == rules.SIGNED
    objectives = group_objectives.for_roster(
        session, (p.id for p in everyone), parts.values(), signed=signed
    )
    rows = [
        RosterRow(
            patient_id=p.id,
            name=f"{p.last_name}, {p.first_name}",
            # Before the note exists, whoever attendance marked as there is ticked.
            attended=p.id in parts if note else recorded.get(p.id) in ATTENDED,
            part={k: str(v) for k, v in parts[p.id].body.items()} if p.id in parts else {},
            attendance=recorded.get(p.id),
            objectives=objectives.offered.get(p.id),
            objective_ids=objectives.linked.get(p.id, []),
            addressed=objectives.addressed.get(p.id, []),
        )
        for p in everyone
    ]
    shared = {s.key: getattr(note, s.key) for s in rules.GROUP_SHARED} if note else {}
    zone = repository.location_time_zone(session, group.location_id)
    return GroupForm(group, note, shared or {"topic": group.topic}, rows, may_edit=leads, zone=zone)


def group_view(session: Session, *, actor: Actor, group_session_id: int) -> GroupNoteView:
    """The facilitator's view of the whole note, for the API (same checks as the form)."""
    form = group_form(session, actor=actor, group_session_id=group_session_id)
    note = form.note
    if note is None:
        raise NotFound("This session has no group note yet.")
    people = [note.signed_by_user_id, note.cosigned_by_user_id]
    return GroupNoteView(
        id=note.id,
        group_session_id=form.group.id,
        session_date=form.group.session_date,
        status=note.status,
        topic=note.topic,
        content=note.content,
        interventions=note.interventions,
        parts=[
            GroupPartIO(patient_id=r.patient_id, objective_ids=r.objective_ids, **r.part)
            for r in form.rows
            if r.attended
        ],
        signature=views.signature(note, repository.user_names(session, people)),
        version=note.version,
    )


# ---- writing ----------------------------------------------------------------------------


def save_group_note(
    session: Session,
    *,
    actor: Actor,
    group_session_id: int,
    version: int | None,
    shared: Mapping[str, object],
    parts: Mapping[int, Mapping[str, object]],
    strict: bool = True,
) -> GroupNote:
    """Create or update the draft: shared part, and one part per attendee in `parts`.
    Attendees left out lose their (draft) part. Everything is checked before anything
    changes. Each part may carry `objective_ids`: objectives of that attendee's own active
    plan only. Strict: an existing note must be saved with the version that was read."""
    group = group_access.authorize_session(session, actor, group_session_id, "note.group.write")
    note = repository.group_note_for_session(session, group.id)
    if note is not None:
        rules.check_editable(group_access.note_state(note), _user(actor))
        # Not strict: the author's own Save button, which wins over their own autosave.
        if strict and note.version != version:
            raise Conflict(CHANGED_ELSEWHERE)
    existing = {p.patient_id: p for p in note.parts} if note else {}
    allowed = {p.id for p in repository.roster(session, group)} | set(existing)
    if set(parts) - allowed:
        raise ValidationFailed(
            "Someone in the note is not on this group's roster.",
            field_errors={"attended": "Choose attendees from the group's roster."},
        )
    group_access.authorize_patients(
        session,
        actor,
        set(parts) | set(existing),
        "note.group.write",
        group.id,
        group_access.access_needed(session, actor, group),
    )
    links, link_problems = group_objectives.chosen(session, parts)
    shared_body, bodies = _validated(shared, parts, link_problems)
    if note is not None and _content(session, note, existing) != (shared_body, bodies, links):
        # Only the shared text lives in this row, so a change to the parts or their links
        # alone would keep the version and a stale tab's save would silently undo it. Set by
        # hand, the new version still goes out as UPDATE ... WHERE version = <the one read>.
        note.version += 1
    note = note or _new_note(session, actor, group)
    for key, text in shared_body.items():
        setattr(note, key, text)
    _sync_parts(session, note, group, existing, bodies)
    try:
        session.flush()
    except (StaleDataError, IntegrityError):  # IntegrityError: two first saves at once
        raise Conflict(CHANGED_ELSEWHERE) from None
    removed = [p for pid, p in existing.items() if pid not in bodies]
    group_objectives.save_links(session, note.parts, removed, links)
    return note


def _content(
    session: Session, note: GroupNote, existing: dict[int, ClinicalNote]
) -> tuple[dict[str, str], dict[int, dict[str, Any]], dict[int, list[int]]]:
    """What a save may change, in the shape `_validated` and `chosen` return it."""
    linked = group_objectives.linked(session, existing.values())
    bodies = {pid: dict(part.body) for pid, part in existing.items()}
    return _shared(note), bodies, {pid: linked.get(pid, []) for pid in existing}


def _user(actor: Actor) -> int:
    assert actor.principal is not None
    return actor.principal.user_id


def _validated(
    shared: Mapping[str, object],
    parts: Mapping[int, Mapping[str, object]],
    link_problems: Mapping[str, str],
) -> tuple[dict[str, str], dict[int, dict[str, str]]]:
    shared_body, problems = rules.clean_sections(rules.GROUP_SHARED, shared)
    problems.update(link_problems)
    bodies: dict[int, dict[str, str]] = {}
    for patient_id, values in parts.items():
        body, part_problems = rules.clean_sections(PART.sections, values)
        problems.update({f"p{patient_id}-{k}": v for k, v in part_problems.items()})
        bodies[patient_id] = body
    if len(shared_body["topic"]) > 120:
        problems["topic"] = "Topic is too long (at most 120 characters)."
    if problems:
        raise ValidationFailed("Some fields need attention.", field_errors=problems)
    return shared_body, bodies


def _new_note(session: Session, actor: Actor, group: GroupSession) -> GroupNote:
    principal = actor.principal
    assert principal is not None
    note = GroupNote(
        group_session_id=group.id,
        author_user_id=principal.user_id,
        author_staff_id=principal.staff_member_id,
        status=rules.DRAFT,
        parts=[],
    )
    session.add(note)
    return note


def _sync_parts(
    session: Session,
    note: GroupNote,
    group: GroupSession,
    existing: dict[int, ClinicalNote],
    bodies: dict[int, dict[str, str]],
) -> None:
    for patient_id, part in existing.items():
        if patient_id not in bodies:
            note.parts.remove(part)
            session.delete(part)
    for patient_id, body in bodies.items():
        part = existing.get(patient_id)
        if part is None:
            part = ClinicalNote(
                patient_id=patient_id,
                kind=PART.kind,
                format=PART.code,
                service_date=group.session_date,
                service_at=group.ends_at,
                author_user_id=note.author_user_id,
                author_staff_id=note.author_staff_id,
                status=rules.DRAFT,
            )
            note.parts.append(part)
        part.body = body


# ---- signing ----------------------------------------------------------------------------


def _existing_note(session: Session, group: GroupSession) -> GroupNote:
    note = repository.group_note_for_session(session, group.id)
    if note is None:
        raise ValidationFailed("Write and save the group note before signing it.")
    return note


def sign_group_note(
    session: Session, *, actor: Actor, group_session_id: int, settings: Settings
) -> GroupNote:
    group = group_access.authorize_session(session, actor, group_session_id, "note.group.sign")
    note = _existing_note(session, group)
    rules.check_sign(group_access.note_state(note), _user(actor))
    group_access.authorize_patients(
        session,
        actor,
        (p.patient_id for p in note.parts),
        "note.group.sign",
        group.id,
        group_access.access_needed(session, actor, group),
    )
    missing = rules.missing_for_signing(rules.GROUP_SHARED, _shared(note))
    for part in note.parts:
        missing.update(rules.missing_for_signing(PART.sections, part.body, f"p{part.patient_id}-"))
    if not note.parts:
        missing["attended"] = "Mark at least one attendee before signing."
    if missing:
        raise ValidationFailed("Complete the note before signing.", field_errors=missing)
    credentials = repository.staff_credentials(session, note.author_staff_id)
    sign = {"user_id": _user(actor), "credentials": credentials, "settings": settings}
    linked = group_objectives.linked(session, note.parts)
    for part in sorted(note.parts, key=lambda p: p.patient_id):
        payload = views.hash_payload(part, linked.get(part.patient_id, []), shared=note)
        mark_signed(part, payload=payload, service_at=group.ends_at, **sign)
    part_hashes = sorted((p.patient_id, p.content_hash) for p in note.parts)
    payload = {"group_session_id": group.id, **_shared(note), "parts": part_hashes}
    mark_signed(note, payload=payload, service_at=group.ends_at, **sign)
    session.flush()
    return note


def _shared(note: GroupNote) -> dict[str, str]:
    return {s.key: getattr(note, s.key) for s in rules.GROUP_SHARED}


def cosign_group_note(session: Session, *, actor: Actor, group_session_id: int) -> GroupNote:
    """A supervisor co-signs the whole note; they need care-team access to every attendee."""
    principal = actor.principal
    require(session, actor, Permission.NOTE_WRITE, action="note.group.cosign")
    group = group_access.load_session(session, group_session_id)
    assert principal is not None
    note = _existing_note(session, group)
    group_access.authorize_patients(
        session, actor, (p.patient_id for p in note.parts), "note.group.cosign", group.id
    )
    credentials = repository.staff_credentials(session, principal.staff_member_id)
    rules.check_cosign(group_access.note_state(note), principal.user_id, credentials)
    now = clock.now()
    for row in [note, *note.parts]:
        row.cosigned_at, row.cosigned_by_user_id = now, principal.user_id
    session.flush()
    return note
