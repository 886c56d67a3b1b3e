"""The calendar in Chromium: a director generates a week of group sessions for the site, then
reads the site's week (seven columns on a desktop, one list per day on a phone) and a
patient's week with its requirements panel; axe checks each screen.

Each viewport uses its own far-off week, since both runs share the live server's database
and the Plan-next-week test uses the weeks of December 2026.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.web.clinic_planning import DIRECTOR
from tests.web.test_accessibility import blocking_violations

pytestmark = pytest.mark.browser
WEEKS = {"desktop": ("2027-03-01", "2027-03-07"), "phone": ("2027-03-08", "2027-03-14")}


def _no_blocking_axe(page, where: str) -> None:  # type: ignore[no-untyped-def]
    found, report = blocking_violations(page)
    assert not found, f"axe on {where}: {found}\n{report}"


def _no_sideways_scroll(page, where: str) -> None:  # type: ignore[no-untyped-def]
    widths = page.evaluate("({s: document.documentElement.scrollWidth, i: window.innerWidth})")
    assert widths["s"] <= widths["i"] + 1, f"{where} scrolls sideways: {widths}"


def test_generate_then_read_the_week(page, viewport, sign_in, shoot, live_server, console_errors):  # type: ignore[no-untyped-def]
    first, last = WEEKS[viewport]
    sign_in(DIRECTOR)
    page.get_by_role("link", name="Calendar").first.click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    page.get_by_role("link", name="Closures & group sessions").click()
    page.get_by_label("From").fill(first)
    page.get_by_label("To").fill(last)
    page.get_by_role("button", name="Generate").click()
    expect(page.get_by_role("status")).to_contain_text("group session(s) created")
    _no_blocking_axe(page, f"site setup ({viewport})")

    site_calendar = page.get_by_role("link", name="Back to the site calendar").get_attribute("href")
    page.goto(f"{site_calendar}?week={first}")
    days = page.locator("section.cal-day")
    expect(days).to_have_count(7)
    expect(days.first.get_by_text("Group:").first).to_be_visible()
    _no_blocking_axe(page, f"site week ({viewport})")
    _no_sideways_scroll(page, f"site week ({viewport})")
    boxes = [days.nth(n).bounding_box() for n in range(2)]
    if viewport == "desktop":  # side by side
        assert boxes[0]["y"] == boxes[1]["y"] and boxes[0]["x"] < boxes[1]["x"]
    else:  # one list per day, stacked
        assert boxes[1]["y"] > boxes[0]["y"] and boxes[0]["x"] == boxes[1]["x"]
    shoot("calendar-site-week")

    days.first.get_by_role("link").first.click()  # the day's heading opens the day view
    expect(page.locator("section.cal-day")).to_have_count(1)
    _no_blocking_axe(page, f"site day ({viewport})")

    page.goto(f"/calendar/patients/{live_server.seed.pat_id}?week={first}")
    expect(page.get_by_role("heading", name="This week's requirements")).to_be_visible()
    expect(page.get_by_role("row", name="Group days")).to_be_visible()
    _no_blocking_axe(page, f"patient week ({viewport})")
    _no_sideways_scroll(page, f"patient week ({viewport})")
    shoot("calendar-patient-week")
    # A booking that collides comes back with the clash named and the form still filled in.
    page.get_by_role("link", name="Book an appointment").click()
    tuesday = first[:-2] + f"{int(first[-2:]) + 1:02d}"
    page.get_by_label("Date").fill(tuesday)
    page.get_by_label("Start time").fill("14:00")
    page.get_by_label("Room").select_option(label="Office 1 (holds 2)")
    page.get_by_role("button", name="Book").click()
    expect(page.get_by_role("alert")).to_contain_text("Bakery shift")
    expect(page.get_by_label("Start time")).to_have_value("14:00")
    _no_blocking_axe(page, f"booking refused ({viewport})")
    _no_sideways_scroll(page, f"booking refused ({viewport})")
    shoot("calendar-booking-conflict")

    # Monday afternoon is free: booked, and the appointment page offers move, record, cancel.
    page.get_by_label("Date").fill(first)
    page.get_by_label("Start time").fill("13:00")
    page.get_by_role("button", name="Book").click()
    expect(page.get_by_role("status")).to_have_text("Booked.")
    expect(page.get_by_role("heading", name="Move or reassign")).to_be_visible()
    _no_blocking_axe(page, f"appointment ({viewport})")
    shoot("calendar-appointment")

    for path, heading in (
        ("/admin/curriculum", "Group curriculum"),
        (f"/calendar/patients/{live_server.seed.pat_id}/availability", "Blocked times"),
    ):
        page.goto(path)
        expect(page.get_by_role("heading", level=1)).to_contain_text(heading)
        _no_blocking_axe(page, f"{path} ({viewport})")
        _no_sideways_scroll(page, f"{path} ({viewport})")
    page.go_back()  # to the appointment, whose counselor's calendar links to their hours
    page.go_back()
    page.locator("dl.facts a").nth(1).click()
    expect(page.get_by_text("Staff calendar")).to_be_visible()
    _no_blocking_axe(page, f"staff week ({viewport})")
    page.get_by_role("link", name="Working hours & time off").click()
    expect(page.get_by_role("heading", name="Weekly hours")).to_be_visible()
    _no_blocking_axe(page, f"staff hours ({viewport})")
    _no_sideways_scroll(page, f"staff hours ({viewport})")
    broken = [e for e in console_errors if "Content Security Policy" in e or "Uncaught" in e]
    assert not broken, broken
