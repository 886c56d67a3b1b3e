"""Finding patients: name fragments, MRN, date of birth, paging, site scope, audit, speed."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import event

from openiop.models import AuditEvent
from tests import factories as f
from tests.db.test_patients_support import bearer, events
from tests.personas import build_world, sign_in


def _names(html: str) -> list[str]:
    return re.findall(r'<a href="/patients/\d+">([^<]+)</a>', html)


@pytest.fixture
def searching(client, db):
    """Site A has Pat Quillfeather plus a few more; the admissions coordinator searches."""
    world = build_world(db)
    org_id, site = world.site_a.organization_id, world.site_a.id
    f.patient(
        db,
        organization_id=org_id,
        registered_location_id=site,
        first_name="Quinn",
        last_name="Quillby",
        date_of_birth=date(1972, 1, 30),
    )
    f.patient(
        db,
        organization_id=org_id,
        registered_location_id=site,
        first_name="Patricia",
        last_name="Stonebrook",
        preferred_name="Trish",
        date_of_birth=date(1985, 4, 12),
    )
    f.patient(
        db,
        organization_id=org_id,
        registered_location_id=site,
        first_name="Lou",
        last_name="De La Fenwick",
        date_of_birth=date(1990, 9, 9),
    )
    f.patient(
        db,
        organization_id=org_id,
        registered_location_id=site,
        first_name="Al",
        last_name="Under_Score",
        date_of_birth=date(1991, 1, 1),
    )
    sign_in(client, world.user("admissions").email)
    return world


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("quill", ["Quillby, Quinn", "Quillfeather, Pat"]),
        ("QUILL", ["Quillby, Quinn", "Quillfeather, Pat"]),
        ("pat quill", ["Quillfeather, Pat"]),
        ("quill pat", ["Quillfeather, Pat"]),
        ("quillfeather, pat", ["Quillfeather, Pat"]),
        ("quill, q", ["Quillby, Quinn"]),
        ("pat", ["Quillfeather, Pat", "Stonebrook, Patricia"]),
        ("trish", ["Stonebrook, Patricia"]),
        ("trish stone", ["Stonebrook, Patricia"]),
        ("uill", []),  # prefixes only
        ("de la", ["De La Fenwick, Lou"]),
        ("marrowby", []),  # Robin is at site B only
        ("under_", ["Under_Score, Al"]),
        ("under%", []),  # a literal %, not a wildcard
        ("04/12/1985", ["Quillfeather, Pat", "Stonebrook, Patricia"]),
        ("1985-04-12", ["Quillfeather, Pat", "Stonebrook, Patricia"]),
        ("01/30/1972", ["Quillby, Quinn"]),
        ("1972-01-30", ["Quillby, Quinn"]),
    ],
)
def test_search_by_name_and_date_of_birth(client, searching, query, expected):
    response = client.get("/patients", params={"q": query})
    assert response.status_code == 200
    assert _names(response.text) == expected


def test_search_by_exact_mrn(client, searching):
    mrn = searching.patient.mrn
    assert _names(client.get("/patients", params={"q": mrn}).text) == ["Quillfeather, Pat"]
    assert _names(client.get("/patients", params={"q": mrn.lower()}).text) == ["Quillfeather, Pat"]
    assert _names(client.get("/patients", params={"q": mrn[:-1]}).text) == []


def test_search_form_follows_the_contract(client, searching):
    html = client.get("/patients").text
    assert '<form role="search" method="get" action="/patients"' in html
    assert '<label for="f-q">Search by name, MRN or date of birth</label>' in html
    assert 'id="f-q" name="q"' in html
    assert '<button type="submit">Search</button>' in html
    assert '<th scope="col">Name</th>' in html and 'data-label="Name"' in html


def test_an_impossible_date_is_a_422_naming_the_box(client, searching):
    response = client.get("/patients", params={"q": "02/30/1990"})
    assert response.status_code == 422
    assert 'id="e-q"' in response.text and "not a real date" in response.text
    assert _names(response.text) == []


def test_paging_25_a_page(client, db):
    world = build_world(db)
    for n in range(30):
        f.patient(
            db,
            organization_id=world.site_a.organization_id,
            registered_location_id=world.site_a.id,
            first_name="Page",
            last_name=f"Zed{n:02d}",
        )
    sign_in(client, world.user("front_desk").email)
    first = client.get("/patients", params={"q": "zed"})
    assert len(_names(first.text)) == 25
    assert "Page 1 of 2 (30 in all)" in first.text
    assert 'href="/patients?q=zed&amp;page=2" rel="next"' in first.text
    second = client.get("/patients", params={"q": "zed", "page": 2})
    assert _names(second.text) == [f"Zed{n:02d}, Page" for n in range(25, 30)]
    everyone = client.get("/patients")
    assert "(31 in all)" in everyone.text  # the 30 and Pat; Robin is at site B
    assert "Marrowby" not in everyone.text


def test_each_patient_shown_is_audited(client, searching, db):
    before = {e.id for e in events(db, action="patient.list")}
    client.get("/patients", params={"q": "quill"})
    new = [e for e in events(db, action="patient.list") if e.id not in before]
    assert sorted(e.patient_id for e in new) == sorted(
        [searching.patient.id, _id_of(db, "Quillby")]
    )
    assert all(e.user_email == "admissions@example.org" and e.channel == "web" for e in new)


def test_an_empty_result_is_still_audited(client, searching, db):
    client.get("/patients", params={"q": "nobody-like-this"})
    last = events(db, action="patient.list")[-1]
    assert last.patient_id is None and "none shown" in last.detail


def _id_of(db, last_name):
    from sqlalchemy import select

    from openiop.models import Patient

    return db.scalar(select(Patient.id).where(Patient.last_name == last_name))


def test_admin_sees_every_site(client, db):
    world = build_world(db)
    sign_in(client, world.user("admin").email)
    names = _names(client.get("/patients").text)
    assert "Quillfeather, Pat" in names and "Marrowby, Robin" in names


def test_enrollment_elsewhere_brings_a_patient_into_scope(client, db):
    world = build_world(db)
    f.enrollment(
        db,
        patient_id=world.other_patient.id,
        program_id=world.program.id,
        location_id=world.site_a.id,
        status="discharged",
        admit_date=date(2025, 1, 6),
        discharge_date=date(2025, 3, 1),
    )
    sign_in(client, world.user("billing").email)
    assert "Marrowby, Robin" in _names(client.get("/patients").text)


def test_api_search_and_paging(client, db):
    world = build_world(db)
    for n in range(7):
        f.patient(
            db,
            organization_id=world.site_a.organization_id,
            registered_location_id=world.site_a.id,
            first_name="Api",
            last_name=f"Yarrow{n}",
        )
    headers = bearer(db, world.user("site_counselor"))
    body = client.get(
        "/api/v1/patients", params={"q": "yarrow", "size": 5, "page": 2}, headers=headers
    ).json()
    assert body["total"] == 7 and body["pages"] == 2 and body["page"] == 2 and body["size"] == 5
    assert [item["last_name"] for item in body["items"]] == ["Yarrow5", "Yarrow6"]
    bad = client.get("/api/v1/patients", params={"q": "13/45/1990"}, headers=headers)
    assert bad.status_code == 422 and "q" in bad.json()["fields"]
    too_big = client.get("/api/v1/patients", params={"size": 1000}, headers=headers)
    assert too_big.status_code == 422 and "size" in too_big.json()["fields"]


def test_list_is_one_page_query_and_one_count_whatever_the_size(client, db, engine):
    """No N+1: the statements reading patients do not grow with the number shown."""
    world = build_world(db)
    sign_in(client, world.user("director").email)

    def patient_selects() -> int:
        seen: list[str] = []

        def spy(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
            if statement.lstrip().upper().startswith("SELECT") and "patients" in statement:
                seen.append(statement)

        event.listen(engine, "before_cursor_execute", spy)
        try:
            assert client.get("/patients").status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", spy)
        return len(seen)

    few = patient_selects()
    for n in range(20):
        patient = f.patient(
            db,
            organization_id=world.site_a.organization_id,
            registered_location_id=world.site_a.id,
            last_name=f"Bulk{n}",
        )
        f.enrollment(
            db,
            patient_id=patient.id,
            program_id=world.program.id,
            location_id=world.site_a.id,
            track_id=world.track_a.id,
        )
    many = patient_selects()
    assert few == many == 2  # the page and its count
    assert db.query(AuditEvent).filter(AuditEvent.action == "patient.list").count() >= 22
