"""The program week in Chromium (issue 5): a facilitator records today's attendance for a
group of eight in one step (one late, one absent), then writes ONE group note for that
session, and each attendee's chart shows the shared part and that attendee's part only —
never another attendee's name or part. The absent patient's chart gets no note. Along the
way the chart's tabs lead from the note to the attendee's compliance, which counts today's
minutes. Desktop and phone (a site of each's own: a signed note cannot be written twice),
screenshots, axe clean, no script or CSP errors, no sideways scrolling on the phone."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from openiop.kit import clock
from tests.web.clinic_program_week import PROGRAM_WEEK, WeekSite
from tests.web.test_accessibility import blocking_violations
from tests.web.test_attendance_flow import open_todays_roster, record_with_exceptions

pytestmark = pytest.mark.browser

TOPIC = "Repairing trust at home"
CONTENT = "Naming one broken promise, one small repair, and how to ask for patience."
INTERVENTIONS = "Role-play of a repair conversation; motivational interviewing."


def marker(last: str) -> str:
    return f"Own-part-{last}"


def _axe(page, where: str) -> None:  # type: ignore[no-untyped-def]
    found, report = blocking_violations(page)
    assert not found, f"axe on {where}: {found}\n{report}"


def _no_page_errors(console_errors: list[str]) -> None:
    problems = [e for e in console_errors if "Content Security Policy" in e or "Uncaught" in e]
    assert not problems, problems


def _fits_the_screen(page, where: str) -> None:  # type: ignore[no-untyped-def]
    wide = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert wide <= 0, f"{where} scrolls sideways by {wide}px"


def attended(spec: WeekSite) -> list[tuple[str, str]]:
    return [(first, last) for first, last in spec.attendees if f"{first} {last}" != spec.absent]


def write_the_group_note(page, spec: WeekSite) -> None:  # type: ignore[no-untyped-def]
    """From the facilitator's group sessions: today's note, attendance already ticked."""
    page.goto("/notes/groups")
    today = clock.today_in("America/Los_Angeles")
    page.get_by_role("link", name=f"Write the note for {spec.track} on {today:%m/%d/%Y}").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"Group note: {spec.track}")
    page.get_by_label("Topic").fill(TOPIC)
    page.get_by_label("Content").fill(CONTENT)
    page.get_by_label("Interventions").fill(INTERVENTIONS)
    for first, last in spec.attendees:
        person = page.get_by_role("group", name=f"{last}, {first}")
        if f"{first} {last}" == spec.absent:
            expect(person.get_by_label("Attended")).not_to_be_checked()
            continue
        expect(person.get_by_label("Attended")).to_be_checked()  # from today's roster
        person.get_by_label("Participation").fill(f"{marker(last)}: spoke about one promise.")
        person.get_by_label("Response").fill("Listened and asked a question.")
        person.get_by_label("Progress on plan goals").fill("Planned one repair this week.")
    expect(page.locator("#save-status")).to_contain_text("Draft saved")
    page.get_by_role("button", name="Save and sign").click()
    expect(page.get_by_role("heading", name="Signed")).to_be_visible()


def check_chart(page, spec: WeekSite, first: str, last: str) -> None:  # type: ignore[no-untyped-def]
    """On the attendee's notes tab: open today's group note; shared part, own part, no one else."""
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Notes for {first} {last}")
    tabs = page.get_by_role("navigation", name="Patient chart")
    expect(tabs.get_by_role("link", name="Notes")).to_have_attribute("aria-current", "page")
    today = clock.today_in("America/Los_Angeles")
    row = page.get_by_role("row").filter(has_text=f"{today:%m/%d/%Y}")
    row.get_by_role("link", name=f"Group note: {TOPIC}").click()
    expect(page.get_by_role("heading", name=f"Group session: {TOPIC}")).to_be_visible()
    main = page.locator("main")
    expect(main).to_contain_text(CONTENT)
    expect(main).to_contain_text(marker(last))
    text = main.inner_text()
    for other_first, other_last in spec.attendees:
        if other_last != last:
            assert other_last not in text and marker(other_last) not in text, (last, other_last)
            assert other_first not in text, (last, other_first)


def check_absent_chart(page, spec: WeekSite) -> None:  # type: ignore[no-untyped-def]
    """The absent patient, found by name: their notes tab lists no group note for today."""
    first, last = spec.absent.split()
    page.goto(f"/patients?q={last}")
    page.get_by_role("link", name=f"{last}, {first}").click()
    page.get_by_role("navigation", name="Patient chart").get_by_role("link", name="Notes").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Notes for {first} {last}")
    expect(page.locator("main")).not_to_contain_text(TOPIC)


def test_attendance_then_one_group_note_individualized_in_each_chart(
    page, viewport, sign_in, shoot, console_errors
) -> None:
    spec = PROGRAM_WEEK[viewport]
    open_todays_roster(page, sign_in, spec.facilitator, spec.track)
    expect(page.locator("#roster-form tbody tr")).to_have_count(len(spec.attendees))
    record_with_exceptions(page, spec.late, spec.absent, len(spec.attendees))
    _no_page_errors(console_errors)
    shoot("program-week-roster")
    _axe(page, f"the saved roster ({viewport})")

    page.goto("/notes/groups")  # a fresh page: screenshot styles and axe trip the CSP
    del console_errors[:]
    write_the_group_note(page, spec)
    _no_page_errors(console_errors)
    shoot("program-week-note-signed")
    _axe(page, f"the signed group note ({viewport})")
    signed_url = page.url

    for n, (first, last) in enumerate(attended(spec)):
        page.goto(signed_url)
        page.get_by_role("link", name=f"{last}, {first}").click()
        if n == 0:
            _fits_the_screen(page, "the notes tab")
            shoot("program-week-chart-notes")
            _axe(page, f"the chart's notes tab ({viewport})")
        check_chart(page, spec, first, last)
        if n == 0:
            _fits_the_screen(page, "the group note in a chart")
            shoot("program-week-note-in-chart")
            _axe(page, f"a group note in a chart ({viewport})")
    check_absent_chart(page, spec)
    check_todays_minutes(page, spec, shoot, viewport)


def check_todays_minutes(page, spec: WeekSite, shoot, viewport: str) -> None:  # type: ignore[no-untyped-def]
    """The late attendee's chart tabs lead to compliance, which counts today's 160 minutes."""
    first, last = spec.late.split()
    page.goto(f"/patients?q={last}")
    page.get_by_role("link", name=f"{last}, {first}").click()
    tabs = page.get_by_role("navigation", name="Patient chart")
    expect(tabs.get_by_role("link")).to_have_count(6)  # the care team sees every tab
    tabs.get_by_role("link", name="Attendance & compliance").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Attendance & compliance: {first} {last}"
    )
    expect(page.get_by_role("heading", name="This week")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Group minutes: 160 of")
    _fits_the_screen(page, "the compliance tab")
    shoot("program-week-compliance")
    _axe(page, f"the compliance tab ({viewport})")
