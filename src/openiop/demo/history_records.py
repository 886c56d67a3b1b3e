"""Signed notes, questionnaires and drug screens for the synthetic history.

Notes are written signed, with the content hash the notes area would compute (same payload
as notes.views.hash_payload), so a history note reads like any other signed note. Texts are
short synthetic sentences assembled from small pools; they describe no real person.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from typing import Any

from openiop.demo import history_plan as hp
from openiop.demo.history_context import Context
from openiop.demo.history_week import Held, Visit, local
from openiop.demo.history_writer import Writer
from openiop.instruments import scoring
from openiop.models import (
    ClinicalNote,
    DrugScreen,
    DrugScreenResult,
    GroupNote,
    MeasureAdministration,
)
from openiop.notes import rules as note_rules

PARTICIPATION = (
    "Took part throughout and offered an example from the past week.",
    "Quiet at first, then joined the skills practice in pairs.",
    "Shared a recent high-risk moment and the plan used to get through it.",
    "Listened closely; answered when invited and gave feedback to a peer.",
    "Led the check-in round and stayed engaged during the exercise.",
)
RESPONSE = (
    "Named two warning signs and one coping step to try before next session.",
    "Said the exercise felt useful and agreed to practise it daily.",
    "Connected the topic to conflict at home and asked for more practice.",
    "Reported fewer cravings this week and credited the routine work.",
    "Struggled with the topic but stayed and completed the worksheet.",
)
CONTENT = (
    "Group reviewed the week's topic with a short teach-back and a practice round.",
    "Members worked through a worksheet in pairs, then shared one take-away each.",
    "Facilitated discussion of real situations from the week using the topic's skills.",
)
INTERVENTIONS = ("CBT skill rehearsal", "Motivational interviewing", "Psychoeducation",
                 "Role play and peer feedback", "Mindfulness practice")  # fmt: skip
DAP = {
    "data": ("Reports steady attendance and two urges managed without use.",
             "Describes stress at work and one lapse since the last session.",
             "Arrived on time; mood described as better than last week."),
    "assessment": ("Engaged and building coping skills; risk remains moderate.",
                   "Ambivalent about change but open to practising skills.",
                   "Progressing on plan goals; supports are improving."),
    "plan": ("Continue weekly sessions; practise urge surfing daily.",
             "Review relapse prevention plan next session; call sponsor twice.",
             "Keep routine log; revisit goals at next review."),
}  # fmt: skip
SOAP = {
    "subjective": ("Sleeping better; cravings reported as mild.",
                   "Some anxiety in the evenings; no use reported this week."),
    "objective": ("Alert, oriented, vital signs within normal limits.",
                  "Calm and cooperative; no signs of withdrawal."),
    "assessment": ("Substance use disorder in early remission, improving.",
                   "Stable on current plan; anxiety symptoms persisting."),
    "plan": ("Continue current medications; follow up next week.",
             "Discuss sleep hygiene; recheck next visit."),
}  # fmt: skip
SCREEN_CLASSES = ("alcohol", "cannabinoids", "cocaine", "methamphetamine", "fentanyl", "opiates")


def _pick(rng: random.Random, pools: dict[str, tuple[str, ...]]) -> dict[str, str]:
    return {key: rng.choice(options) for key, options in pools.items()}


def _hash(note: dict[str, Any], shared: dict[str, str] | None) -> str:
    """The payload notes.views.hash_payload builds for a chart note (no medications here)."""
    return note_rules.content_hash(
        {
            "note_id": note["id"],
            "patient_id": note["patient_id"],
            "format": note["format"],
            "service_date": note["service_date"].isoformat(),
            "service_at": note["service_at"].isoformat(),
            "contact_method": None,
            "body": note["body"],
            "medications": [],
            "objective_ids": [],
            "shared": shared,
        }
    )


class RecordWriter:
    def __init__(self, writer: Writer, ctx: Context, seed: int, late_hours: int) -> None:
        self.w, self.ctx, self.rng, self.late_hours = writer, ctx, random.Random(seed), late_hours

    def _signing(self, staff_id: int, service_at: datetime) -> dict[str, Any]:
        """Signed a few hours after the service, now and then late; co-signed next day when
        the author's credential needs supervision."""
        hours = self.rng.choice((1, 2, 3, 5, 8, 20)) if self.rng.random() > 0.04 else 40
        signed = service_at + timedelta(hours=hours, minutes=self.rng.randrange(60))
        cosign = self.ctx.needs_cosign.get(staff_id, True)
        supervisor = self.ctx.supervisor if cosign else None
        who = self.ctx.accounts[staff_id]
        return {
            "status": note_rules.SIGNED, "signed_at": signed, "signed_by_user_id": who.user_id,
            "cosign_required": cosign, "late": signed - service_at > timedelta(hours=self.late_hours),
            "cosigned_at": signed + timedelta(days=1) if supervisor else None,
            "cosigned_by_user_id": supervisor.user_id if supervisor else None,
            "author_user_id": who.user_id, "author_staff_id": staff_id, "version": 1,
            "created_at": service_at, "updated_at": signed,
        }  # fmt: skip

    def group_note(self, held: Held) -> None:
        sign = self._signing(held.facilitator_id, held.ends_at)
        shared = {"topic": held.topic, "content": self.rng.choice(CONTENT),
                  "interventions": self.rng.choice(INTERVENTIONS)}  # fmt: skip
        note_id = self.w.new_id(GroupNote.__table__)  # type: ignore[arg-type]
        parts = []
        for patient_id, _enrollment_id, _minutes in sorted(held.attendees):
            body = {"participation": self.rng.choice(PARTICIPATION),
                    "response": self.rng.choice(RESPONSE), "progress": ""}  # fmt: skip
            parts.append(self._chart_note(patient_id, "group", "group", held.day, held.ends_at,
                         body, sign, group_note_id=note_id, shared=shared))  # fmt: skip
        hashes = [(part["patient_id"], part["content_hash"]) for part in parts]
        payload = {"group_session_id": held.session_id, **shared, "parts": hashes}
        # The shared part goes into its buffer before the parts that point at it.
        self.w.add(
            GroupNote.__table__,  # type: ignore[arg-type]
            {"id": note_id, "group_session_id": held.session_id, **shared, **sign,
             "content_hash": note_rules.content_hash(payload)},
        )  # fmt: skip
        for part in parts:
            self.w.add(ClinicalNote.__table__, part)  # type: ignore[arg-type]
            self._signed_event(sign, "note.group.sign", part["patient_id"], part["id"])

    def visit_note(self, visit: Visit) -> None:
        sign = self._signing(visit.staff_id, visit.ends_at)
        if visit.kind == "physician":
            kind, fmt, body = "physician", "soap", _pick(self.rng, SOAP)
        else:
            kind, fmt, body = "counseling", "dap", _pick(self.rng, DAP)
        note = self._chart_note(visit.patient_id, kind, fmt, visit.day, visit.ends_at, body,
                                sign, appointment_id=visit.appointment_id)  # fmt: skip
        self.w.add(ClinicalNote.__table__, note)  # type: ignore[arg-type]
        self._signed_event(sign, "note.sign", visit.patient_id, note["id"])

    def _chart_note(
        self,
        patient_id: int,
        kind: str,
        fmt: str,
        day: date,
        service_at: datetime,
        body: dict[str, str],
        sign: dict[str, Any],
        *,
        group_note_id: int | None = None,
        appointment_id: int | None = None,
        shared: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        note = {
            "id": self.w.new_id(ClinicalNote.__table__),  # type: ignore[arg-type]
            "patient_id": patient_id, "kind": kind, "format": fmt,
            "group_note_id": group_note_id, "appointment_id": appointment_id,
            "service_date": day, "service_at": service_at, "contact_method": None,
            "body": body, **sign,
        }  # fmt: skip
        note["content_hash"] = _hash(note, shared)
        return note

    def _signed_event(self, sign: dict[str, Any], action: str, patient_id: int, note_id: int):  # type: ignore[no-untyped-def]
        who = self.ctx.accounts[sign["author_staff_id"]]
        self.w.audit(who, "note.write", sign["created_at"], patient_id=patient_id,
                     object_type="clinical_note", object_id=note_id)  # fmt: skip
        self.w.audit(who, action, sign["signed_at"], patient_id=patient_id,
                     object_type="clinical_note", object_id=note_id)  # fmt: skip

    # ---- measures and screens ------------------------------------------------------------

    def measures(self, episode: hp.Episode, last: date) -> None:
        end = min(episode.discharge or last, last)
        span = max(1, (end - episode.admit).days)
        who = self.ctx.accounts[episode.counselor_id]
        day = episode.admit
        while day <= end:
            progress = (day - episode.admit).days / span
            for instrument, items in (("PHQ-9", 9), ("GAD-7", 7)):
                self._measure(episode, who, instrument, items, day, progress)
            day += timedelta(days=14)

    def _measure(self, episode, who, instrument, items, day, progress) -> None:  # type: ignore[no-untyped-def]
        result = scoring.score(instrument, hp.questionnaire_answers(self.rng, items, progress))
        at = local(day, time(10), self.ctx.zone(episode.location_id))
        row_id = self.w.new_id(MeasureAdministration.__table__)  # type: ignore[arg-type]
        self.w.add(
            MeasureAdministration.__table__,  # type: ignore[arg-type]
            {"id": row_id, "patient_id": episode.patient_id,
             "enrollment_id": episode.enrollment_id, "instrument": result.instrument,
             "administered_on": day, "answers": list(result.answers), "total": result.total,
             "band": result.band.code if result.band else None,
             "subscales": dict(result.subscales), "flags": list(result.flags),
             "urgent_task_id": None, "administered_by_user_id": who.user_id, "created_at": at},
        )  # fmt: skip
        self.w.audit(who, "measure.give", at, patient_id=episode.patient_id,
                     object_type="measure_administration", object_id=row_id,
                     detail=f"{result.instrument} total={result.total}")  # fmt: skip

    def screens(self, episode: hp.Episode, last: date) -> None:
        """A weekly observed urine cup; a buprenorphine patient shows it, as expected."""
        end = min(episode.discharge or last, last)
        on_moud = self.rng.random() < 0.2
        day = episode.admit + timedelta(days=self.rng.randrange(1, 5))
        while day <= end:
            if day.isoweekday() <= 5:
                self._screen(episode, day, on_moud)
            day += timedelta(days=7)

    def _screen(self, episode: hp.Episode, day: date, on_moud: bool) -> None:
        who = self.ctx.accounts[episode.counselor_id]
        at = local(day, time(12), self.ctx.zone(episode.location_id))
        screen_id = self.w.new_id(DrugScreen.__table__)  # type: ignore[arg-type]
        self.w.add(
            DrugScreen.__table__,  # type: ignore[arg-type]
            {"id": screen_id, "patient_id": episode.patient_id,
             "enrollment_id": episode.enrollment_id, "collected_on": day, "observed": True,
             "specimen": "urine", "testing": "point_of_care", "lab_name": None, "note": None,
             "collected_by_user_id": who.user_id, "version": 1, "created_at": at,
             "updated_at": at},
        )  # fmt: skip
        slip = (1 - episode.engagement) * 0.3
        classes = SCREEN_CLASSES + (("buprenorphine",) if on_moud else ())
        for substance in classes:
            result = "positive" if self.rng.random() < slip else "negative"
            if substance == "buprenorphine":
                result = "expected"
            self.w.add(
                DrugScreenResult.__table__,  # type: ignore[arg-type]
                {"screen_id": screen_id, "substance_class": substance, "result": result,
                 "medication": "buprenorphine/naloxone" if result == "expected" else None,
                 "recorded_by_user_id": who.user_id, "recorded_at": at},
            )  # fmt: skip
        ids = {"patient_id": episode.patient_id, "object_type": "drug_screen",
               "object_id": screen_id}  # fmt: skip
        self.w.audit(who, "drug_screen.collect", at, **ids)
        self.w.audit(who, "drug_screen.results", at + timedelta(minutes=10), **ids)
