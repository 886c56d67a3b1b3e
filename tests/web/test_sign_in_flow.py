"""A counselor signs in, finds a patient on the caseload and opens the face sheet, in Chromium."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests import factories as f
from tests.web.clinic import COUNSELOR, FRONT_DESK, SITE_COUNSELOR, WEST_COUNSELOR

pytestmark = pytest.mark.browser

SEARCH_LABEL = "Search by name, MRN or date of birth"
PATIENTS_URL = re.compile(r"/patients(\?.*)?$")


def search(page, query: str) -> None:  # type: ignore[no-untyped-def]
    page.get_by_label(SEARCH_LABEL).fill(query)
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page).to_have_url(re.compile(r"/patients\?(.*&)?q="))


def test_counselor_finds_a_patient_and_opens_the_face_sheet(page, shoot, live_server):
    page.goto("/login")
    shoot("login")
    page.get_by_label("Email").fill(COUNSELOR)
    page.get_by_label("Password").fill(f.PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    expect(page).to_have_url(PATIENTS_URL)
    shoot("patients")
    search(page, "quill")
    expect(page.get_by_label(SEARCH_LABEL)).to_have_value("quill")
    shoot("patients-search")
    page.get_by_role("link", name="Quillfeather, Pat").click()

    expect(page).to_have_url(re.compile(rf"/patients/{live_server.seed.pat_id}$"))
    expect(page.locator("h1")).to_contain_text("Pat Quillfeather")
    expect(page.get_by_role("heading", name="Clinical")).to_be_visible()
    shoot("face-sheet")


def test_wrong_password_shows_the_error_and_stays_on_login(page, shoot):
    page.goto("/login")
    page.get_by_label("Email").fill(FRONT_DESK)
    page.get_by_label("Password").fill("not the password at all")
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("alert")).to_contain_text("The email or password is not right.")
    expect(page).to_have_url(re.compile(r"/login$"))
    expect(page.get_by_label("Email")).to_have_value(FRONT_DESK)
    expect(page.get_by_label("Password")).to_have_value("")
    shoot("login-wrong-password")


def test_patients_at_another_site_are_not_listed_for_the_counselor(page, sign_in, live_server):
    sign_in()
    expect(page).to_have_url(PATIENTS_URL)

    search(page, "quill")  # matches Quillfeather (site A) and Quillmarsh (site B)
    expect(page.get_by_role("link", name="Quillfeather, Pat")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("Quillmarsh"))).to_have_count(0)

    search(page, "saltmarrow")
    expect(page.get_by_role("link", name=re.compile("Saltmarrow"))).to_have_count(0)
    search(page, live_server.seed.pat_mrn)
    expect(page.get_by_role("link", name="Quillfeather, Pat")).to_be_visible()
    search(page, live_server.seed.other_site_mrns["Duskwhistle"])
    expect(page.get_by_role("link", name=re.compile("Duskwhistle"))).to_have_count(0)
    expect(page.get_by_text(re.compile("Quillmarsh|Saltmarrow|Duskwhistle"))).to_have_count(0)


def test_the_other_sites_counselor_finds_their_patient_but_not_ours(page, sign_in):
    """The same search from site B: proves the site-B patients exist and are searchable."""
    sign_in(WEST_COUNSELOR)
    search(page, "quill")
    expect(page.get_by_role("link", name="Quillmarsh, Robin")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("Quillfeather"))).to_have_count(0)


def test_a_face_sheet_at_another_site_is_refused_with_emergency_access(
    page, sign_in, shoot, live_server
):
    sign_in()
    response = page.goto(f"/patients/{live_server.seed.other_site_ids['Quillmarsh']}")

    assert response is not None and response.status == 403
    expect(page.get_by_role("link", name="Emergency access")).to_be_visible()
    expect(page.get_by_role("heading", name="Clinical")).to_have_count(0)
    shoot("face-sheet-refused")


def test_staff_off_the_care_team_see_a_limited_face_sheet(page, sign_in, shoot, live_server):
    sign_in(SITE_COUNSELOR)
    page.goto(f"/patients/{live_server.seed.pat_id}")

    expect(page.locator("h1")).to_contain_text("Pat Quillfeather")
    expect(page.get_by_role("heading", name="Identity")).to_be_visible()
    expect(page.get_by_role("heading", name="Clinical")).to_have_count(0)
    expect(page.get_by_text("F41.1")).to_have_count(0)  # a diagnosis only the care team sees
    expect(page.get_by_text("limited to the patient's care team")).to_be_visible()
    expect(page.get_by_role("link", name="Emergency access")).to_be_visible()
    shoot("face-sheet-limited")


@pytest.mark.parametrize("signed_in", [False, True], ids=["login", "patients"])
def test_skip_link_is_the_first_tab_stop_and_moves_focus_to_main(page, sign_in, signed_in):
    if signed_in:
        sign_in()
        expect(page).to_have_url(PATIENTS_URL)
    else:
        page.goto("/login")

    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    box = skip.bounding_box()
    assert box is not None and box["x"] >= 0 and box["y"] >= 0, (
        f"focused skip link is off-screen: {box}"
    )

    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()
