"""The patient chart's tabs: each persona sees exactly the pages it may open, every link shown
answers 200 for that persona, every page left out refuses them, and the current tab is marked.
Also the chart's attendance tab (/patients/{id}/compliance): figures, gaps and its audit."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from openiop.models import AuditEvent
from tests.personas import build_world, csrf_of, sign_in

NAV = re.compile(r'<nav class="chart-tabs" aria-label="Patient chart">(.*?)</nav>', re.S)
LINK = re.compile(r'<a href="([^"]+)"( aria-current="page")?>([^<]+)</a>')

STAFF_PAGES = {
    "face": "/patients/{id}",
    "clinical": "/patients/{id}/clinical",
    "notes": "/patients/{id}/notes",
    "week": "/calendar/patients/{id}",
    "compliance": "/patients/{id}/compliance",
    "feed": "/calendar/feeds/patients/{id}",
}
CARE_TEAM = {"face", "clinical", "notes", "week", "compliance", "feed"}
EXPECTED = {
    "care_counselor": CARE_TEAM,
    "care_physician": CARE_TEAM,
    "facilitator": CARE_TEAM,  # on the care team through the patient's track
    "director": CARE_TEAM,
    "site_counselor": {"face", "week"},  # limited face sheet: not on the care team
    "front_desk": {"face", "week"},
    "admissions": {"face", "week"},
    "billing": {"face", "week", "compliance"},  # reads minutes with the site's limited access
    "admin": {"face", "week", "compliance"},
}


@pytest.fixture
def world(db):  # type: ignore[no-untyped-def]
    return build_world(db)


def tabs_on(html: str) -> list[tuple[str, bool, str]]:
    found = NAV.search(html)
    assert found, "no chart navigation on the page"
    return [(href, bool(current), label) for href, current, label in LINK.findall(found[1])]


@pytest.mark.parametrize("persona", sorted(EXPECTED))
def test_staff_see_only_the_tabs_they_may_open_and_each_answers(client, world, persona):
    sign_in(client, f"{persona}@example.org")
    pid = world.patient.id
    pages = {key: url.format(id=pid) for key, url in STAFF_PAGES.items()}
    shown = tabs_on(client.get(pages["face"]).text)
    assert [href for href, _, _ in shown] == [pages[k] for k in pages if k in EXPECTED[persona]]
    for href, _, label in shown:
        response = client.get(href)
        assert response.status_code == 200, (persona, href)
        current = [tab for tab in tabs_on(response.text) if tab[1]]
        assert [(tab[0], tab[2]) for tab in current] == [(href, label)]
    for key in set(pages) - EXPECTED[persona]:
        response = client.get(pages[key], follow_redirects=False)
        assert response.status_code == 403, (persona, key, response.status_code)


def test_the_patient_sees_their_own_record_plan_week_and_feed(client, world):
    sign_in(client, "pat@example.org")
    pid = world.patient.id
    shown = tabs_on(client.get("/me").text)
    assert [href for href, _, _ in shown] == [
        "/me",
        "/me/plan",
        f"/calendar/patients/{pid}",
        "/calendar/feeds/mine",
    ]
    for href, _, label in shown:
        response = client.get(href)
        assert response.status_code == 200, href
        assert (href, True, label) in tabs_on(response.text)
    for refused in ("clinical", "notes", "compliance"):
        url = STAFF_PAGES[refused].format(id=pid)
        assert client.get(url).status_code == 403, url


def test_reminders_page_marks_the_feed_tab(client, world):
    sign_in(client, "care_counselor@example.org")
    pid = world.patient.id
    response = client.get(f"/calendar/reminders/patients/{pid}")
    assert response.status_code == 200
    assert (f"/calendar/feeds/patients/{pid}", True, "Calendar feed &amp; reminders") in tabs_on(
        response.text
    )


def test_staff_calendars_carry_no_patient_tabs(client, world):
    sign_in(client, "care_counselor@example.org")
    staff_id = world.user("care_counselor").staff_member_id
    assert 'aria-label="Patient chart"' not in client.get(f"/calendar/staff/{staff_id}").text


def test_other_site_staff_and_auditors_get_no_chart_at_all(client, world):
    for persona in ("other_site_counselor", "auditor"):
        sign_in(client, f"{persona}@example.org")
        response = client.get(f"/patients/{world.patient.id}/compliance")
        assert response.status_code == 403
        assert 'aria-label="Patient chart"' not in response.text
        client.cookies.clear()


def test_compliance_tab_shows_both_weeks_with_gaps_in_words_and_is_audited(client, db, world):
    sign_in(client, "care_counselor@example.org")
    pid = world.patient.id
    response = client.get(f"/patients/{pid}/compliance")
    assert response.status_code == 200
    html = response.text
    assert "This week (" in html and "Last week (" in html
    assert html.count("<progress") == 2
    assert "Group minutes: 0 of" in html
    assert "What was missing" in html  # last week, nothing attended: the gaps in words
    reads = db.scalars(
        select(AuditEvent).where(
            AuditEvent.action == "compliance.read", AuditEvent.patient_id == pid
        )
    ).all()
    assert [event.outcome for event in reads] == ["allowed"]


def test_a_refused_compliance_read_is_audited(client, db, world):
    sign_in(client, "site_counselor@example.org")
    pid = world.patient.id
    assert client.get(f"/patients/{pid}/compliance").status_code == 403
    outcomes = db.scalars(
        select(AuditEvent.outcome).where(
            AuditEvent.action == "compliance.read", AuditEvent.patient_id == pid
        )
    ).all()
    assert outcomes == ["refused"]


@pytest.mark.parametrize(
    ("persona", "links"),
    [
        ("care_counselor", ["/calendar/feeds/mine"]),
        ("pat", ["/calendar/feeds/mine", "/calendar/reminders/mine"]),
        ("admin", []),  # no staff calendar of their own: no feed to offer
    ],
)
def test_account_page_links_the_own_feed_and_a_patients_reminders(client, world, persona, links):
    sign_in(client, f"{persona}@example.org")
    html = client.get("/account").text
    shown = re.findall(r'href="(/calendar/(?:feeds|reminders)/mine)"', html)
    assert shown == links
    for href in links:
        assert client.get(href).status_code == 200, href


@pytest.mark.parametrize(
    ("page", "current"),
    [
        ("/calendar/patients/{id}/availability", "/calendar/patients/{id}"),
        ("/patients/{id}/private-notes", "/patients/{id}/notes"),
        ("/patients/{id}/plan", "/patients/{id}/clinical"),
        ("/patients/{id}/discharge", "/patients/{id}/clinical"),
    ],
)
def test_pages_under_a_tab_mark_that_tab(client, world, page, current):
    sign_in(client, "care_counselor@example.org")
    pid = world.patient.id
    response = client.get(page.format(id=pid))
    assert response.status_code == 200
    marked = [href for href, is_current, _ in tabs_on(response.text) if is_current]
    assert marked == [current.format(id=pid)]


def test_emergency_access_opens_the_clinical_tabs_the_role_may_use(client, world):
    """Front desk breaks the glass: full access for a while, so Clinical and the feed appear;
    Notes and compliance stay hidden (the role has neither permission) and still refuse."""
    sign_in(client, "front_desk@example.org")
    pid = world.patient.id
    token = csrf_of(client)
    reason = {"csrf_token": token, "reason": "Patient collapsed in the lobby; need allergies."}
    assert client.post(f"/patients/{pid}/break-glass", data=reason).status_code == 200
    pages = {key: url.format(id=pid) for key, url in STAFF_PAGES.items()}
    shown = [href for href, _, _ in tabs_on(client.get(pages["face"]).text)]
    assert shown == [pages[k] for k in ("face", "clinical", "week", "feed")]
    assert all(client.get(href).status_code == 200 for href in shown)
    assert client.get(pages["notes"]).status_code == 403
    assert client.get(pages["compliance"]).status_code == 403
