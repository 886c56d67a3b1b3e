"""A facilitator records today's group of eight in one step: everyone present, one late, one
absent. Desktop and phone, screenshots, axe clean, no script or CSP errors.

The steps are functions so a longer flow (attendance, then the group note that appears in
each chart) can reuse them: open_todays_roster(page, sign_in), record_with_exceptions(page).
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.web.clinic_attendance import ATTENDEES, FACILITATOR, TRACK
from tests.web.clinic_planning import DIRECTOR
from tests.web.test_accessibility import blocking_violations

pytestmark = pytest.mark.browser

LATE = "Briar Rookwood"
ABSENT = "Fen Vossberg"


def open_todays_roster(page, sign_in, facilitator=FACILITATOR, track=TRACK) -> None:  # type: ignore[no-untyped-def]
    sign_in(facilitator)
    page.goto("/attendance")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Attendance for")
    page.get_by_role("link", name=f"Take attendance for {track}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Attendance: {track}")


def record_with_exceptions(page, late=LATE, absent=ABSENT, count=len(ATTENDEES)) -> None:  # type: ignore[no-untyped-def]
    """Everyone is preset to present: change the two exceptions and save once."""
    page.get_by_label(f"Status for {late}").select_option("late")
    page.get_by_label(f"Check-in for {late}").fill("13:20")
    page.get_by_label(f"Status for {absent}").select_option("absent_unexcused")
    page.get_by_role("button", name="Save attendance").click()
    expect(page.get_by_role("status")).to_have_text(
        f"Attendance saved: {count} of {count} recorded."
    )


def minutes_by_name(page) -> dict[str, str]:  # type: ignore[no-untyped-def]
    rows = page.locator("#roster-form tbody tr")
    return {
        rows.nth(i).locator("th").inner_text().strip(): rows.nth(i)
        .locator("td[data-label=Minutes]")
        .inner_text()
        .strip()
        for i in range(rows.count())
    }


def test_facilitator_records_a_group_of_eight(
    page, viewport, sign_in, shoot, console_errors
) -> None:
    open_todays_roster(page, sign_in)
    expect(page.locator("#roster-form tbody tr")).to_have_count(len(ATTENDEES))
    record_with_exceptions(page)
    # Checked before screenshots and axe: Playwright's screenshot styles and axe's probes
    # trip the CSP; the page's own code must not.
    problems = [e for e in console_errors if "Content Security Policy" in e or "Uncaught" in e]
    assert not problems, problems
    shoot("attendance-roster-saved")
    minutes = minutes_by_name(page)
    expected = {f"{first} {last}": "180" for first, last in ATTENDEES}
    expected.update({LATE: "160", ABSENT: "0"})
    assert minutes == expected
    expect(page.get_by_label(f"Status for {LATE}")).to_have_value("late")
    expect(page.get_by_label(f"Check-in for {LATE}")).to_have_value("13:20")
    found, report = blocking_violations(page)
    assert not found, f"axe after saving ({viewport}): {found}\n{report}"


def test_the_roster_before_saving_is_axe_clean(page, viewport, sign_in, shoot) -> None:
    open_todays_roster(page, sign_in)
    shoot("attendance-roster")
    found, report = blocking_violations(page)
    assert not found, f"axe on the roster ({viewport}): {found}\n{report}"


def test_a_mistake_is_shown_on_the_row_and_nothing_saved(
    page, viewport, sign_in, shoot, console_errors
) -> None:
    open_todays_roster(page, sign_in)
    page.get_by_label(f"Check-in for {LATE}").fill("15:00")
    page.get_by_label(f"Check-out for {LATE}").fill("14:00")
    page.get_by_role("button", name="Save attendance").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Nothing was saved")
    expect(page.get_by_label(f"Check-out for {LATE}")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label(f"Check-out for {LATE}")).to_have_value("14:00")
    shoot("attendance-roster-error")
    found, report = blocking_violations(page)
    assert not found, f"axe on the roster's errors ({viewport}): {found}\n{report}"
    page.reload()  # nothing changed: the saved late arrival (if any) is still there
    expect(page.get_by_label(f"Check-out for {LATE}")).not_to_have_value("14:00")


@pytest.mark.parametrize("viewport", ["phone"])
def test_the_roster_fits_a_phone(page, viewport, sign_in) -> None:
    open_todays_roster(page, sign_in)
    widths = page.evaluate(
        "({scroll: document.documentElement.scrollWidth, inner: window.innerWidth})"
    )
    assert widths["scroll"] <= widths["inner"] + 1, widths


def open_dashboard(page, sign_in) -> None:  # type: ignore[no-untyped-def]
    sign_in(DIRECTOR)
    page.goto("/attendance/dashboard")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Compliance this week")


def open_today(page, sign_in) -> None:  # type: ignore[no-untyped-def]
    sign_in(FACILITATOR)
    page.goto("/attendance")
    expect(page.get_by_role("link", name=f"Take attendance for {TRACK}")).to_be_visible()


@pytest.mark.parametrize(
    ("name", "opener"), [("attendance-dashboard", open_dashboard), ("attendance-today", open_today)]
)
def test_today_and_the_dashboard_are_axe_clean_and_fit(
    page, viewport, sign_in, shoot, console_errors, name, opener
) -> None:
    opener(page, sign_in)
    problems = [e for e in console_errors if "Content Security Policy" in e or "Uncaught" in e]
    assert not problems, problems
    widths = page.evaluate(
        "({scroll: document.documentElement.scrollWidth, inner: window.innerWidth})"
    )
    assert widths["scroll"] <= widths["inner"] + 1, widths
    shoot(name)
    found, report = blocking_violations(page)
    assert not found, f"axe on {name} ({viewport}): {found}\n{report}"


@pytest.mark.parametrize("viewport", ["desktop"])
def test_the_roster_works_without_javascript(browser, live_server, viewport, sign_in, page) -> None:
    """The plain form: post, redirect, the saved roster (HTMX only improves on it)."""
    open_todays_roster(page, sign_in)  # signs in once; the no-script tab reuses the session
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    try:
        context.add_cookies(page.context.cookies())
        tab = context.new_page()
        tab.goto(page.url)
        tab.get_by_label(f"Status for {ABSENT}").select_option("absent_excused")
        tab.get_by_role("button", name="Save attendance").click()
        tab.wait_for_url("**/attendance/sessions/*?saved=1")
        expect(tab.get_by_role("status")).to_contain_text("Attendance saved")
        expect(tab.get_by_label(f"Status for {ABSENT}")).to_have_value("absent_excused")
    finally:
        context.close()
