"""The program week, written for every past week: group sessions, each attendee's minutes,
weekly individual and physician visits, and the daily minutes ledger built from exactly
those rows (as attendance/ledger_service.py would rebuild it)."""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from openiop.demo import history_plan as hp
from openiop.demo.history_context import Context
from openiop.demo.history_writer import Writer
from openiop.models import Appointment, DailyMinutes, GroupAttendance, GroupSession

INDIVIDUAL_STARTS = [time(h) for h in (13, 14, 15, 16)]
PHYSICIAN_STARTS = [time(12 + n // 3, (n % 3) * 20) for n in range(18)]  # 12:00-17:40
INDIVIDUAL_MINUTES, PHYSICIAN_MINUTES = 50, 20
LEDGER_FIELDS = (
    "group_minutes", "group_sessions_attended", "group_scheduled_minutes", "individual_minutes",
    "individual_sessions", "individual_longest_minutes", "physician_minutes", "physician_visits",
)  # fmt: skip


@dataclass(frozen=True)
class Held:
    """A held group session and who took part, for its group note."""

    session_id: int
    day: date
    ends_at: datetime
    facilitator_id: int
    topic: str
    attendees: tuple[tuple[int, int, int], ...]  # (patient id, enrollment id, minutes)


@dataclass(frozen=True)
class Visit:
    """A completed appointment, for its note."""

    appointment_id: int
    kind: str
    patient_id: int
    staff_id: int
    day: date
    ends_at: datetime


@dataclass
class WeekResult:
    held: list[Held] = field(default_factory=list)
    visits: list[Visit] = field(default_factory=list)


def local(day: date, at: time, zone: str) -> datetime:
    return datetime.combine(day, at, tzinfo=ZoneInfo(zone)).astimezone(UTC)


class WeekWriter:
    def __init__(self, writer: Writer, ctx: Context, episodes: list[hp.Episode], seed: int):
        self.w, self.ctx, self.rng = writer, ctx, random.Random(seed)
        self.by_track: dict[int, list[hp.Episode]] = defaultdict(list)
        for episode in episodes:
            self.by_track[episode.track_id].append(episode)
        self.booker = hp.Booker()
        self.ledger: dict[tuple[int, date], dict[str, int]] = {}
        self.ledger_keys: dict[int, tuple[int, int]] = {}  # enrollment -> (patient, location)
        # (start, minutes) of each completed individual session, for the ledger's list
        self.individuals: dict[tuple[int, date], list[tuple[datetime, int]]] = defaultdict(list)
        self.topic_turn = 0
        self.result = WeekResult()

    def week(self, monday: date, last: date) -> None:
        days = [monday + timedelta(days=n) for n in range(7)]
        days = [d for d in days if d <= last]
        for track in self.ctx.tracks:
            for day in days:
                if str(day.isoweekday()) in track.weekdays:
                    self._session(track, day)
        for track in self.ctx.tracks:
            for episode in self.by_track[track.id]:
                open_days = [d for d in days if d.isoweekday() <= 5 and episode.covers(d)]
                if open_days:
                    self._visits(episode, open_days)
        self.booker.forget_before(monday)

    # ---- groups --------------------------------------------------------------------------

    def _session(self, track: hp.TrackInfo, day: date) -> None:
        zone = self.ctx.zone(track.location_id)
        starts, ends = local(day, track.start, zone), local(day, track.end, zone)
        length = int((ends - starts).total_seconds() // 60)
        facilitator = track.facilitator_ids[day.isocalendar()[1] % len(track.facilitator_ids)]
        topic_id, topic = self.ctx.topics[self.topic_turn % len(self.ctx.topics)]
        cancelled = hp.is_holiday(day)
        session_id = self.w.new_id(GroupSession.__table__)  # type: ignore[arg-type]
        self.w.add(
            GroupSession.__table__,  # type: ignore[arg-type]
            {
                "id": session_id, "track_id": track.id, "location_id": track.location_id,
                "session_date": day, "starts_at": starts, "ends_at": ends, "topic_id": topic_id,
                "topic": topic, "facilitator_id": facilitator, "room_id": track.room_id,
                "status": "cancelled" if cancelled else "held",
                "cancel_reason": "Site closed for the holiday" if cancelled else None,
                "version": 1, "created_at": starts - timedelta(days=14), "updated_at": ends,
            },
        )  # fmt: skip
        if cancelled:
            return
        self.topic_turn += 1
        roster = [e for e in self.by_track[track.id] if e.covers(day)]
        attendees = [self._attend(session_id, e, starts, ends, length, facilitator, day)
                     for e in roster]  # fmt: skip
        taken = tuple(a for a in attendees if a[2] > 0)
        if taken:
            self.result.held.append(Held(session_id, day, ends, facilitator, topic, taken))

    def _attend(
        self,
        session_id: int,
        episode: hp.Episode,
        starts: datetime,
        ends: datetime,
        length: int,
        facilitator: int,
        day: date,
    ) -> tuple[int, int, int]:
        outcome = hp.group_day(self.rng, episode.engagement, length)
        attended = outcome.minutes > 0
        check_in = starts + timedelta(minutes=outcome.late_by) if attended else None
        check_out = ends - timedelta(minutes=outcome.left_early_by) if attended else None
        who = self.ctx.accounts[facilitator]
        row_id = self.w.new_id(GroupAttendance.__table__)  # type: ignore[arg-type]
        self.w.add(
            GroupAttendance.__table__,  # type: ignore[arg-type]
            {
                "id": row_id, "group_session_id": session_id,
                "enrollment_id": episode.enrollment_id, "patient_id": episode.patient_id,
                "status": outcome.status, "check_in_at": check_in, "check_out_at": check_out,
                "minutes": outcome.minutes, "recorded_by_user_id": who.user_id, "version": 1,
                "created_at": ends, "updated_at": ends,
            },
        )  # fmt: skip
        self.w.audit(who, "attendance.record", ends + timedelta(minutes=5),
                     patient_id=episode.patient_id, object_type="group_attendance",
                     object_id=row_id, detail=f"status={outcome.status}")  # fmt: skip
        figures = self._ledger(episode, day)
        figures["group_minutes"] += outcome.minutes
        figures["group_sessions_attended"] += int(attended)
        figures["group_scheduled_minutes"] += length
        return episode.patient_id, episode.enrollment_id, outcome.minutes  # type: ignore[return-value]

    def _ledger(self, episode: hp.Episode, day: date) -> dict[str, int]:
        assert episode.enrollment_id is not None and episode.patient_id is not None
        self.ledger_keys[episode.enrollment_id] = (episode.patient_id, episode.location_id)
        key = (episode.enrollment_id, day)
        if key not in self.ledger:
            self.ledger[key] = dict.fromkeys(LEDGER_FIELDS, 0)
        return self.ledger[key]

    # ---- weekly visits -------------------------------------------------------------------

    def _visits(self, episode: hp.Episode, days: list[date]) -> None:
        site = self.ctx.sites[episode.location_id]
        order = days[episode.track_id % len(days) :] + days[: episode.track_id % len(days)]
        wanted = (
            ("individual", episode.counselor_id, INDIVIDUAL_STARTS, site.counseling_room_ids,
             INDIVIDUAL_MINUTES),
            ("physician", episode.physician_id, PHYSICIAN_STARTS, (site.exam_room_id,),
             PHYSICIAN_MINUTES),
        )  # fmt: skip
        for kind, staff_id, starts, rooms, minutes in wanted:
            slot = self.booker.place(
                days=order, starts=starts, patient_id=episode.patient_id or 0,
                staff_id=staff_id, room_ids=rooms or (None,),
            )  # fmt: skip
            if slot is not None:
                self._appointment(episode, kind, staff_id, slot, minutes, site.zone)

    def _appointment(
        self,
        episode: hp.Episode,
        kind: str,
        staff_id: int,
        slot: tuple[date, time, int | None],
        minutes: int,
        zone: str,
    ) -> None:
        day, start, room = slot
        starts = local(day, start, zone)
        ends = starts + timedelta(minutes=minutes)
        status = hp.visit_status(self.rng, episode.engagement)
        done = status == "completed"
        actual = minutes - (5 if self.rng.random() < 0.1 else 0) if done else None
        appointment_id = self.w.new_id(Appointment.__table__)  # type: ignore[arg-type]
        who = self.ctx.accounts[staff_id]
        self.w.add(
            Appointment.__table__,  # type: ignore[arg-type]
            {
                "id": appointment_id, "patient_id": episode.patient_id,
                "enrollment_id": episode.enrollment_id, "staff_member_id": staff_id,
                "location_id": episode.location_id, "kind": kind, "starts_at": starts,
                "ends_at": ends, "room_id": room, "telehealth": room is None, "status": status,
                "actual_minutes": actual, "covering": False, "plan_run_id": None,
                "cancel_reason": "Patient called to cancel" if status == "cancelled" else None,
                "created_by_user_id": who.user_id, "version": 1,
                "created_at": starts - timedelta(days=6), "updated_at": ends,
            },
        )  # fmt: skip
        ids = {"patient_id": episode.patient_id, "object_type": "appointment",
               "object_id": appointment_id}  # fmt: skip
        self.w.audit(who, "appointment.create", starts - timedelta(days=6), **ids, detail=kind)
        self.w.audit(who, "appointment.complete", ends, **ids, detail=f"status={status}")
        if done:
            assert actual is not None
            self._count_visit(episode, kind, day, actual, starts)
            self.result.visits.append(
                Visit(appointment_id, kind, episode.patient_id or 0, staff_id, day, ends)
            )

    def _count_visit(
        self, episode: hp.Episode, kind: str, day: date, actual: int, starts: datetime
    ) -> None:
        figures = self._ledger(episode, day)
        if kind == "individual":
            self.individuals[(episode.enrollment_id or 0, day)].append((starts, actual))
            figures["individual_minutes"] += actual
            figures["individual_sessions"] += 1
            longest = figures["individual_longest_minutes"]
            figures["individual_longest_minutes"] = max(longest, actual)
        else:
            figures["physician_minutes"] += actual
            figures["physician_visits"] += 1

    # ---- the ledger ----------------------------------------------------------------------

    def write_ledger(self, now: datetime) -> int:
        """One row per enrollment and day that has anything, as recompute_day writes it."""
        written = 0
        for (enrollment_id, day), figures in sorted(self.ledger.items()):
            if not any(figures.values()):
                continue
            patient_id, location_id = self.ledger_keys[enrollment_id]
            sessions = sorted(self.individuals.get((enrollment_id, day), []))
            self.w.add(
                DailyMinutes.__table__,  # type: ignore[arg-type]
                {"enrollment_id": enrollment_id, "patient_id": patient_id,
                 "location_id": location_id, "service_date": day, **figures,
                 "individual_session_minutes": [minutes for _, minutes in sessions],
                 "updated_at": now},
            )  # fmt: skip
            written += 1
        self.ledger.clear()
        self.individuals.clear()
        return written
