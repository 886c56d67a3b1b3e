"""A covering facilitator in Chromium: the director opens today's group from the site's day
view, picks a counselor who is on time off (refused, the clash named, the form re-shown as
typed), then a free one; the site's day and week mark the group "Covering for" the usual
facilitator; the stand-in signs in and finds the group on their attendance list for today.
Desktop and phone, axe clean, no sideways scroll, no script or CSP errors.

Each viewport covers its own group (clinic_cover.COVER_TRACKS), as both runs share the live
server's database.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from tests.web.clinic_cover import (
    BUSY,
    BUSY_WHY,
    COVER_DIRECTOR,
    COVER_TRACKS,
    STAND_IN,
    STAND_IN_NAME,
    USUAL,
)
from tests.web.test_accessibility import blocking_violations

pytestmark = pytest.mark.browser


def _no_blocking_axe(page, where: str) -> None:  # type: ignore[no-untyped-def]
    found, report = blocking_violations(page)
    assert not found, f"axe on {where}: {found}\n{report}"


def _no_sideways_scroll(page, where: str) -> None:  # type: ignore[no-untyped-def]
    widths = page.evaluate("({s: document.documentElement.scrollWidth, i: window.innerWidth})")
    assert widths["s"] <= widths["i"] + 1, f"{where} scrolls sideways: {widths}"


def _group_item(page, track: str):  # type: ignore[no-untyped-def]
    return page.locator("li.cal-item", has=page.get_by_role("link", name=f"Group: {track}"))


def test_a_director_puts_a_stand_in_on_todays_group_and_the_stand_in_finds_it(
    page, viewport, sign_in, shoot, console_errors
) -> None:
    track = COVER_TRACKS[viewport][0]
    today = datetime.now(ZoneInfo("America/Los_Angeles")).date().isoformat()
    sign_in(COVER_DIRECTOR)
    page.get_by_role("link", name="Calendar").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Harborlight Uptown")
    page.locator(f"#d-{today}").get_by_role("link").click()  # the day's heading: the day view
    expect(page.locator("section.cal-day")).to_have_count(1)
    expect(_group_item(page, track)).not_to_contain_text("Covering")
    _group_item(page, track).get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Group: {track}")
    expect(page.get_by_role("heading", name="Someone else leads this group")).to_be_visible()
    _no_blocking_axe(page, f"group session ({viewport})")

    # The counselor on time off is refused with the clash named, and the form keeps the choice.
    choice = page.get_by_label("Covering facilitator")
    choice.select_option(label=f"{BUSY} (LMFT)")
    page.get_by_label("Reason (optional)").fill("Out sick")
    page.get_by_role("button", name="Change facilitator").click()
    expect(page.get_by_role("alert")).to_contain_text(f"{BUSY}: overlaps time off ({BUSY_WHY})")
    expect(page.locator("#e-facilitator_id")).to_contain_text("07:00–21:00")
    expect(choice).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#f-facilitator_id option:checked")).to_have_text(f"{BUSY} (LMFT)")
    expect(page.get_by_label("Reason (optional)")).to_have_value("Out sick")
    facts = page.locator("dl.facts")
    expect(facts).to_contain_text(USUAL)
    expect(facts).not_to_contain_text("Covering")
    _no_blocking_axe(page, f"cover refused ({viewport})")
    _no_sideways_scroll(page, f"cover refused ({viewport})")
    shoot("calendar-cover-clash")

    choice.select_option(label=f"{STAND_IN_NAME} (LPCC)")
    page.get_by_role("button", name="Change facilitator").click()
    expect(page.get_by_role("alert")).to_have_count(0)
    expect(facts).to_contain_text(f"{STAND_IN_NAME} Covering for {USUAL}")

    # The site's day and week show the cover at a glance.
    page.get_by_role("link", name="Site calendar").click()
    item = _group_item(page, track)
    expect(item).to_contain_text(f"Covering for {USUAL}")
    expect(item).to_contain_text(STAND_IN_NAME)
    _no_blocking_axe(page, f"site week with cover ({viewport})")
    _no_sideways_scroll(page, f"site week with cover ({viewport})")
    page.locator(f"#d-{today}").get_by_role("link").click()
    expect(_group_item(page, track)).to_contain_text(f"Covering for {USUAL}")
    _no_blocking_axe(page, f"site day with cover ({viewport})")
    _no_sideways_scroll(page, f"site day with cover ({viewport})")
    shoot("calendar-cover-day")

    # The stand-in's list for today holds the group, and its roster opens for them.
    page.context.clear_cookies()
    sign_in(STAND_IN)
    page.goto("/attendance")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Attendance for")
    take = page.get_by_role("link", name=f"Take attendance for {track}")
    expect(take).to_be_visible()
    _no_blocking_axe(page, f"stand-in's attendance list ({viewport})")
    _no_sideways_scroll(page, f"stand-in's attendance list ({viewport})")
    shoot("attendance-stand-in-today")
    take.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Attendance: {track}")
    broken = [e for e in console_errors if "Content Security Policy" in e or "Uncaught" in e]
    assert not broken, broken
