"""Use cases for chart notes: list a patient's notes, read one, write drafts, sign, co-sign
and add addenda. Keyword-only inputs; never commits.

Who may do what:
- read and list: Permission.NOTE_READ (clinicians, directors) plus FULL access to the patient
  (care team or director at the site). Everyone else is refused, and the refusal audited.
- write, sign, add an addendum: Permission.NOTE_WRITE plus FULL access; drafts and signing are
  the author's alone; addenda may come from the author or anyone on the care team.
- co-sign: NOTE_WRITE, FULL access and a supervising credential (rules.may_supervise).
Every allowed call is audited once, in the same transaction as what it changes.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from openiop.config import Settings
from openiop.kit import clock
from openiop.kit.errors import Conflict, NotFound, ValidationFailed
from openiop.models import ClinicalNote, NoteAddendum, NoteMedication
from openiop.notes import repository, rules, views
from openiop.notes.schemas import NoteList, NoteView
from openiop.security.audit import Actor
from openiop.security.permissions import Access, Permission
from openiop.security.service import authorize_patient, require

CHANGED_ELSEWHERE = "This note was changed elsewhere since you opened it: reload it."


def _allow(
    session: Session,
    actor: Actor,
    *,
    patient_id: int,
    action: str,
    permission: Permission,
    note_id: int | None = None,
) -> None:
    """Role first, then the patient's record; both audited (the refusal too)."""
    require(session, actor, permission, action=action)
    authorize_patient(
        session,
        actor=actor,
        patient_id=patient_id,
        action=action,
        need=Access.FULL,
        object_type="clinical_note" if note_id else "patient",
        object_id=note_id,
    )


def _user_id(actor: Actor) -> int:
    assert actor.principal is not None  # _allow has refused anonymous callers
    return actor.principal.user_id


def _load(session: Session, note_id: int) -> ClinicalNote:
    note = repository.note_by_id(session, note_id)
    if note is None:
        raise NotFound(f"No note with id {note_id}.")
    return note


def state_of(note: ClinicalNote) -> rules.NoteState:
    return rules.NoteState(
        patient_id=note.patient_id,
        author_user_id=note.author_user_id,
        status=note.status,
        cosign_required=note.cosign_required,
        cosigned=note.cosigned_at is not None,
    )


# ---- reading ----------------------------------------------------------------------------


def chart(session: Session, *, actor: Actor, patient_id: int) -> NoteList:
    _allow(
        session, actor, patient_id=patient_id, action="note.list", permission=Permission.NOTE_READ
    )
    notes = repository.chart_notes(session, patient_id)
    names = repository.user_names(session, (n.author_user_id for n in notes))
    return NoteList(
        patient_id=patient_id,
        patient_name=repository.patient_name(session, patient_id),
        items=[views.summary(n, names) for n in notes],
    )


def read_note(session: Session, *, actor: Actor, note_id: int) -> NoteView:
    note = _load(session, note_id)
    _allow(
        session,
        actor,
        patient_id=note.patient_id,
        action="note.read",
        permission=Permission.NOTE_READ,
        note_id=note.id,
    )
    return view_of(session, note)


def view_of(session: Session, note: ClinicalNote) -> NoteView:
    ids = repository.linked_objective_ids(session, note.id)
    objectives = repository.objectives_by_id(session, ids)
    people = [note.author_user_id, note.signed_by_user_id, note.cosigned_by_user_id]
    people += [a.author_user_id for a in note.addenda]
    return views.note_view(note, objectives, repository.user_names(session, people))


def view_by_id(session: Session, note_id: int) -> NoteView:
    """Reshape a note the caller was authorized for earlier in this same request."""
    return view_of(session, _load(session, note_id))


def patient_name(session: Session, patient_id: int) -> str:
    """For headings of pages whose patient the caller was authorized for in this request."""
    return repository.patient_name(session, patient_id)


def objective_choices(session: Session, *, patient_id: int) -> list[tuple[int, str]]:
    """The patient's plan objectives a note may address (callers have authorized)."""
    return [(o.id, o.statement) for o in repository.patient_objectives(session, patient_id)]


# ---- writing drafts ---------------------------------------------------------------------


def create_note(
    session: Session, *, actor: Actor, patient_id: int, data: Mapping[str, Any], settings: Settings
) -> ClinicalNote:
    _allow(
        session,
        actor,
        patient_id=patient_id,
        action="note.create",
        permission=Permission.NOTE_WRITE,
    )
    fmt = rules.note_format(str(data.get("format") or ""))
    if fmt.code not in rules.WRITABLE_FORMATS:
        raise ValidationFailed(
            "Group notes are written from the group session.",
            field_errors={"format": "Choose an individual note format."},
        )
    principal = actor.principal
    assert principal is not None
    note = ClinicalNote(
        patient_id=patient_id,
        kind=fmt.kind,
        format=fmt.code,
        author_user_id=principal.user_id,
        author_staff_id=principal.staff_member_id,
        status=rules.DRAFT,
        body={},
    )
    _apply(session, note, data, settings, creating=True)
    session.add(note)
    session.flush()
    repository.set_linked_objectives(session, note.id, _objective_ids(session, patient_id, data))
    return note


def update_note(
    session: Session,
    *,
    actor: Actor,
    note_id: int,
    version: int | None,
    data: Mapping[str, Any],
    settings: Settings,
) -> ClinicalNote:
    """Change a draft. `version` None is the author's own Save button: drafts are the
    author's alone, so their final Save wins over their own in-flight autosave."""
    note = _load(session, note_id)
    _allow(
        session,
        actor,
        patient_id=note.patient_id,
        action="note.update",
        permission=Permission.NOTE_WRITE,
        note_id=note.id,
    )
    rules.check_editable(state_of(note), _user_id(actor))
    if note.format == "group":
        raise Conflict("Edit a group note from its group session.")
    if version is not None and note.version != version:
        raise Conflict(CHANGED_ELSEWHERE)
    _apply(session, note, data, settings, creating=False)
    if "objective_ids" in data:
        ids = _objective_ids(session, note.patient_id, data)
        repository.set_linked_objectives(session, note.id, ids)
    return _flush(session, note)


def _flush(session: Session, note: ClinicalNote) -> ClinicalNote:
    try:
        session.flush()
    except StaleDataError:
        raise Conflict(CHANGED_ELSEWHERE) from None
    return note


def _apply(
    session: Session,
    note: ClinicalNote,
    data: Mapping[str, Any],
    settings: Settings,
    *,
    creating: bool,
) -> None:
    """Validate everything first, then change the note: a bad field changes nothing."""
    fmt = rules.note_format(note.format)
    problems: dict[str, str] = {}
    body, section_problems = rules.clean_sections(fmt.sections, data.get("sections") or {})
    problems.update(section_problems)
    when = _service_moment(data, settings, problems, required=creating)
    method = data.get("contact_method") if fmt.code == "contact" else None
    if fmt.code == "contact" and (creating or "contact_method" in data):
        problems.update(rules.contact_problems(method))
    meds, med_problems = rules.clean_medications(data.get("medications") or [])
    if fmt.code == "soap":
        problems.update(med_problems)
    if problems:
        raise ValidationFailed("Some fields need attention.", field_errors=problems)
    if data.get("sections") is not None or creating:
        note.body = body
    if when is not None:
        note.service_date, note.service_at = when
    if fmt.code == "contact" and method:
        note.contact_method = method
    if fmt.code == "soap" and (creating or data.get("medications") is not None):
        note.medications = [
            NoteMedication(position=n, **vars(m)) for n, m in enumerate(meds, start=1)
        ]


def _service_moment(
    data: Mapping[str, Any], settings: Settings, problems: dict[str, str], *, required: bool
) -> tuple[date, datetime] | None:
    """The local date of service and the UTC moment it ended. Without a time: noon, or now
    for a note written this morning about today."""
    raw_date, raw_time = data.get("service_date"), data.get("service_time")
    if raw_date in (None, "") and not required:
        return None
    try:
        day = raw_date if isinstance(raw_date, date) else date.fromisoformat(str(raw_date))
    except ValueError:
        problems["service_date"] = "Enter the date of service (YYYY-MM-DD)."
        return None
    try:
        at = time.fromisoformat(str(raw_time)) if raw_time else time(12)
    except ValueError:
        problems["service_time"] = "Enter the time as HH:MM."
        return None
    zone = ZoneInfo(settings.default_time_zone)
    moment = datetime.combine(day, at, tzinfo=zone)
    if not raw_time and day == clock.today_in(settings.default_time_zone):
        moment = min(moment, clock.now())
    if moment > clock.now():
        field = "service_time" if raw_time and day <= clock.today_in(zone.key) else "service_date"
        problems[field] = "The service cannot be in the future."
        return None
    return day, clock.as_utc(moment)


def _objective_ids(session: Session, patient_id: int, data: Mapping[str, Any]) -> list[int]:
    """Only objectives of this patient's own open plans may be linked."""
    try:
        ids = {int(i) for i in data.get("objective_ids") or []}
    except (TypeError, ValueError):
        raise ValidationFailed(
            "Objectives are chosen by id.", field_errors={"objective_ids": "Choose from the list."}
        ) from None
    allowed = {o.id for o in repository.patient_objectives(session, patient_id)}
    if ids - allowed:
        raise ValidationFailed(
            "That objective is not in this patient's plan.",
            field_errors={"objective_ids": "Choose objectives from this patient's plan."},
        )
    return sorted(ids)


# ---- signing ----------------------------------------------------------------------------


def sign_note(session: Session, *, actor: Actor, note_id: int, settings: Settings) -> ClinicalNote:
    note = _load(session, note_id)
    _allow(
        session,
        actor,
        patient_id=note.patient_id,
        action="note.sign",
        permission=Permission.NOTE_WRITE,
        note_id=note.id,
    )
    rules.check_sign(state_of(note), _user_id(actor))
    if note.format == "group":
        raise Conflict("Sign a group note from its group session: all parts are signed together.")
    fmt = rules.note_format(note.format)
    missing = rules.missing_for_signing(fmt.sections, note.body)
    if note.format == "contact" and not note.contact_method:
        missing["contact_method"] = "Choose how the contact happened before signing."
    if missing:
        raise ValidationFailed("Complete the note before signing.", field_errors=missing)
    credentials = repository.staff_credentials(session, note.author_staff_id)
    objective_ids = repository.linked_objective_ids(session, note.id)
    mark_signed(
        note,
        user_id=_user_id(actor),
        credentials=credentials,
        settings=settings,
        payload=views.hash_payload(note, objective_ids),  # never a group part here
        service_at=note.service_at,
    )
    return _flush(session, note)


def mark_signed(
    note: Any,
    *,
    user_id: int,
    credentials: list[str],
    settings: Settings,
    payload: dict[str, Any],
    service_at: datetime,
) -> None:
    """Lock a note (chart note or group note): signer, time, content hash, flags."""
    now = clock.now()
    note.status = rules.SIGNED
    note.signed_at = now
    note.signed_by_user_id = user_id
    note.content_hash = rules.content_hash(payload)
    note.cosign_required = rules.needs_cosign(credentials)
    note.late = rules.is_late(service_at, now, settings.notes_late_hours)


def cosign_note(session: Session, *, actor: Actor, note_id: int) -> ClinicalNote:
    note = _load(session, note_id)
    _allow(
        session,
        actor,
        patient_id=note.patient_id,
        action="note.cosign",
        permission=Permission.NOTE_WRITE,
        note_id=note.id,
    )
    if note.format == "group":
        raise Conflict("Co-sign a group note from its group session.")
    principal = actor.principal
    assert principal is not None
    credentials = repository.staff_credentials(session, principal.staff_member_id)
    rules.check_cosign(state_of(note), principal.user_id, credentials)
    note.cosigned_at = clock.now()
    note.cosigned_by_user_id = principal.user_id
    return _flush(session, note)


def add_addendum(
    session: Session, *, actor: Actor, patient_id: int, note_id: int, text: str
) -> NoteAddendum:
    """A dated addition to a signed note in `patient_id`'s chart, by the author or care team."""
    note = _load(session, note_id)
    # Check against the chart the caller is in before anything else: an addendum never
    # crosses into another patient's note, even for someone allowed to see both.
    _allow(
        session,
        actor,
        patient_id=patient_id,
        action="note.addendum",
        permission=Permission.NOTE_WRITE,
        note_id=note.id,
    )
    clean = rules.check_addendum(state_of(note), patient_id, text)
    principal = actor.principal
    assert principal is not None
    now = clock.now()
    addendum = NoteAddendum(
        note_id=note.id,
        author_user_id=principal.user_id,
        author_staff_id=principal.staff_member_id,
        text=clean,
        created_at=now,
        content_hash=rules.content_hash(
            {"note": note.id, "note_hash": note.content_hash, "text": clean, "at": now}
        ),
    )
    return repository.add_addendum(session, addendum)
