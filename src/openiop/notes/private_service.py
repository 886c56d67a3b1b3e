"""Private SUD counseling notes (process notes): kept apart from the chart.

42 CFR Part 2 treats SUD counseling notes like psychotherapy notes: separate from the record,
disclosed only with their own consent. So here they have their own table, are encrypted at
rest (notes/crypto.py), are listed only to their author, and appear in no chart, API list or
export. Writing one needs Permission.NOTE_WRITE and care-team (FULL) access to the patient;
every read and write is audited without its text.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from openiop.config import Settings
from openiop.kit import clock
from openiop.kit.errors import ValidationFailed
from openiop.models import PrivateCounselingNote
from openiop.notes import crypto, repository, rules
from openiop.security.audit import Actor
from openiop.security.permissions import Access, Permission
from openiop.security.service import authorize_patient, require


@dataclass(frozen=True)
class PrivateNoteOut:
    id: int
    service_date: date
    text: str


def _allow(session: Session, actor: Actor, patient_id: int, action: str) -> int:
    require(session, actor, Permission.NOTE_WRITE, action=action)
    authorize_patient(
        session,
        actor=actor,
        patient_id=patient_id,
        action=action,
        need=Access.FULL,
        object_type="private_counseling_note",
    )
    assert actor.principal is not None
    return actor.principal.user_id


def my_private_notes(
    session: Session, *, actor: Actor, patient_id: int, settings: Settings
) -> list[PrivateNoteOut]:
    """The actor's own private notes about this patient; nobody sees anyone else's."""
    user_id = _allow(session, actor, patient_id, "private_note.list")
    rows = repository.private_notes(session, author_user_id=user_id, patient_id=patient_id)
    return [
        PrivateNoteOut(row.id, row.service_date, crypto.decrypt(settings, row.ciphertext))
        for row in rows
    ]


def write_private_note(
    session: Session,
    *,
    actor: Actor,
    patient_id: int,
    service_date: str | date,
    text: str,
    settings: Settings,
) -> PrivateCounselingNote:
    user_id = _allow(session, actor, patient_id, "private_note.create")
    day, clean = _validated(service_date, text, settings)
    note = PrivateCounselingNote(
        patient_id=patient_id,
        author_user_id=user_id,
        service_date=day,
        ciphertext=crypto.encrypt(settings, clean),
    )
    session.add(note)
    session.flush()
    return note


def _validated(service_date: str | date, text: str, settings: Settings) -> tuple[date, str]:
    problems: dict[str, str] = {}
    day = service_date if isinstance(service_date, date) else None
    if day is None:
        try:
            day = date.fromisoformat(str(service_date))
        except ValueError:
            problems["service_date"] = "Enter the date of the session (YYYY-MM-DD)."
    if day and day > clock.today_in(settings.default_time_zone):
        problems["service_date"] = "The date cannot be in the future."
    clean = text.strip()
    if not clean:
        problems["text"] = "Write the note."
    elif len(clean) > rules.MAX_SECTION:
        problems["text"] = f"At most {rules.MAX_SECTION} characters."
    if problems or day is None:
        raise ValidationFailed("Some fields need attention.", field_errors=problems)
    return day, clean
