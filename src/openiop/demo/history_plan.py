"""Pure parts of the synthetic history: who was enrolled when, how each day went, and where
each weekly visit fits. No database, no clock: the same seed and inputs give the same plan.

The flow keeps every track's census near today's: a track admits on a weekday when it is
below its target (which drifts with the seasons), and each episode lasts 8-12 weeks, or less
when the patient leaves early. Episodes never run past the day before this week, so the
active census stays the demo's own patients.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, time, timedelta

from openiop.demo import names

MRN_PREFIX = "HIST-"
EARLY_LEAVERS = 0.22  # share of episodes that end before the planned 8-12 weeks
READMISSIONS = 0.1  # share of admissions that are a former patient coming back
# Early discharges (<8 weeks) and completions, with how likely each is.
EARLY_TYPES = (("left_against_advice", 0.55), ("administrative", 0.2), ("transferred", 0.25))
MIN_EPISODE_DAYS = 21
# US holidays the sites close on (month, day): the track's session is cancelled.
HOLIDAYS = {(1, 1), (7, 4), (12, 25), (11, 11)}


@dataclass(frozen=True)
class TrackInfo:
    id: int
    location_id: int
    weekdays: str  # ISO digits, Monday=1
    start: time
    end: time
    room_id: int | None
    facilitator_ids: tuple[int, ...]


@dataclass(frozen=True)
class SiteInfo:
    id: int
    zone: str
    counselor_ids: tuple[int, ...]
    physician_ids: tuple[int, ...]
    counseling_room_ids: tuple[int, ...]
    exam_room_id: int | None


@dataclass
class Episode:
    """One enrollment to give a history: a demo enrollment already written (enrollment_id
    set) or a new historical one (patient_key says which new patient)."""

    track_id: int
    location_id: int
    admit: date
    discharge: date | None  # None: still active after the history ends
    counselor_id: int
    physician_id: int
    discharge_type: str | None = None
    enrollment_id: int | None = None
    patient_id: int | None = None
    patient_key: int | None = None
    engagement: float = 0.9  # chance of attending a given group day

    def covers(self, day: date) -> bool:
        return self.admit <= day and (self.discharge is None or day <= self.discharge)


@dataclass(frozen=True)
class NewPatient:
    key: int
    mrn: str
    first_name: str
    last_name: str
    date_of_birth: date
    sex_at_birth: str
    location_id: int


@dataclass
class FlowPlan:
    episodes: list[Episode] = field(default_factory=list)
    patients: list[NewPatient] = field(default_factory=list)


def weekdays_between(first: date, last: date) -> Iterator[date]:
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


def is_holiday(day: date) -> bool:
    return (day.month, day.day) in HOLIDAYS


def plan_flow(
    rng: random.Random,
    *,
    tracks: Sequence[TrackInfo],
    sites: dict[int, SiteInfo],
    existing: Sequence[Episode],
    targets: dict[int, int],
    first: date,
    last: date,
) -> FlowPlan:
    """New historical episodes (and their patients) filling each track up to its target."""
    plan = FlowPlan()
    for track in tracks:
        _fill_track(rng, plan, track, sites[track.location_id], existing, targets, first, last)
    plan.episodes.sort(key=lambda e: (e.admit, e.track_id))
    return plan


def _fill_track(
    rng: random.Random,
    plan: FlowPlan,
    track: TrackInfo,
    site: SiteInfo,
    existing: Sequence[Episode],
    targets: dict[int, int],
    first: date,
    last: date,
) -> None:
    ours = [e for e in existing if e.track_id == track.id]
    target = max(2, targets.get(track.id, 0))
    # Start with a full group (admitted over the previous weeks), then keep it full.
    open_episodes = [e for e in ours if e.covers(first)]
    for _ in range(max(0, target - len(open_episodes))):
        admit = first - timedelta(days=rng.randrange(0, 56))
        _admit(rng, plan, track, site, admit, last, open_episodes)
    for day in weekdays_between(first, last):
        if day.isoweekday() > 5:
            continue
        open_episodes = [e for e in open_episodes if e.covers(day)]
        arrivals = [e for e in ours if e.admit == day]
        open_episodes += arrivals
        wanted = round(target * _season(day))
        if len(open_episodes) < wanted and rng.random() < 0.45:
            _admit(rng, plan, track, site, day, last, open_episodes)


def _season(day: date) -> float:
    """Fewer admissions around the winter holidays, more in spring: +-10 %."""
    return 1 + 0.1 * math.sin(2 * math.pi * (day.timetuple().tm_yday - 30) / 365)


def _admit(
    rng: random.Random,
    plan: FlowPlan,
    track: TrackInfo,
    site: SiteInfo,
    admit: date,
    last: date,
    open_episodes: list[Episode],
) -> None:
    early = rng.random() < EARLY_LEAVERS
    days = rng.randrange(MIN_EPISODE_DAYS, 56) if early else rng.randrange(56, 85)
    discharge = min(admit + timedelta(days=days), last)
    if (discharge - admit).days < MIN_EPISODE_DAYS:
        return
    kind = _pick(rng, EARLY_TYPES) if early and discharge < last else "completed"
    episode = Episode(
        track_id=track.id,
        location_id=track.location_id,
        admit=admit,
        discharge=discharge,
        counselor_id=rng.choice(site.counselor_ids),
        physician_id=rng.choice(site.physician_ids),
        discharge_type=kind,
        patient_key=_patient_for(rng, plan, site.id, admit),
        engagement=rng.uniform(0.72, 0.98) if not early else rng.uniform(0.55, 0.85),
    )
    plan.episodes.append(episode)
    open_episodes.append(episode)


def _patient_for(rng: random.Random, plan: FlowPlan, location_id: int, admit: date) -> int:
    """A former patient of this site discharged 3+ months ago, now and then; else a new one."""
    if rng.random() < READMISSIONS:
        cutoff = admit - timedelta(days=90)
        former = [
            e.patient_key
            for e in plan.episodes[-200:]
            if e.location_id == location_id and e.discharge and e.discharge < cutoff
        ]
        taken = {e.patient_key for e in plan.episodes if e.discharge and e.discharge >= cutoff}
        former = [k for k in former if k not in taken]
        if former:
            return rng.choice(former)  # type: ignore[return-value]
    key = len(plan.patients) + 1
    plan.patients.append(
        NewPatient(
            key=key,
            mrn=f"{MRN_PREFIX}{key:06d}",
            first_name=rng.choice(names.FIRST_NAMES),
            last_name=rng.choice(names.PATIENT_SURNAMES),
            date_of_birth=admit - timedelta(days=rng.randrange(19 * 365, 64 * 365)),
            sex_at_birth=rng.choice(("female", "male")),
            location_id=location_id,
        )
    )
    return key


def _pick(rng: random.Random, weighted: Sequence[tuple[str, float]]) -> str:
    return rng.choices([w[0] for w in weighted], weights=[w[1] for w in weighted])[0]


# ---- one group day ----------------------------------------------------------------------


@dataclass(frozen=True)
class DayOutcome:
    status: str
    minutes: int
    late_by: int = 0  # minutes after the start
    left_early_by: int = 0  # minutes before the end


def group_day(rng: random.Random, engagement: float, length: int) -> DayOutcome:
    """How one patient's group day went: mostly present, sometimes late, early or absent."""
    if rng.random() > engagement:
        excused = rng.random() < 0.5
        return DayOutcome("absent_excused" if excused else "absent_unexcused", 0)
    roll = rng.random()
    if roll < 0.07:
        late = rng.randrange(10, 46)
        return DayOutcome("late", length - late, late_by=late)
    if roll < 0.12:
        early = rng.randrange(30, 91)
        return DayOutcome("left_early", length - early, left_early_by=early)
    return DayOutcome("present", length)


def visit_status(rng: random.Random, engagement: float) -> str:
    """A weekly appointment's outcome: completed, or a no-show / cancellation."""
    roll = rng.random()
    miss = (1 - engagement) * 0.9
    if roll < miss * 0.55:
        return "no_show"
    if roll < miss:
        return "cancelled"
    return "completed"


# ---- placing weekly visits --------------------------------------------------------------


@dataclass
class Booker:
    """First free slot in a week for a patient, a clinician and a room: never double-books."""

    taken: set[tuple[str, int, date, time]] = field(default_factory=set)

    def place(
        self,
        *,
        days: Sequence[date],
        starts: Sequence[time],
        patient_id: int,
        staff_id: int,
        room_ids: Sequence[int | None],
    ) -> tuple[date, time, int | None] | None:
        for day in days:
            for start in starts:
                if self._busy("p", patient_id, day, start) or self._busy("s", staff_id, day, start):
                    continue
                for room in room_ids:
                    if room is None or not self._busy("r", room, day, start):
                        self._take(patient_id, staff_id, room, day, start)
                        return day, start, room
        return None

    def _busy(self, kind: str, ident: int, day: date, start: time) -> bool:
        return (kind, ident, day, start) in self.taken

    def _take(self, patient: int, staff: int, room: int | None, day: date, start: time) -> None:
        self.taken.update({("p", patient, day, start), ("s", staff, day, start)})
        if room is not None:
            self.taken.add(("r", room, day, start))

    def forget_before(self, day: date) -> None:
        """Drop past weeks so the set stays small over five years."""
        self.taken = {t for t in self.taken if t[2] >= day}


# ---- questionnaire answers --------------------------------------------------------------


def questionnaire_answers(rng: random.Random, items: int, progress: float) -> list[int]:
    """Answers 0-3 that ease as treatment goes on (progress 0 at admission, 1 at the end).
    PHQ-9 item 9 stays 0: a positive answer raises an urgent task this history does not
    invent."""
    mean = 1.7 - 1.1 * progress
    answers = [max(0, min(3, round(rng.gauss(mean, 0.8)))) for _ in range(items)]
    if items == 9:
        answers[8] = 0
    return answers
