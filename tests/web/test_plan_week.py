"""Plan next week in Chromium: a director plans the eastside site's week, watches the progress,
reviews the proposal, accepts one appointment and then the rest; axe checks each screen.

The week is named explicitly (a different one per viewport, since both runs share the live
server's database), so the plan does not depend on today's date.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.web.clinic_planning import DIRECTOR
from tests.web.test_accessibility import blocking_violations

pytestmark = pytest.mark.browser
WEEKS = {"desktop": "2026-W50", "phone": "2026-W51"}
PATIENTS = 12  # the eastside caseload: an individual session and a physician visit each


def _no_blocking_axe(page, where: str) -> None:  # type: ignore[no-untyped-def]
    found, report = blocking_violations(page)
    assert not found, f"axe on {where}: {found}\n{report}"


def test_plan_review_accept(page, viewport, sign_in, shoot, console_errors):  # type: ignore[no-untyped-def]
    sign_in(DIRECTOR)
    page.get_by_role("link", name="Plan week").click()
    expect(page.get_by_role("heading", name="Plan next week")).to_be_visible()
    _no_blocking_axe(page, f"plan start ({viewport})")
    shoot("plan-week-start")

    page.get_by_label("Week").fill(WEEKS[viewport])
    page.get_by_label("Time to search").select_option("5")
    page.get_by_role("button", name="Plan this week").click()
    page.wait_for_url(re.compile(r"/schedule/plan/runs/\d+$"))
    if page.get_by_role("progressbar").is_visible():  # a quick solve may already be done
        _no_blocking_axe(page, f"plan progress ({viewport})")
        shoot("plan-week-progress")

    # The run page polls its progress and turns into the review when the plan is ready.
    expect(page.get_by_role("heading", name="Pat Quillfeather")).to_be_visible(timeout=60_000)
    expect(page).to_have_url(re.compile(r"/schedule/plan/runs/\d+$"))
    boxes = page.get_by_role("checkbox")
    expect(boxes).to_have_count(2 * PATIENTS)
    _no_blocking_axe(page, f"plan review ({viewport})")
    shoot("plan-week-review")

    page.get_by_role("checkbox", name=re.compile("Accept individual counseling for Pat")).check()
    page.get_by_role("button", name="Accept selected").click()
    expect(page.get_by_text("Created 1 appointment.")).to_be_visible()
    expect(page.get_by_role("checkbox")).to_have_count(2 * PATIENTS - 1)

    page.get_by_role("button", name=re.compile("Accept all")).click()
    expect(page.get_by_text(f"Created {2 * PATIENTS - 1} appointments.")).to_be_visible()
    expect(page.get_by_role("checkbox")).to_have_count(0)
    expect(page.get_by_text("Every proposed appointment has been decided.")).to_be_visible()
    _no_blocking_axe(page, f"plan accepted ({viewport})")
    shoot("plan-week-accepted")

    widths = page.evaluate("({s: document.documentElement.scrollWidth, i: window.innerWidth})")
    assert widths["s"] <= widths["i"] + 1, f"the review scrolls sideways: {widths}"
    broken = [e for e in console_errors if "Content Security Policy" in e or "Uncaught" in e]
    assert not broken, broken
