"""Which treatment-plan objectives each attendee's part of a group note may address.

A part may link only objectives of THAT attendee's signed, active plan, so one attendee's
goals never reach another attendee's part or chart. Choices for the whole roster come from
the clinical area's service in one query, and the links of every part are read and written
in one query each: the editor's cost does not grow a query per attendee.

Callers authorize every patient (care team, audited) before calling in here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from openiop.clinical import plan_review_service
from openiop.models import ClinicalNote
from openiop.notes import repository

FIELD = "objective_ids"  # a part's field, sent as p{patient_id}-objective_ids on the page

Choices = dict[int, list[tuple[int, str]]]  # patient id → (objective id, statement)


@dataclass(frozen=True)
class RosterObjectives:
    """What the whole note shows of every part's objectives, by patient id."""

    offered: Choices  # a draft's choices; a signed note offers nothing
    linked: dict[int, list[int]]  # the ids each part links
    addressed: Choices = field(default_factory=dict)  # a signed note: the linked objectives' text


def choices(session: Session, patient_ids: Iterable[int]) -> Choices:
    """Each patient's active-plan objectives; patients without an active plan are absent."""
    found = plan_review_service.active_objectives(session, patient_ids=set(patient_ids))
    return {pid: [(o.id, o.statement) for o in rows] for pid, rows in found.items()}


def field_name(patient_id: int) -> str:
    return f"p{patient_id}-{FIELD}"


def chosen(
    session: Session, parts: Mapping[int, Mapping[str, object]]
) -> tuple[dict[int, list[int]], dict[str, str]]:
    """The objective ids each part asks for, and a problem for every part asking for one
    that is not in that patient's own active plan (another patient's, a stale plan's)."""
    offered = choices(session, parts)
    links: dict[int, list[int]] = {}
    problems: dict[str, str] = {}
    for patient_id, values in parts.items():
        raw = values.get(FIELD) or []
        if isinstance(raw, str | int):
            raw = [raw]
        try:
            ids = {int(i) for i in raw}  # type: ignore[union-attr]
        except (TypeError, ValueError):
            problems[field_name(patient_id)] = "Choose objectives from the list."
            continue
        if ids - {oid for oid, _ in offered.get(patient_id, [])}:
            problems[field_name(patient_id)] = (
                "Choose objectives from this attendee's own treatment plan."
            )
            continue
        links[patient_id] = sorted(ids)
    return links, problems


def save_links(
    session: Session,
    parts: Iterable[ClinicalNote],
    removed: Iterable[ClinicalNote],
    links: Mapping[int, list[int]],
) -> None:
    """Replace the links of every part (flushed, so it has an id) and drop removed parts'."""
    by_note: dict[int, list[int]] = {p.id: [] for p in removed}
    by_note.update({p.id: links.get(p.patient_id, []) for p in parts})
    repository.replace_linked_objectives(session, by_note)


def linked(session: Session, parts: Iterable[ClinicalNote]) -> dict[int, list[int]]:
    """Patient id → objective ids their part links, for all parts in one query."""
    by_patient = {p.id: p.patient_id for p in parts}
    found = repository.linked_objectives_of_notes(session, by_patient)
    return {by_patient[note_id]: ids for note_id, ids in found.items()}


def for_roster(
    session: Session, patient_ids: Iterable[int], parts: Iterable[ClinicalNote], *, signed: bool
) -> RosterObjectives:
    """One query per table whatever the roster's size: a draft needs the active plans'
    choices and the links; a signed note needs only the links with their text."""
    if signed:
        by_patient = {p.id: p.patient_id for p in parts}
        found = repository.addressed_objectives_of_notes(session, by_patient)
        addressed = {by_patient[note_id]: rows for note_id, rows in found.items()}
        ids = {pid: sorted(oid for oid, _ in rows) for pid, rows in addressed.items()}
        return RosterObjectives(offered={}, linked=ids, addressed=addressed)
    return RosterObjectives(offered=choices(session, patient_ids), linked=linked(session, parts))
