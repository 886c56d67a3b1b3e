"""Turn stored notes into their outward shapes, and say exactly what a signature covers.

Kept apart from the service so the chart privacy rule is visible in one place: a group part
is shown with its shared part (topic, content, interventions) and nothing from other parts.
"""

from __future__ import annotations

from typing import Any

from openiop.models import ClinicalNote, GroupNote, PlanObjective
from openiop.notes import rules
from openiop.notes.schemas import (
    AddendumOut,
    GroupShared,
    MedicationIO,
    NoteSummary,
    NoteView,
    ObjectiveOut,
    SectionOut,
    Signature,
)


def _name(names: dict[int, str], user_id: int | None) -> str | None:
    if user_id is None:
        return None
    return names.get(user_id, f"user {user_id}")


def summary(note: ClinicalNote, names: dict[int, str]) -> NoteSummary:
    return NoteSummary(
        id=note.id,
        kind=note.kind,
        format=note.format,
        title=rules.FORMATS[note.format].title,
        service_date=note.service_date,
        status=note.status,
        author=_name(names, note.author_user_id) or "",
        topic=note.group_note.topic if note.group_note else None,
        late=note.late,
        awaiting_cosign=note.cosign_required and note.cosigned_at is None,
    )


def signature(note: Any, names: dict[int, str]) -> Signature:
    return Signature(
        signed_at=note.signed_at,
        signed_by=_name(names, note.signed_by_user_id),
        content_hash=note.content_hash,
        cosign_required=note.cosign_required,
        cosigned_at=note.cosigned_at,
        cosigned_by=_name(names, note.cosigned_by_user_id),
        late=note.late,
    )


def group_shared(note: ClinicalNote) -> GroupShared | None:
    shared = note.group_note
    if shared is None:
        return None
    return GroupShared(
        group_session_id=shared.group_session_id,
        session_date=note.service_date,
        topic=shared.topic,
        content=shared.content,
        interventions=shared.interventions,
    )


def note_view(
    note: ClinicalNote, objectives: list[PlanObjective], names: dict[int, str]
) -> NoteView:
    fmt = rules.FORMATS[note.format]
    return NoteView(
        id=note.id,
        patient_id=note.patient_id,
        kind=note.kind,
        format=note.format,
        title=fmt.title,
        service_date=note.service_date,
        service_at=note.service_at,
        contact_method=note.contact_method,
        status=note.status,
        author=_name(names, note.author_user_id) or "",
        author_user_id=note.author_user_id,
        sections=[
            SectionOut(key=s.key, label=s.label, text=str(note.body.get(s.key, "")))
            for s in fmt.sections
        ],
        medications=[
            MedicationIO(name=m.name, dose=m.dose, route=m.route, frequency=m.frequency)
            for m in note.medications
        ],
        objectives=[ObjectiveOut(id=o.id, statement=o.statement) for o in objectives],
        group=group_shared(note),
        signature=signature(note, names),
        addenda=[
            AddendumOut(
                created_at=a.created_at, author=_name(names, a.author_user_id) or "", text=a.text
            )
            for a in note.addenda
        ],
        version=note.version,
    )


def hash_payload(
    note: ClinicalNote, objective_ids: list[int], shared: GroupNote | None = None
) -> dict[str, Any]:
    """Everything a chart note's signature vouches for, a group's shared part included."""
    return {
        "note_id": note.id,
        "patient_id": note.patient_id,
        "format": note.format,
        "service_date": note.service_date.isoformat(),
        "service_at": note.service_at.isoformat(),
        "contact_method": note.contact_method,
        "body": note.body,
        # Only physician notes carry medications (group parts are loaded without them).
        "medications": (
            [[m.name, m.dose, m.route, m.frequency] for m in note.medications]
            if note.format == "soap"
            else []
        ),
        "objective_ids": objective_ids,
        "shared": (
            {
                "topic": shared.topic,
                "content": shared.content,
                "interventions": shared.interventions,
            }
            if shared
            else None
        ),
    }
