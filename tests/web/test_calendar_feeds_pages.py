"""Feed and reminder pages in a real browser: the once-shown link works, axe finds nothing
serious, and a phone never scrolls sideways (the long feed link included)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.web.test_accessibility import blocking_violations

pytestmark = pytest.mark.browser


def _fits_a_phone(page, viewport: str) -> None:  # type: ignore[no-untyped-def]
    if viewport != "phone":
        return
    widths = page.evaluate(
        "({scroll: document.documentElement.scrollWidth, inner: window.innerWidth})"
    )
    assert widths["scroll"] <= widths["inner"] + 1, f"scrolls sideways: {widths}"


def test_create_subscribe_and_turn_off_a_feed(page, viewport, sign_in, shoot, console_errors):
    sign_in()
    page.goto("/calendar/feeds/mine")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your calendar feed")
    page.get_by_role("button", name="Create a feed link").click()
    link = page.get_by_role("textbox", name="Feed link")
    url = link.input_value()
    assert url.startswith("http") and url.endswith(".ics")
    shoot("calendar-feed-new-link")
    found, report = blocking_violations(page)
    assert not found, f"axe ({viewport}): {found}\n{report}"
    _fits_a_phone(page, viewport)
    feed = page.context.request.get(url)  # a calendar app: the URL alone is the key
    assert feed.status == 200 and feed.headers["content-type"].startswith("text/calendar")
    assert b"BEGIN:VCALENDAR" in feed.body()
    page.get_by_role("button", name="Turn off the link").click()
    expect(page.get_by_text("The feed link was turned off.")).to_be_visible()
    assert page.context.request.get(url).status == 404
    assert not [e for e in console_errors if "Content Security Policy" in e or "Uncaught" in e]


def test_reminder_choices_page(page, viewport, sign_in, shoot, live_server, console_errors):
    sign_in()
    page.goto(f"/calendar/reminders/patients/{live_server.seed.pat_id}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Appointment reminders for")
    page.get_by_label("Email a reminder before each appointment").check()
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".error-summary, .notice").first).to_be_visible()
    shoot("calendar-reminder-choices")
    found, report = blocking_violations(page)
    assert not found, f"axe ({viewport}): {found}\n{report}"
    _fits_a_phone(page, viewport)
    assert not [e for e in console_errors if "Content Security Policy" in e or "Uncaught" in e]
