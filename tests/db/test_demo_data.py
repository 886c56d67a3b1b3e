"""`openiop demo-data`: a believable, fictional provider, the same for the same seed.

The demo is loaded once per backend into a fresh database (the CLI commits through its own
engine, so the rolled-back `db` fixture cannot be used) with the clock frozen; the read-only
checks below share it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload
from typer.testing import Result

from openiop.config import get_settings
from openiop.demo import admissions_plan
from openiop.demo import plan as demo_plan
from openiop.demo.patients import DISCHARGE_TYPES, SUBSTANCES, CommitmentPlan, fits
from openiop.demo.plan import TrackPlan
from openiop.kit import clock
from openiop.kit.identifiers import npi_is_valid
from openiop.models import (
    AuditEvent,
    Commitment,
    Enrollment,
    Inquiry,
    InquiryContact,
    Location,
    LocationRate,
    Organization,
    Patient,
    ReferralSource,
    StaffMember,
    Track,
    User,
)
from openiop.security.passwords import verify_password
from openiop.security.permissions import Role
from tests.db.test_cli import (  # noqa: F401 - fixtures used by name
    BACKENDS,
    cli_url,
    fresh_database,
    postgres_template,
    run,
    session_on,
)

FROZEN = datetime(2026, 11, 30, 17, 0, tzinfo=UTC)  # a Monday morning in California
ARGS = ("--patients", "30", "--seed", "3")


@dataclass(frozen=True)
class Loaded:
    url: str
    output: str


def load_demo(url: str, *args: str) -> Result:
    with pytest.MonkeyPatch.context() as env:
        env.setenv("OPENIOP_DATABASE_URL", url)
        get_settings.cache_clear()
        clock.freeze(FROZEN)
        try:
            return run("demo-data", *args)
        finally:
            clock.freeze(None)
            get_settings.cache_clear()


@pytest.fixture(scope="module", params=BACKENDS)
def demo(request, tmp_path_factory) -> Iterator[Loaded]:  # type: ignore[no-untyped-def]
    with fresh_database(request, tmp_path_factory.mktemp("demo")) as url:
        result = load_demo(url, *ARGS)
        assert result.exit_code == 0, result.output
        yield Loaded(url, result.output)


@pytest.fixture(params=["sqlite"])
def second_url(request, tmp_path) -> Iterator[str]:  # type: ignore[no-untyped-def]
    with fresh_database(request, tmp_path) as url:
        yield url


def people(session: Session) -> list[tuple]:
    rows = session.execute(
        select(
            Patient.mrn, Patient.first_name, Patient.last_name, Patient.date_of_birth,
            Enrollment.status, Track.name,
        )
        .join(Enrollment, Enrollment.patient_id == Patient.id)
        .outerjoin(Track, Track.id == Enrollment.track_id)
        .order_by(Patient.mrn)
    )  # fmt: skip
    return [tuple(row) for row in rows]


def count_rows(session: Session) -> dict[str, int]:
    models = (Organization, Location, StaffMember, User, Patient, Enrollment, Track, AuditEvent)
    return {m.__tablename__: session.scalar(select(func.count()).select_from(m)) for m in models}


# ---- determinism and idempotence ------------------------------------------------------------


def test_same_seed_gives_the_same_people_on_a_fresh_database(demo, second_url):
    again = load_demo(second_url, *ARGS)
    assert again.exit_code == 0, again.output
    with session_on(demo.url) as first, session_on(second_url) as second:
        assert len(people(first)) == 30
        assert people(first) == people(second)


def test_a_different_seed_gives_different_people():
    one = demo_plan.build_plan(seed=3, patient_count=30, today=date(2026, 11, 30))
    other = demo_plan.build_plan(seed=4, patient_count=30, today=date(2026, 11, 30))
    assert [p.full_name for p in one.patients] != [p.full_name for p in other.patients]
    assert [p.mrn for p in one.patients] != [p.mrn for p in other.patients]


def test_a_second_run_does_not_duplicate(demo):
    with session_on(demo.url) as session:
        before = count_rows(session)
    result = load_demo(demo.url, *ARGS)
    assert result.exit_code == 0, result.output
    assert "already loaded" in result.output
    with session_on(demo.url) as session:
        assert count_rows(session) == before
        assert before["organizations"] == 1 and before["patients"] == 30


def test_refuses_a_database_holding_other_data(cli_url):  # noqa: F811 - the imported fixture
    made = run("user", "create", "--email", "ops@example.org", "--role", "admin",
               input="a long enough password\n")  # fmt: skip
    assert made.exit_code == 0, made.output
    result = load_demo(cli_url, *ARGS)
    assert result.exit_code == 1
    assert "already holds accounts or records" in result.output
    with session_on(cli_url) as session:
        assert count_rows(session)["patients"] == 0 and count_rows(session)["organizations"] == 0


# ---- accounts ------------------------------------------------------------------------------


def test_every_role_has_a_demo_sign_in_with_the_published_password(demo):
    with session_on(demo.url) as session:
        users = {u.email: u for u in session.scalars(select(User))}
    assert {u.role for u in users.values()} == {str(role) for role in Role}
    for login in demo_plan.demo_logins():
        user = users[login.email]
        assert user.role == str(login.role) and not user.mfa_enabled
        assert verify_password(user.password_hash, demo_plan.DEMO_PASSWORD), login.email
        assert login.email in demo.output
    assert demo_plan.DEMO_PASSWORD in demo.output


def test_the_demo_patient_is_on_the_demo_counselors_caseload(demo):
    with session_on(demo.url) as session:
        counselor = session.scalars(
            select(User).where(User.email == "counselor@demo.example.org")
        ).one()
        patient_user = session.scalars(select(User).where(User.role == "patient")).one()
        caseload = session.scalars(
            select(Enrollment).where(
                Enrollment.primary_counselor_id == counselor.staff_member_id,
                Enrollment.status != "discharged",
            )
        ).all()
    assert len(caseload) >= 3, "the care-team view needs several patients"
    assert patient_user.email == "patient@demo.example.org"
    assert patient_user.patient_id in {e.patient_id for e in caseload}


# ---- the provider's setup ------------------------------------------------------------------


def test_every_location_has_a_morning_and_an_evening_track(demo):
    with session_on(demo.url) as session:
        locations = session.scalars(select(Location)).all()
        tracks = session.scalars(select(Track).options(selectinload(Track.facilitators))).all()
    assert len(locations) == 3
    for location in locations:
        own = {(t.start_time, t.end_time): t for t in tracks if t.location_id == location.id}
        assert set(own) == {(time(9), time(12)), (time(18), time(21))}, location.code
        for track in own.values():
            assert track.weekdays == "12345" and track.room_id is not None
            assert track.facilitators, track.name


def test_enrollments_are_staffed_from_their_own_location(demo):
    with session_on(demo.url) as session:
        staff = {
            s.id: s
            for s in session.scalars(
                select(StaffMember).options(selectinload(StaffMember.locations))
            )
        }
        roles = dict(session.execute(select(User.staff_member_id, User.role)).all())
        tracks = {t.id: t for t in session.scalars(select(Track))}
        enrollments = session.scalars(select(Enrollment)).all()
    for e in enrollments:
        counselor, physician = staff[e.primary_counselor_id], staff[e.physician_id]
        assert e.location_id in {loc.id for loc in counselor.locations}, e.id
        assert e.location_id in {loc.id for loc in physician.locations}, e.id
        assert roles[counselor.id] == "counselor" and roles[physician.id] == "physician"
        assert e.track_id is None or tracks[e.track_id].location_id == e.location_id


def test_each_patients_group_fits_around_their_week(demo):
    with session_on(demo.url) as session:
        tracks = {t.id: t for t in session.scalars(select(Track))}
        enrollments = session.scalars(
            select(Enrollment).where(
                Enrollment.status != "discharged", Enrollment.track_id.isnot(None)
            )
        ).all()
        blocks = session.scalars(select(Commitment)).all()
    assert any(b.kind == "childcare" for b in blocks) and any(b.kind == "work" for b in blocks)
    for e in enrollments:
        track = tracks[e.track_id]
        for block in (b for b in blocks if b.patient_id == e.patient_id):
            same_day = str(block.weekday) in track.weekdays
            overlaps = block.start_time < track.end_time and track.start_time < block.end_time
            assert not (same_day and overlaps), f"enrollment {e.id}: {block.label} vs {track.name}"


def test_day_workers_go_to_the_evening_group_and_evening_workers_to_the_morning():
    group = {"weekdays": "12345", "room_name": "A", "facilitator_keys": ()}
    morning = TrackPlan("AM", "Mornings", time(9), time(12), **group)
    evening = TrackPlan("PM", "Evenings", time(18), time(21), **group)
    office = [CommitmentPlan("work", day, time(9), time(17), "Work") for day in range(1, 6)]
    late = [CommitmentPlan("work", day, time(15), time(23), "Work") for day in range(2, 7)]
    pickup = [CommitmentPlan("childcare", 3, time(17), time(18), "Pick-up")]
    assert (fits(morning, office), fits(evening, office)) == (False, True)
    assert (fits(morning, late), fits(evening, late)) == (True, False)
    assert not fits(evening, pickup), "no time to get from the pick-up to the group"


# ---- what the records look like ------------------------------------------------------------


def test_statuses_discharges_and_diagnoses_look_real(demo):
    with session_on(demo.url) as session:
        enrollments = session.scalars(select(Enrollment)).all()
    assert {e.status for e in enrollments} == {"active", "discharged", "pending"}
    assert sum(e.status == "active" for e in enrollments) > len(enrollments) / 2
    for e in enrollments:
        codes = e.diagnosis_codes.split(",")
        assert re.fullmatch(r"F1[0-9]\.20", codes[0]), e.diagnosis_codes
        if e.status == "discharged":
            assert e.discharge_type and e.discharge_date and e.discharge_date > e.admit_date
        else:
            assert e.discharge_type is None and e.discharge_date is None
        if e.status == "pending":
            assert e.admit_date > date(2026, 11, 30)  # starts after the frozen today


def test_demo_speaks_the_registrys_vocabulary():
    from openiop.patients import enrollment_rules, rules

    assert {kind for kind, _ in DISCHARGE_TYPES} <= set(enrollment_rules.DISCHARGE_TYPES)
    assert set(SUBSTANCES) <= set(enrollment_rules.SUBSTANCES)
    assert {"work", "school", "childcare"} <= set(rules.COMMITMENT_KINDS)
    assert {"female", "male"} <= set(rules.SEX_AT_BIRTH)


def test_identifiers_are_fictional_and_npis_valid(demo):
    with session_on(demo.url) as session:
        patients = session.scalars(select(Patient)).all()
        locations = session.scalars(select(Location)).all()
        staff = session.scalars(select(StaffMember)).all()
        org = session.scalars(select(Organization)).one()
    assert org.name == "Sunward Recovery Collective (demo)" and npi_is_valid(org.npi)
    for p in patients:
        assert p.email.endswith("example.org") and p.mrn.startswith("DEMO-")
        assert p.phone.startswith("(555) 01") and p.emergency_contact_phone.startswith("(555) 01")
        assert p.emergency_contact_name and p.emergency_contact_relationship
    for location in locations:
        assert npi_is_valid(location.npi) and location.postal_code.startswith("9")
        assert location.phone.startswith("(555) 01") and location.state == "CA"
    assert all(npi_is_valid(s.npi) for s in staff if s.npi)
    assert {"MD", "NP", "LCSW", "LMFT", "CADC"} <= {c for s in staff for c in s.credential_list}


def test_loading_is_audited_on_the_cli_channel(demo):
    with session_on(demo.url) as session:
        events = session.scalars(select(AuditEvent)).all()
    created = [e for e in events if e.action == "patient.create"]
    assert len(created) == 30 and {e.channel for e in events} == {"cli"}
    assert len({e.patient_id for e in created}) == 30
    assert any(e.action == "demo.load" for e in events)


# ---- the admissions side -------------------------------------------------------------------


def inquiries(session: Session) -> list[tuple]:
    rows = session.execute(
        select(
            Inquiry.idempotency_key, Inquiry.stage, Inquiry.name, Inquiry.phone,
            Inquiry.created_at, Inquiry.admitted_at, Inquiry.next_action_date,
            Location.code, ReferralSource.name, User.email,
        )
        .join(Location, Location.id == Inquiry.location_id)
        .join(ReferralSource, ReferralSource.id == Inquiry.referral_source_id)
        .outerjoin(User, User.id == Inquiry.owner_user_id)
        .order_by(Inquiry.idempotency_key)
    )  # fmt: skip
    # SQLite hands times back without their zone: compare them as UTC wall-clock times.
    return [(*row[:4], *(naive(t) for t in row[4:6]), *row[6:]) for row in rows]


def naive(moment: datetime | None) -> datetime | None:
    if moment is None or moment.tzinfo is None:
        return moment
    return moment.astimezone(UTC).replace(tzinfo=None)


def admissions_counts(session: Session) -> dict[str, int]:
    models = (Inquiry, InquiryContact, ReferralSource, LocationRate)
    return {m.__tablename__: session.scalar(select(func.count()).select_from(m)) for m in models}


def test_same_seed_gives_the_same_inquiries_on_a_fresh_database(demo, second_url):
    again = load_demo(second_url, *ARGS)
    assert again.exit_code == 0, again.output
    with session_on(demo.url) as first, session_on(second_url) as second:
        rows = inquiries(first)
        assert len(rows) == admissions_plan.inquiry_count(30) == 12
        assert rows == inquiries(second)
        assert admissions_counts(first) == admissions_counts(second)


def test_the_inquiry_count_grows_mildly_with_the_patients():
    assert admissions_plan.inquiry_count(30) == 12
    assert admissions_plan.inquiry_count(120) == 30
    big = demo_plan.build_plan(seed=3, patient_count=200, today=date(2026, 11, 30))
    assert len(big.admissions.inquiries) == 50


def test_every_location_has_day_rates_in_force(demo):
    with session_on(demo.url) as session:
        locations = session.scalars(select(Location)).all()
        rates = {r.location_id: r for r in session.scalars(select(LocationRate))}
    assert set(rates) == {loc.id for loc in locations}
    for rate in rates.values():
        assert rate.effective_from <= date(2026, 11, 30)
        assert 25_000 <= rate.iop_day_rate_cents <= 45_000
        assert 90_000 <= rate.residential_day_rate_cents <= 140_000
        assert 180_000 <= rate.inpatient_day_rate_cents <= 260_000


def test_inquiries_cover_every_stage_and_look_like_a_pipeline(demo):
    from openiop.admissions.pipeline_rules import CLOSED_STAGES, OPEN_STAGES, STAGES
    from openiop.admissions.pipeline_schemas import CHANNELS, OUTCOMES, SOURCE_KINDS

    with session_on(demo.url) as session:
        rows = session.scalars(select(Inquiry)).all()
        contacts = session.scalars(select(InquiryContact)).all()
        sources = session.scalars(select(ReferralSource)).all()
        owners = {u.id: u.email for u in session.scalars(select(User))}
    assert set(OPEN_STAGES) <= {i.stage for i in rows} <= set(STAGES)
    assert 6 <= len(sources) <= 8 and {s.kind for s in sources} == set(SOURCE_KINDS)
    assert all(s.name.endswith("(demo)") for s in sources)
    now = naive(FROZEN)
    for i in rows:
        assert naive(i.created_at) < now and (now - naive(i.created_at)).days <= 61
        assert (i.admitted_at is not None) == (i.stage == "admitted"), i.idempotency_key
        assert bool(i.closed_reason) == (i.stage in CLOSED_STAGES), i.idempotency_key
        assert i.phone is None or i.phone.startswith("(555) 01")
        assert i.email is None or i.email.endswith("@example.org")
        assert i.location_id and i.referral_source_id and i.consent_to_contact
        if i.admitted_at:
            assert naive(i.created_at) < naive(i.admitted_at) < now
    owned = [owners[i.owner_user_id] for i in rows if i.owner_user_id]
    assert owned.count("admissions@demo.example.org") > len(rows) / 2
    assert all(i.owner_user_id is None for i in rows if i.stage == "new")
    assert {c.channel for c in contacts} <= set(CHANNELS)
    assert {c.outcome for c in contacts} <= set(OUTCOMES)
    per_inquiry = {i.id: sum(c.inquiry_id == i.id for c in contacts) for i in rows}
    assert max(per_inquiry.values()) <= 3 and any(per_inquiry.values())


def test_one_pair_of_inquiries_shares_a_phone(demo):
    from openiop.admissions.pipeline_rules import phone_key

    with session_on(demo.url) as session:
        phones = [phone_key(i.phone) for i in session.scalars(select(Inquiry)) if i.phone]
    shared = {p for p in phones if phones.count(p) > 1}
    assert len(shared) == 1 and phones.count(shared.pop()) == 2


def test_a_second_run_adds_no_admissions_rows(demo):
    with session_on(demo.url) as session:
        before = admissions_counts(session)
    result = load_demo(demo.url, *ARGS)
    assert result.exit_code == 0 and "already loaded" in result.output
    with session_on(demo.url) as session:
        assert admissions_counts(session) == before
    assert before["inquiries"] == 12 and before["location_rates"] == 3


def test_admissions_rows_are_audited(demo):
    with session_on(demo.url) as session:
        actions = [e.action for e in session.scalars(select(AuditEvent))]
    assert actions.count("inquiry.create") == 12
    assert actions.count("rate.create") == 3
    assert actions.count("referral_source.create") == 7
