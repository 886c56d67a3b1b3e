"""The admissions journey in Chromium, desktop and phone: a person takes the anonymous
self-check and sends an inquiry; the coordinator schedules the screening; a counselor finds it
on the task list, records the assessment, sees the recommendation with its reasons and accepts
it; the coordinator admits the person (track chosen against their commitments, care team,
consent signed on screen) and the patient exists with an enrollment and first-week tasks. Then
the refer-out directory and the referral form. axe checks every new staff page.

Each viewport uses its own person, since both runs share the live server's database; the
admissions site is seeded apart (tests/web/clinic_admissions.py) so no other test's caseload
changes.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.web.clinic_admissions import (
    ADMISSIONS,
    EVENINGS,
    MORNINGS,
    SOUTH_COUNSELOR,
    SOUTH_COUNSELOR_NAME,
    SOUTH_PHYSICIAN_NAME,
    SOUTH_SITE,
)
from tests.web.clinic_planning import DIRECTOR
from tests.web.test_accessibility import blocking_violations

pytestmark = pytest.mark.browser
PEOPLE = {"desktop": ("Jamie", "Brightwater"), "phone": ("Robin", "Fairhollow")}
PHONES = {"desktop": "(555) 014-2001", "phone": "(555) 014-2002"}


def _axe(page, where: str) -> None:  # type: ignore[no-untyped-def]
    found, report = blocking_violations(page)
    assert not found, f"axe on {where}: {found}\n{report}"


def _no_sideways_scroll(page, where: str) -> None:  # type: ignore[no-untyped-def]
    widths = page.evaluate("({s: document.documentElement.scrollWidth, i: window.innerWidth})")
    assert widths["s"] <= widths["i"] + 1, f"{where} scrolls sideways: {widths}"


def _switch(page, sign_in, email: str) -> None:  # type: ignore[no-untyped-def]
    page.context.clear_cookies()
    sign_in(email)


def _option_value(page, select_id: str, text: str) -> str:  # type: ignore[no-untyped-def]
    return page.locator(f"#{select_id} option", has_text=text).first.get_attribute("value")


def _self_check_and_inquiry(page, first: str, last: str, phone: str) -> None:  # type: ignore[no-untyped-def]
    page.goto("/self-check")
    page.locator("input[name=substances][value=alcohol]").check()
    for group in ("frequency", "audit_c_1", "audit_c_2", "audit_c_3", "dangerous_withdrawal",
                  "mood_1", "mood_2", "safety", "home"):  # fmt: skip
        page.locator(f"input[name={group}]").first.check()
    page.get_by_role("button", name="See my guidance").click()
    expect(page.locator("#guidance-title")).to_be_visible()
    page.get_by_role("link", name="Send us an inquiry").click()
    expect(page.locator("input[name=substances][value=alcohol]")).to_be_checked()
    page.get_by_label("Your name").fill(f"{first} {last}")
    page.locator("input[name=caller_relationship][value=self]").check()
    page.locator("input[name=contact_method][value=phone]").check()
    page.get_by_label("Phone number").fill(phone)
    page.get_by_label("Preferred location").select_option(label=SOUTH_SITE)
    page.locator("#f-consent_to_contact").check()
    page.get_by_role("button", name="Send", exact=True).click()
    expect(page.get_by_role("heading", name="Thank you, we received your message")).to_be_visible()


def _open_inquiry(page, name: str) -> int:  # type: ignore[no-untyped-def]
    page.goto("/admissions/inquiries")
    page.get_by_role("link", name=name).first.click()
    page.wait_for_url(re.compile(r"/admissions/inquiries/\d+$"))
    return int(page.url.rsplit("/", 1)[1])


def _assess_and_accept(page, name: str, shoot) -> None:  # type: ignore[no-untyped-def]
    page.get_by_role("link", name="Tasks", exact=True).click()
    expect(
        page.get_by_role("heading", name=re.compile("Waiting for an assessment"))
    ).to_be_visible()
    _axe(page, "task list (counselor)")
    page.get_by_role("link", name=name).click()
    expect(page.get_by_role("heading", name=f"Screening and assessment: {name}")).to_be_visible()
    page.locator("input[name=substances][value=alcohol]").check()
    page.locator("details:has(input[name='dsm5.alcohol']) > summary").click()
    for box in page.locator("input[name='dsm5.alcohol']").all()[:4]:  # 4 criteria: moderate
        box.check()
    page.get_by_role("button", name="Save and recommend").click()
    heading = page.get_by_role("heading", name=re.compile("^Recommendation: Intensive outpatient"))
    expect(heading).to_be_visible()
    expect(page.locator(".assessment-reasons li").first).to_be_visible()
    shoot("admissions-recommendation")
    page.get_by_role("button", name="Record decision").click()
    expect(page.get_by_text(re.compile("^Accepted: Intensive outpatient"))).to_be_visible()


def _admit(page, first: str, last: str, shoot, viewport: str) -> None:  # type: ignore[no-untyped-def]
    page.get_by_role("link", name="Admit", exact=True).click()
    expect(page.get_by_role("heading", name=f"Admit: {first} {last}")).to_be_visible()
    page.locator("#f-date_of_birth").fill("1991-06-21")
    page.locator("#f-c1_kind").select_option("work")
    for day in ("1", "2", "3", "4", "5"):
        page.locator(f"#f-c1_days-{day}").check()
    page.locator("#f-c1_start").fill("08:00")
    page.locator("#f-c1_end").fill("16:00")
    page.get_by_role("button", name="Check tracks against these commitments").click()
    mornings = page.locator(".track-option", has_text=MORNINGS)
    expect(mornings.locator("xpath=following-sibling::p[1]")).to_contain_text("Clashes: Mon")
    evenings = page.locator(".track-option", has_text=EVENINGS)
    expect(evenings.locator("xpath=following-sibling::p[1]")).to_contain_text("No clash")
    _axe(page, f"admit form ({viewport})")
    _no_sideways_scroll(page, "admit form")
    shoot("admissions-admit-form")
    evenings.locator("input[type=radio]").check()
    counselor = _option_value(page, "f-primary_counselor_id", SOUTH_COUNSELOR_NAME)
    page.locator("#f-primary_counselor_id").select_option(counselor)
    page.locator("#f-physician_id").select_option(
        _option_value(page, "f-physician_id", SOUTH_PHYSICIAN_NAME)
    )
    page.get_by_role("button", name="Admit", exact=True).click()
    expect(page.locator(".error-summary")).to_contain_text("agree to treatment")  # no consent yet
    page.get_by_label("Signature: the signer types their full name").fill(f"{first} {last}")
    page.locator("#f-consent_agreed-box").check()
    page.get_by_role("button", name="Admit", exact=True).click()
    expect(page.get_by_role("heading", name="Admitted", exact=True)).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("Complete the intake"))).to_be_visible()
    _axe(page, f"admitted ({viewport})")
    shoot("admissions-admitted")


def _directory(page, viewport: str, shoot) -> None:  # type: ignore[no-untyped-def]
    page.goto("/admissions/partners/new")
    _axe(page, f"partner form ({viewport})")
    page.get_by_label("Name").fill(f"Cedar Ridge Residential ({viewport})")
    page.get_by_label("Residential treatment").check()
    page.get_by_label("City").fill("Sampleton")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Saved.")).to_be_visible()
    expect(page.get_by_role("cell", name=re.compile("Residential treatment")).first).to_be_visible()
    _axe(page, f"partners ({viewport})")
    shoot("admissions-partners")
    page.goto("/admissions/sober-living/new")
    page.get_by_label("Name").fill(f"Juniper House ({viewport})")
    page.get_by_label("City").fill("Sampleton")
    page.get_by_label("Beds").fill("8")
    page.get_by_label("Certified by").fill("CCAPP")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Saved.")).to_be_visible()
    _axe(page, f"sober-living homes ({viewport})")


def _referral_form(page, inquiry_id: int, viewport: str, shoot) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"/admissions/inquiries/{inquiry_id}/refer?level=iop_with_sober_living")
    expect(page.get_by_role("rowheader", name=f"Juniper House ({viewport})")).to_be_visible()
    _axe(page, f"refer form ({viewport})")
    _no_sideways_scroll(page, "refer form")
    shoot("admissions-refer")


def test_self_check_to_admitted_patient(  # type: ignore[no-untyped-def]
    page, viewport, sign_in, shoot, console_errors
):
    first, last = PEOPLE[viewport]
    _self_check_and_inquiry(page, first, last, PHONES[viewport])

    sign_in(ADMISSIONS)
    inquiry_id = _open_inquiry(page, f"{first} {last}")
    page.get_by_label("Stage").select_option("screening_scheduled")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("Saved.")).to_be_visible()

    _switch(page, sign_in, SOUTH_COUNSELOR)
    _assess_and_accept(page, f"{first} {last}", shoot)

    _switch(page, sign_in, ADMISSIONS)
    page.goto(f"/admissions/inquiries/{inquiry_id}")
    _admit(page, first, last, shoot, viewport)

    page.get_by_role("link", name=re.compile(f"{first} {last} \\(M")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(last)
    expect(page.get_by_text(EVENINGS).first).to_be_visible()
    expect(page.get_by_text(SOUTH_COUNSELOR_NAME).first).to_be_visible()

    page.goto("/admissions/tasks")
    expect(page.get_by_role("row", name=re.compile(f"Complete the intake.*{last}"))).to_be_visible()
    _axe(page, f"task list ({viewport})")
    _no_sideways_scroll(page, "task list")
    shoot("admissions-tasks")

    _switch(page, sign_in, DIRECTOR)  # the directory is kept by directors
    _directory(page, viewport, shoot)
    _switch(page, sign_in, ADMISSIONS)
    _referral_form(page, inquiry_id, viewport, shoot)
    refusals = [e for e in console_errors if "Content Security Policy" in e or "Uncaught" in e]
    assert not refusals, refusals
