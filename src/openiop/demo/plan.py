"""The demo provider as plain data: built from a seed, written to the database elsewhere.

Everything here is pure (no database, no clock): the same seed and `today` always give the
same plan, so two demo databases built alike hold the same patients with the same MRNs.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, time
from decimal import Decimal

from openiop.demo import admissions_plan, names, patients
from openiop.demo.admissions_plan import AdmissionsPlan
from openiop.demo.patients import PatientPlan
from openiop.kit.identifiers import npi_with_check_digit
from openiop.security.permissions import Role

ORGANIZATION_NAME = "Sunward Recovery Collective (demo)"
DEMO_DOMAIN = "demo.example.org"
# Published in the README: demo accounts must never exist in a database real people use.
DEMO_PASSWORD = "demo-password-123"
MAX_PATIENTS = 2000
# The counselor who signs in as counselor@…: the demo patient is on their caseload.
DEMO_COUNSELOR = "counselor-HARBOR-1"


@dataclass(frozen=True)
class RoomPlan:
    name: str
    capacity: int
    telehealth: bool = False


@dataclass(frozen=True)
class TrackPlan:
    key: str
    name: str
    start: time
    end: time
    room_name: str
    facilitator_keys: tuple[str, ...]
    weekdays: str = "12345"
    group_size_cap: int = 15


@dataclass(frozen=True)
class LocationPlan:
    code: str
    name: str
    address_line1: str
    address_line2: str | None
    city: str
    postal_code: str
    phone: str
    npi: str
    rooms: tuple[RoomPlan, ...]
    tracks: tuple[TrackPlan, ...]


@dataclass(frozen=True)
class ProgramPlan:
    code: str = "IOP-ADULT"
    name: str = "Adult Intensive Outpatient (ASAM 2.1)"
    asam_level: str = "2.1"
    population: str = "adult"
    group_days_per_week: int = 5
    group_hours_per_day: Decimal = Decimal("3")
    min_weekly_hours: Decimal = Decimal("9")
    max_weekly_hours: Decimal = Decimal("19")
    individual_sessions_per_week: int = 1
    individual_min_minutes: int = 50
    physician_visits_per_week: int = 1
    physician_visit_minutes: int = 20


@dataclass(frozen=True)
class StaffPlan:
    key: str
    role: Role
    first_name: str
    last_name: str
    email: str
    credentials: str
    location_codes: tuple[str, ...]
    npi: str | None = None
    caseload_cap: int = 0
    weekly_hours: Decimal = Decimal("40")

    @property
    def display_name(self) -> str:
        suffix = f", {self.credentials.replace(',', ', ')}" if self.credentials else ""
        return f"{self.first_name} {self.last_name}{suffix}"


@dataclass(frozen=True)
class DemoLogin:
    role: Role
    email: str


@dataclass(frozen=True)
class DemoPlan:
    organization_name: str
    organization_npi: str
    program: ProgramPlan
    locations: tuple[LocationPlan, ...]
    staff: tuple[StaffPlan, ...]
    patients: tuple[PatientPlan, ...]
    logins: tuple[DemoLogin, ...]
    patient_login_mrn: str | None
    admissions: AdmissionsPlan


# (code, name, street, suite, city, ZIP): fictional towns shaped like California's.
_SITES = (
    ("HARBOR", "Sunward Harbor Flats", "1200 Tidewater Promenade", "Suite 300", "Harbor Flats", "93990"),
    ("CEDAR", "Sunward Cedar Mesa", "48 Juniper Switchback", None, "Cedar Mesa", "92990"),
    ("LARKSPUR", "Sunward Larkspur Valley", "305 Meadowlark Lane", "Building B", "Larkspur Valley", "95990"),
)  # fmt: skip
_ROOMS = (
    RoomPlan("Group Room A", 16),
    RoomPlan("Group Room B", 14),
    RoomPlan("Counseling Room 1", 3),
    RoomPlan("Counseling Room 2", 3),
    RoomPlan("Exam Room", 2),
    RoomPlan("Telehealth", 16, telehealth=True),
)
_COUNSELOR_CREDENTIALS = ("LCSW", "LMFT,CADC", "CADC", "LMFT", "LCSW,CADC", "CADC")

# One sign-in per role, in the order the README lists them.
_LOGIN_ROLES = (
    Role.COUNSELOR, Role.PHYSICIAN, Role.PROGRAM_DIRECTOR, Role.ADMISSIONS, Role.BILLING,
    Role.FRONT_DESK, Role.AUDITOR, Role.ADMIN, Role.PATIENT,
)  # fmt: skip
_LOGIN_LOCAL_PART = {Role.PROGRAM_DIRECTOR: "director", Role.FRONT_DESK: "frontdesk"}


def login_email(role: Role) -> str:
    return f"{_LOGIN_LOCAL_PART.get(role, str(role))}@{DEMO_DOMAIN}"


def demo_logins() -> tuple[DemoLogin, ...]:
    return tuple(DemoLogin(role, login_email(role)) for role in _LOGIN_ROLES)


def _npi(rng: random.Random, used: set[str]) -> str:
    while True:
        npi = npi_with_check_digit(f"1{rng.randrange(10**8):08d}")
        if npi not in used:
            used.add(npi)
            return npi


def build_plan(*, seed: int, patient_count: int, today: date) -> DemoPlan:
    if not 1 <= patient_count <= MAX_PATIENTS:
        raise ValueError(f"patient_count must be between 1 and {MAX_PATIENTS}")
    rng = random.Random(seed)
    npis: set[str] = set()
    organization_npi = _npi(rng, npis)
    staff = _staff(rng, npis)
    locations = tuple(_location(rng, site, staff, npis) for site in _SITES)
    roster = patients.build_patients(
        rng,
        count=patient_count,
        today=today,
        sites=[patients.Site(loc.code, loc.city, loc.postal_code, loc.tracks) for loc in locations],
        staff=staff,
    )
    linked = next(
        (p for p in roster if p.enrollment.status == "active"
         and p.enrollment.counselor_key == DEMO_COUNSELOR),
        None,
    )  # fmt: skip
    if linked is not None:
        roster = tuple(
            patients.with_email(p, login_email(Role.PATIENT)) if p is linked else p for p in roster
        )
    return DemoPlan(
        organization_name=ORGANIZATION_NAME,
        organization_npi=organization_npi,
        program=ProgramPlan(),
        locations=locations,
        staff=staff,
        patients=roster,
        logins=demo_logins() if linked else demo_logins()[:-1],
        patient_login_mrn=linked.mrn if linked else None,
        admissions=admissions_plan.build_admissions(
            seed=seed,
            patient_count=patient_count,
            today=today,
            location_codes=[loc.code for loc in locations],
        ),
    )


def _location(
    rng: random.Random, site: tuple, staff: tuple[StaffPlan, ...], npis: set[str]
) -> LocationPlan:
    code, name, street, suite, city, zip_code = site
    counselors = [s.key for s in staff if s.role is Role.COUNSELOR and code in s.location_codes]
    tracks = (
        TrackPlan(
            f"{code}-AM",
            f"{city} mornings",
            time(9),
            time(12),
            "Group Room A",
            tuple(counselors[:2]),
        ),
        TrackPlan(
            f"{code}-PM",
            f"{city} evenings",
            time(18),
            time(21),
            "Group Room B",
            tuple(counselors[2:]),
        ),
    )
    return LocationPlan(
        code,
        name,
        street,
        suite,
        city,
        zip_code,
        patients.fictional_phone(rng),
        _npi(rng, npis),
        _ROOMS,
        tracks,
    )


def _staff(rng: random.Random, npis: set[str]) -> tuple[StaffPlan, ...]:
    surnames = list(names.STAFF_SURNAMES)
    firsts = list(names.FIRST_NAMES)
    rng.shuffle(surnames)
    rng.shuffle(firsts)
    people = iter(zip(firsts, surnames, strict=False))
    all_sites = tuple(site[0] for site in _SITES)
    specs: list[tuple[str, Role, str, tuple[str, ...], bool]] = []
    credentials = iter(_COUNSELOR_CREDENTIALS * 2)
    for code in all_sites:
        for n in (1, 2, 3):
            specs.append(
                (f"counselor-{code}-{n}", Role.COUNSELOR, next(credentials), (code,), True)
            )
    specs += [
        ("physician-1", Role.PHYSICIAN, "MD", ("HARBOR", "CEDAR"), True),
        ("physician-2", Role.PHYSICIAN, "MD", ("LARKSPUR", "CEDAR"), True),
        ("nurse-practitioner", Role.PHYSICIAN, "NP", all_sites, True),
        ("director", Role.PROGRAM_DIRECTOR, "LMFT", all_sites, False),
        ("admissions-1", Role.ADMISSIONS, "", ("HARBOR", "CEDAR"), False),
        ("admissions-2", Role.ADMISSIONS, "", ("LARKSPUR",), False),
        ("billing", Role.BILLING, "", all_sites, False),
        *[(f"frontdesk-{code}", Role.FRONT_DESK, "", (code,), False) for code in all_sites],
        ("auditor", Role.AUDITOR, "", all_sites, False),
        ("admin", Role.ADMIN, "", all_sites, False),
    ]
    login_keys = {
        DEMO_COUNSELOR, "physician-1", "director", "admissions-1", "billing",
        "frontdesk-HARBOR", "auditor", "admin",
    }  # fmt: skip
    return tuple(
        _staff_member(spec, next(people), spec[0] in login_keys, rng, npis) for spec in specs
    )


def _staff_member(
    spec: tuple[str, Role, str, tuple[str, ...], bool],
    person: tuple[str, str],
    is_login: bool,
    rng: random.Random,
    npis: set[str],
) -> StaffPlan:
    key, role, credentials, sites, has_npi = spec
    first, last = person
    email = login_email(role) if is_login else f"{first}.{last}@{DEMO_DOMAIN}".lower()
    return StaffPlan(
        key=key,
        role=role,
        first_name=first,
        last_name=last,
        email=email,
        credentials=credentials,
        location_codes=sites,
        npi=_npi(rng, npis) if has_npi else None,
        caseload_cap=15 if role is Role.COUNSELOR else 0,
        weekly_hours=Decimal("40") if role is not Role.PHYSICIAN else Decimal("24"),
    )
