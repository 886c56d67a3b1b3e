"""A facilitator writes one group note for a session of four, and each attendee's chart shows
the shared part and only their own part. Desktop and phone (each on its own past session),
screenshots, axe clean, no script or CSP errors."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from openiop.kit import clock
from tests.web.clinic_notes import (
    NOTES_ATTENDEES,
    NOTES_FACILITATOR,
    NOTES_TRACK,
    SESSION_DAYS_AGO,
    WITH_PLAN,
    objective_of,
)
from tests.web.test_accessibility import blocking_violations

pytestmark = pytest.mark.browser

TOPIC = "Managing cravings"
CONTENT = "Urge surfing, delaying tactics and a personal list of distractions."
INTERVENTIONS = "CBT skills practice and motivational interviewing."


def marker(last: str) -> str:
    return f"Own-part-{last}"


def _axe(page, where: str) -> None:  # type: ignore[no-untyped-def]
    found, report = blocking_violations(page)
    assert not found, f"axe on {where}: {found}\n{report}"


def _no_page_errors(console_errors: list[str]) -> None:
    problems = [e for e in console_errors if "Content Security Policy" in e or "Uncaught" in e]
    assert not problems, problems


def session_day(viewport: str) -> date:
    return clock.today_in("America/Los_Angeles") - timedelta(days=SESSION_DAYS_AGO[viewport])


def open_session(page, sign_in, viewport: str) -> None:  # type: ignore[no-untyped-def]
    sign_in(NOTES_FACILITATOR)
    page.goto("/notes/groups")
    expect(page.get_by_role("heading", level=1)).to_have_text("Group notes")
    day = session_day(viewport)
    page.get_by_role("link", name=f"Write the note for {NOTES_TRACK} on {day:%m/%d/%Y}").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"Group note: {NOTES_TRACK}")


def write_note(page) -> None:  # type: ignore[no-untyped-def]
    page.get_by_label("Topic").fill(TOPIC)
    page.get_by_label("Content").fill(CONTENT)
    page.get_by_label("Interventions").fill(INTERVENTIONS)
    for first, last in NOTES_ATTENDEES:
        person = page.get_by_role("group", name=f"{last}, {first}")
        person.get_by_label("Attended").check()
        person.get_by_label("Participation").fill(f"{marker(last)}: shared one trigger.")
        person.get_by_label("Response").fill("Open to feedback from peers.")
        person.get_by_label("Progress on plan goals").fill("Used the delay tactic twice.")
        if (first, last) in WITH_PLAN:  # their own plan's objective, and only theirs
            person.get_by_label(objective_of(last)).check()
            for _, other in NOTES_ATTENDEES:
                if other != last:
                    expect(person).not_to_contain_text(objective_of(other))
        else:
            expect(person).to_contain_text("no treatment plan yet")
    # Leaving a field saves the draft in the background.
    expect(page.locator("#save-status")).to_contain_text("Draft saved")


def check_chart(page, first: str, last: str, day: date) -> None:  # type: ignore[no-untyped-def]
    """The attendee's chart and note: the shared part, their own part, nobody else's."""
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Notes for {first} {last}")
    row = page.get_by_role("row").filter(has_text=f"{day:%m/%d/%Y}")
    row.get_by_role("link", name=f"Group note: {TOPIC}").click()
    expect(page.get_by_role("heading", name=f"Group session: {TOPIC}")).to_be_visible()
    main = page.locator("main")
    expect(main).to_contain_text(CONTENT)
    expect(main).to_contain_text(marker(last))
    if (first, last) in WITH_PLAN:
        expect(main).to_contain_text(objective_of(last))
    text = main.inner_text()
    for other_first, other_last in NOTES_ATTENDEES:
        if other_last != last:
            assert other_last not in text and marker(other_last) not in text
            assert f"{other_first} {other_last}" not in text


def test_one_group_note_appears_individualized_in_each_chart(
    page, viewport, sign_in, shoot, console_errors
) -> None:
    open_session(page, sign_in, viewport)
    _no_page_errors(console_errors)
    shoot("group-note-form")
    _axe(page, f"the group note form ({viewport})")
    # Playwright's screenshot styles and axe's probes trip the CSP; the page's own code must
    # not, so a fresh copy of the page is used and only what happens from here on is checked.
    page.reload()
    del console_errors[:]
    write_note(page)
    page.get_by_role("button", name="Save and sign").click()
    expect(page.get_by_role("heading", name="Signed")).to_be_visible()
    _no_page_errors(console_errors)
    shoot("group-note-signed")
    _axe(page, f"the signed group note ({viewport})")
    signed_url = page.url
    for n, (first, last) in enumerate(NOTES_ATTENDEES):
        page.goto(signed_url)
        page.get_by_role("link", name=f"{last}, {first}").click()
        if n == 0:
            shoot("group-note-chart")
            _axe(page, f"the chart's notes tab ({viewport})")
        check_chart(page, first, last, session_day(viewport))
        if n == 0:
            shoot("group-note-in-chart")
            _axe(page, f"a group note in a chart ({viewport})")


def test_a_counselor_writes_signs_and_adds_to_an_individual_note(
    page, viewport, live_server, sign_in, shoot, console_errors
) -> None:
    sign_in()  # the primary counselor of Pat's caseload (LCSW: no co-signature needed)
    page.goto(f"/patients/{live_server.seed.pat_id}/notes")
    page.get_by_role("link", name="New individual counseling note (BIRP)").click()
    shoot("note-form-new")
    _axe(page, f"a new note form ({viewport})")
    page.reload()
    del console_errors[:]
    page.get_by_label("Behavior").fill(f"Calm, on time ({viewport}).")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_role("button", name="Save and sign")).to_be_visible()
    page.get_by_label("Intervention").fill("Reviewed the craving log.")
    page.get_by_label("Response").fill("Named two triggers.")
    page.get_by_role("textbox", name="Plan", exact=True).fill("Keep the log; meet next week.")
    expect(page.locator("#save-status")).to_contain_text("Draft saved")
    page.get_by_role("button", name="Save and sign").click()
    expect(page.get_by_role("heading", name="Signatures")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Content hash")
    page.get_by_label("Add a dated addendum").fill("Patient called to confirm next week.")
    page.get_by_role("button", name="Add addendum").click()
    expect(page.locator("#addenda").locator("..")).to_contain_text("Patient called to confirm")
    _no_page_errors(console_errors)
    shoot("note-signed-with-addendum")
    _axe(page, f"a signed note ({viewport})")
