"""Group notes written once: each attendee's chart shows the shared part and that patient's
part only, never another attendee's name or part, in the API and on the pages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from openiop.kit import clock
from openiop.models import ClinicalNote, Enrollment, GroupNote
from tests.db import support_notes as s
from tests.personas import sign_in

SHARED = {
    "topic": "Relapse prevention: high-risk situations",
    "content": "Mapped personal high-risk situations and rehearsed refusal skills.",
    "interventions": "CBT skills practice, role play, motivational interviewing.",
}


def marker(patient) -> str:  # type: ignore[no-untyped-def]
    return f"PART-OF-{patient.last_name.upper()}"


def body(nw, *, version=None, attendees=None) -> dict:  # type: ignore[no-untyped-def]
    people = nw.attendees if attendees is None else attendees
    parts = [
        {
            "patient_id": p.id,
            "participation": f"{marker(p)} took an active part.",
            "response": "Receptive to feedback.",
            "progress": "Practised a refusal script toward the plan goal.",
        }
        for p in people
    ]
    return {**SHARED, "version": version, "parts": parts}


@pytest.fixture
def nw(db):  # type: ignore[no-untyped-def]
    return s.build(db)


def _url(nw) -> str:  # type: ignore[no-untyped-def]
    return f"/api/v1/group-sessions/{nw.group.id}/note"


def _write_and_sign(client, db, nw, persona="facilitator"):  # type: ignore[no-untyped-def]
    headers = s.bearer(db, nw.user(persona))
    saved = client.put(_url(nw), json=body(nw), headers=headers)
    assert saved.status_code == 200, saved.text
    signed = client.post(_url(nw) + "/sign", headers=headers)
    assert signed.status_code == 200, signed.text
    return signed.json()


def _others(nw, patient):  # type: ignore[no-untyped-def]
    return [p for p in nw.attendees if p.id != patient.id]


def _assert_only_own(text: str, nw, patient) -> None:  # type: ignore[no-untyped-def]
    assert marker(patient) in text
    assert SHARED["content"] in text
    for other in _others(nw, patient):
        assert marker(other) not in text
        assert other.last_name not in text
        assert other.mrn not in text


def test_written_once_it_appears_in_every_attendees_chart_individualized(client, db, nw):
    note = _write_and_sign(client, db, nw)
    assert note["status"] == "signed" and len(note["parts"]) == 4
    reader = s.bearer(db, nw.user("care_counselor"))
    for patient in nw.attendees:
        listing = client.get(f"/api/v1/patients/{patient.id}/notes", headers=reader)
        assert listing.status_code == 200
        items = listing.json()["items"]
        assert [i["format"] for i in items] == ["group"]
        _assert_only_own(
            listing.text + " " + marker(patient) + " " + SHARED["content"], nw, patient
        )
        one = client.get(f"/api/v1/notes/{items[0]['id']}", headers=reader)
        assert one.status_code == 200
        data = one.json()
        assert data["group"]["content"] == SHARED["content"]
        assert data["patient_id"] == patient.id
        _assert_only_own(one.text, nw, patient)


def test_each_part_is_signed_with_its_own_hash(client, db, nw):
    _write_and_sign(client, db, nw)
    parts = db.query(ClinicalNote).filter(ClinicalNote.format == "group").all()
    assert len({p.content_hash for p in parts}) == 4
    assert all(p.status == "signed" and p.signed_at == s.SOON_AFTER for p in parts)
    assert all(p.service_at == s.SESSION_END and not p.late for p in parts)


def test_the_chart_pages_show_only_the_patients_own_part(client, db, nw):
    _write_and_sign(client, db, nw)
    sign_in(client, "care_counselor@example.org")
    for patient in nw.attendees:
        chart = client.get(f"/patients/{patient.id}/notes")
        assert chart.status_code == 200
        assert SHARED["topic"] in chart.text
        for other in _others(nw, patient):
            assert other.last_name not in chart.text
        note_id = db.query(ClinicalNote.id).filter_by(patient_id=patient.id).scalar()
        page = client.get(f"/notes/{note_id}")
        assert page.status_code == 200
        _assert_only_own(page.text, nw, patient)


def test_signing_twice_and_editing_after_signing_are_refused(client, db, nw):
    note = _write_and_sign(client, db, nw)
    headers = s.bearer(db, nw.user("facilitator"))
    again = client.post(_url(nw) + "/sign", headers=headers)
    assert again.status_code == 409 and "already signed" in again.json()["detail"]
    edit = client.put(_url(nw), json=body(nw, version=note["version"]), headers=headers)
    assert edit.status_code == 409 and "locked" in edit.json()["detail"]
    part_id = db.query(ClinicalNote.id).filter_by(patient_id=nw.pat.id).scalar()
    patch = client.patch(
        f"/api/v1/notes/{part_id}", json={"version": 1, "sections": {}}, headers=headers
    )
    assert patch.status_code == 409


def test_a_patient_not_on_the_roster_is_refused_and_nothing_is_written(client, db, nw):
    outsider = nw.world.other_patient  # site B, another track
    response = client.put(
        _url(nw),
        json=body(nw, attendees=[nw.pat, outsider]),
        headers=s.bearer(db, nw.user("facilitator")),
    )
    assert response.status_code == 422 and "attended" in response.json()["fields"]
    assert s.count(db, GroupNote) == 0 and s.count(db, ClinicalNote) == 0


def test_leaving_someone_out_of_a_draft_removes_their_part(client, db, nw):
    headers = s.bearer(db, nw.user("facilitator"))
    first = client.put(_url(nw), json=body(nw), headers=headers).json()
    fewer = body(nw, version=first["version"], attendees=nw.attendees[:2])
    second = client.put(_url(nw), json=fewer, headers=headers)
    assert second.status_code == 200
    assert {p["patient_id"] for p in second.json()["parts"]} == {a.id for a in nw.attendees[:2]}
    assert s.count(db, ClinicalNote) == 2


@pytest.mark.parametrize("change", ["one part's text", "an attendee left out"])
def test_a_change_to_the_parts_alone_bumps_the_version_so_a_stale_save_is_409(
    client, db, nw, change
):
    headers = s.bearer(db, nw.user("facilitator"))
    read = client.put(_url(nw), json=body(nw), headers=headers).json()["version"]
    edited = body(nw, version=read)
    if change == "one part's text":
        edited["parts"][1]["response"] = "CHANGED IN ANOTHER TAB"
    else:
        edited["parts"] = edited["parts"][:3]
    saved = client.put(_url(nw), json=edited, headers=headers)
    assert saved.status_code == 200, saved.text
    assert saved.json()["version"] > read
    db.expire_all()
    after = {p.patient_id: dict(p.body) for p in db.query(ClinicalNote).all()}

    stale = client.put(_url(nw), json=body(nw, version=read), headers=headers)
    assert stale.status_code == 409
    db.expire_all()
    assert {p.patient_id: dict(p.body) for p in db.query(ClinicalNote).all()} == after
    assert db.query(GroupNote).one().version == saved.json()["version"]


def test_signing_needs_each_attendees_part(client, db, nw):
    headers = s.bearer(db, nw.user("facilitator"))
    incomplete = body(nw)
    incomplete["parts"][1]["response"] = ""
    client.put(_url(nw), json=incomplete, headers=headers)
    response = client.post(_url(nw) + "/sign", headers=headers)
    assert response.status_code == 422
    assert f"p{nw.attendees[1].id}-response" in response.json()["fields"]
    assert db.query(GroupNote).one().status == "draft"


def test_a_supervised_facilitators_note_is_cosigned_by_a_supervisor(client, db, nw):
    _write_and_sign(client, db, nw, persona="associate")
    own = client.post(_url(nw) + "/cosign", headers=s.bearer(db, nw.user("associate")))
    assert own.status_code == 403
    cosigned = client.post(_url(nw) + "/cosign", headers=s.bearer(db, nw.user("care_counselor")))
    assert cosigned.status_code == 200, cosigned.text
    assert cosigned.json()["signature"]["cosigned_by"]
    parts = db.query(ClinicalNote).all()
    assert all(p.cosigned_by_user_id == nw.user("care_counselor").id for p in parts)


def test_a_group_note_signed_late_is_flagged_in_every_chart(client, db, nw):
    headers = s.bearer(db, nw.user("facilitator"))
    client.put(_url(nw), json=body(nw), headers=headers)
    clock.freeze(datetime(2026, 12, 2, 9, 0, tzinfo=UTC))  # 37 hours after the session
    assert client.post(_url(nw) + "/sign", headers=headers).status_code == 200
    assert all(p.late for p in db.query(ClinicalNote).all())


@pytest.mark.parametrize(
    "persona",
    ["site_counselor", "other_site_counselor", "billing", "auditor", "patient", "front_desk"],
)
def test_who_may_not_write_or_read_the_group_note(client, db, nw, persona):
    headers = s.bearer(db, nw.user(persona))
    assert client.put(_url(nw), json=body(nw), headers=headers).status_code == 403
    assert s.count(db, GroupNote) == 0
    _write_and_sign(client, db, nw)
    assert client.get(_url(nw), headers=headers).status_code == 403
    assert client.post(_url(nw) + "/cosign", headers=headers).status_code == 403
    refused = s.events(db, "note.group.write", "refused") + s.events(
        db, "note.group.read", "refused"
    )
    assert refused, "refusals are audited"


def test_the_form_ticks_whom_attendance_recorded_as_there(db, nw):
    from openiop.models import Enrollment, GroupAttendance
    from openiop.notes import group_service

    statuses = ["present", "late", "absent_unexcused"]  # the fourth is not recorded
    for patient, status in zip(nw.attendees, statuses, strict=False):
        enrollment = db.query(Enrollment).filter_by(patient_id=patient.id).first()
        db.add(
            GroupAttendance(
                group_session_id=nw.group.id,
                enrollment_id=enrollment.id,
                patient_id=patient.id,
                status=status,
                minutes=0,
            )
        )
    db.flush()
    form = group_service.group_form(
        db, actor=s.actor(db, nw.user("facilitator")), group_session_id=nw.group.id
    )
    by_id = {row.patient_id: row for row in form.rows}
    assert [by_id[p.id].attended for p in nw.attendees] == [True, True, False, False]
    assert [by_id[p.id].attendance for p in nw.attendees] == [*statuses, None]


def test_the_facilitator_finishes_the_note_after_an_attendee_is_discharged(client, db, nw):
    """Leading the session is the reason to write its note: an attendee discharged the next
    day leaves no care team, but the note of the session they attended must still be done."""
    leaving = nw.attendees[0]
    enrollment = db.scalars(select(Enrollment).where(Enrollment.patient_id == leaving.id)).one()
    enrollment.status = "discharged"
    enrollment.discharge_date = nw.group.session_date + timedelta(days=1)
    db.flush()
    note = _write_and_sign(client, db, nw)
    assert note["status"] == "signed" and len(note["parts"]) == len(nw.attendees)
    whole = client.get(_url(nw), headers=s.bearer(db, nw.user("facilitator")))
    assert whole.status_code == 200 and marker(leaving) in whole.text
    sign_in(client, nw.user("facilitator").email)
    page = client.get(f"/group-sessions/{nw.group.id}/note")
    assert page.status_code == 200 and marker(leaving) in page.text
    # The chart is linked only where the facilitator may open it (not a discharged patient's).
    for patient in nw.attendees:
        linked = f'href="/patients/{patient.id}/notes"' in page.text
        opens = client.get(f"/patients/{patient.id}/notes").status_code == 200
        assert linked == opens == (patient.id != leaving.id), patient.last_name
    client.cookies.clear()
    # Someone who did not lead it still needs the care team of every attendee, and a
    # discharged patient has none: the whole note stays closed to them.
    for persona in ("care_counselor", "site_counselor"):
        refused = client.get(_url(nw), headers=s.bearer(db, nw.user(persona)))
        assert refused.status_code == 403 and marker(leaving) not in refused.text


@pytest.mark.parametrize("zone", ["America/New_York", "America/Los_Angeles"])
def test_the_note_page_gives_the_sessions_times_in_the_sites_zone(client, db, nw, zone):
    nw.world.site_a.time_zone = zone
    db.flush()
    sign_in(client, nw.user("facilitator").email)
    page = client.get(f"/group-sessions/{nw.group.id}/note")
    assert page.status_code == 200
    local = clock.as_utc(nw.group.starts_at).astimezone(ZoneInfo(zone))
    assert local.strftime("%-I:%M %p") + "–" in page.text
