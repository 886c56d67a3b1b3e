"""The admit form's choices: the inquiry and its decision, registered patients who look like
this person, the tracks at the actor's sites with their times and any clash with the person's
commitments, and the qualified staff with their caseloads. Keyword-only; never commits.
Split from admit_service.py, which admits; the same permissions apply (see there)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.orm import Session

from openiop.admissions import admit_repository as repo
from openiop.admissions import admit_rules as rules
from openiop.admissions import assessment_repository
from openiop.admissions.admit_consent import CONSENT_TEXT, CONSENT_VERSION
from openiop.admissions.admit_service import (
    ACTION,
    blocks,
    inquiry_for,
    local_today,
    scope,
    track_times,
)
from openiop.admissions.pipeline_rules import Person, duplicate_reasons, phone_key
from openiop.models import (
    AdmissionAssessment,
    AdmissionRecord,
    ClinicalTask,
    Inquiry,
    Patient,
    StaffMember,
)
from openiop.security import audit
from openiop.security.audit import Actor, AuditEntry
from openiop.security.service import authorize_patient


@dataclass(frozen=True)
class TrackOption:
    id: int
    name: str
    program: str
    location_id: int
    location: str
    days: str
    times: str
    clashes: list[str]


@dataclass(frozen=True)
class StaffOption:
    id: int
    name: str
    credentials: str
    sites: str
    location_ids: frozenset[int]
    caseload: str = ""
    at_cap: bool = False


@dataclass
class AdmitContext:
    inquiry: Inquiry
    assessment: AdmissionAssessment | None
    problem: str | None
    matches: list[tuple[Patient, list[str]]]
    matches_elsewhere: int
    linked: Patient | None
    commitments: list[rules.WeeklyBlock]
    tracks: list[TrackOption]
    counselors: list[StaffOption]
    physicians: list[StaffOption]
    today: date
    consent_text: str = CONSENT_TEXT
    consent_version: str = CONSENT_VERSION
    plan: list[rules.PlannedTask] = field(default_factory=list)
    admission: AdmissionRecord | None = None
    admitted: Patient | None = None
    tasks: list[ClinicalTask] = field(default_factory=list)


# ---- the form's choices -------------------------------------------------------------------


def admit_form(
    session: Session,
    *,
    actor: Actor,
    inquiry_id: int,
    default_zone: str,
    patient_id: int | None = None,
    extra: tuple[rules.CommitmentRow, ...] = (),
) -> AdmitContext:
    row = inquiry_for(session, actor, inquiry_id)
    latest = assessment_repository.latest_assessment(session, row.id)
    matches, elsewhere = _matches(session, actor, row)
    linked = _linked(session, actor, patient_id)
    weekly = blocks(session, linked, extra)
    sites = [loc.id for loc in repo.locations(session, scope(actor))]
    today = local_today(session, row, default_zone)
    done = repo.admission_of(session, row.id)
    audit.record(
        session,
        actor,
        AuditEntry(ACTION + "_form", object_type="inquiry", object_id=row.id,
                   patient_id=done.patient_id if done else None,
                   detail=f"matches={len(matches)}; elsewhere={elsewhere}"),
    )  # fmt: skip
    counselors, physicians = _staff_options(session, sites)
    return AdmitContext(
        admission=done,
        admitted=repo.patient(session, done.patient_id) if done else None,
        tasks=repo.tasks_of(session, row.id) if done else [],
        inquiry=row,
        assessment=latest,
        problem=rules.admit_problem(row.stage, latest.decided_level if latest else None),
        matches=matches,
        matches_elsewhere=elsewhere,
        linked=linked,
        commitments=weekly,
        tracks=_track_options(session, sites, weekly),
        counselors=counselors,
        physicians=physicians,
        today=today,
        plan=rules.first_week(today),
    )


def _matches(
    session: Session, actor: Actor, row: Inquiry
) -> tuple[list[tuple[Patient, list[str]]], int]:
    """Registered patients who look like this person: those in the actor's scope with why
    (each shown one audited), and how many more are at other sites (not shown)."""
    me = Person(row.id, row.person_name or row.name, row.phone, row.email, row.date_of_birth)
    candidates = repo.patient_candidates(
        session, phone_tail=phone_key(row.phone), email=row.email, date_of_birth=row.date_of_birth
    )
    found = []
    for patient in candidates:
        other = Person(-patient.id, patient.full_name, patient.phone, patient.email,
                       patient.date_of_birth)  # fmt: skip
        reasons = duplicate_reasons(me, other)
        if reasons:
            found.append((patient, reasons))
    sites = repo.patient_sites(session, [p.id for p, _ in found])
    mine_at = scope(actor)
    mine = [(p, r) for p, r in found if mine_at is None or sites[p.id] & mine_at]
    audit.record_many(
        session,
        actor,
        (AuditEntry("patient.match", patient_id=p.id, object_type="inquiry", object_id=row.id)
         for p, _ in mine),
    )  # fmt: skip
    return mine, len(found) - len(mine)


def _linked(session: Session, actor: Actor, patient_id: int | None) -> Patient | None:
    if patient_id is None:
        return None
    authorize_patient(session, actor=actor, patient_id=patient_id, action="patient.read",
                      object_type="admit_form")  # fmt: skip
    return repo.patient(session, patient_id)


def _track_options(
    session: Session, sites: list[int], blocks: list[rules.WeeklyBlock]
) -> list[TrackOption]:
    names = {loc.id: loc.name for loc in repo.locations(session, sites)}
    options = []
    for track, program in repo.tracks_at(session, sites):
        times = track_times(track)
        options.append(
            TrackOption(
                id=track.id,
                name=track.name,
                program=program.name,
                location_id=track.location_id,
                location=names.get(track.location_id, ""),
                days=rules.describe_days(times.weekdays),
                times=f"{rules.hhmm(track.start_time)}–{rules.hhmm(track.end_time)}",
                clashes=rules.describe_clashes(times, rules.clashes(times, blocks)),
            )
        )
    return options


def _staff_options(
    session: Session, sites: list[int]
) -> tuple[list[StaffOption], list[StaffOption]]:
    staff = repo.staff_at(session, sites)
    counselors = [s for s in staff if rules.may_counsel(s.credential_list)]
    loads = repo.open_caseloads(session, [s.id for s in counselors])
    return (
        [_option(s, loads.get(s.id, 0)) for s in counselors],
        [_option(s, None) for s in staff if rules.may_prescribe(s.credential_list)],
    )


def _option(member: StaffMember, caseload: int | None) -> StaffOption:
    base = StaffOption(
        id=member.id,
        name=member.full_name,
        credentials=", ".join(member.credential_list),
        sites=", ".join(loc.name for loc in member.locations),
        location_ids=frozenset(loc.id for loc in member.locations),
    )
    if caseload is None:
        return base
    return StaffOption(
        **{**base.__dict__, "caseload": rules.caseload_text(caseload, member.caseload_cap),
           "at_cap": rules.at_cap(caseload, member.caseload_cap)}
    )  # fmt: skip
