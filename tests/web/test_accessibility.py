"""axe-core finds no serious or critical accessibility problems, and phones never scroll sideways."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.web.clinic import SITE_COUNSELOR

pytestmark = pytest.mark.browser

BLOCKING = {"serious", "critical"}
PHONE_WIDTH = 390


def open_login(page, sign_in, seed) -> None:  # type: ignore[no-untyped-def]
    page.goto("/login")


def open_login_error(page, sign_in, seed) -> None:  # type: ignore[no-untyped-def]
    # An unknown account: a refused attempt that counts towards nobody's lockout.
    page.goto("/login")
    page.get_by_label("Email").fill("nobody@example.org")
    page.get_by_label("Password").fill("wrong password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_be_visible()


def open_patient_list(page, sign_in, seed) -> None:  # type: ignore[no-untyped-def]
    sign_in()
    page.goto("/patients")  # the whole caseload of twelve
    expect(page.get_by_role("link", name="Quillfeather, Pat")).to_be_visible()


def open_patient_search(page, sign_in, seed) -> None:  # type: ignore[no-untyped-def]
    sign_in()
    page.goto("/patients?q=quill")
    expect(page.get_by_role("link", name="Quillfeather, Pat")).to_be_visible()


def open_face_sheet(page, sign_in, seed) -> None:  # type: ignore[no-untyped-def]
    sign_in()
    page.goto(f"/patients/{seed.pat_id}")
    expect(page.get_by_role("heading", name="Clinical")).to_be_visible()


def open_face_sheet_limited(page, sign_in, seed) -> None:  # type: ignore[no-untyped-def]
    sign_in(SITE_COUNSELOR)
    page.goto(f"/patients/{seed.pat_id}")
    expect(page.get_by_role("link", name="Emergency access")).to_be_visible()


def open_refused(page, sign_in, seed) -> None:  # type: ignore[no-untyped-def]
    sign_in()
    page.goto(f"/patients/{seed.other_site_ids['Quillmarsh']}")
    expect(page.get_by_role("link", name="Emergency access")).to_be_visible()


def public_page(path: str, heading: str):  # type: ignore[no-untyped-def]
    """The public site (no sign-in): what the program is, the self-check, costs, the inquiry form."""

    def open_public(page, sign_in, seed) -> None:  # type: ignore[no-untyped-def]
        page.goto(path)
        expect(page.get_by_role("heading", level=1)).to_contain_text(heading)

    return open_public


def open_inquiry_errors(page, sign_in, seed) -> None:  # type: ignore[no-untyped-def]
    page.goto("/inquiry")
    page.locator("form[action='/inquiry'] button[type=submit]").click()
    expect(page.locator(".error-summary")).to_be_visible()


def open_setup(page, sign_in, seed) -> None:  # type: ignore[no-untyped-def]
    sign_in()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Setup").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Setup")
    expect(page.get_by_role("link", name="Locations and rooms")).to_be_visible()


PAGES = {
    "public-program": public_page("/program", "intensive outpatient"),
    "public-self-check": public_page("/self-check", ""),
    "public-cost": public_page("/cost", ""),
    "public-inquiry": public_page("/inquiry", ""),
    "public-inquiry-errors": open_inquiry_errors,
    "login": open_login,
    "login-error": open_login_error,
    "patient-list": open_patient_list,
    "patient-search": open_patient_search,
    "face-sheet": open_face_sheet,
    "face-sheet-limited": open_face_sheet_limited,
    "refused": open_refused,
    "setup": open_setup,
}


def blocking_violations(page) -> tuple[list[str], str]:  # type: ignore[no-untyped-def]
    results = Axe().run(page)
    found = [
        f"{v['id']} ({v['impact']}): {len(v['nodes'])} element(s)"
        for v in results.response["violations"]
        if v["impact"] in BLOCKING
    ]
    return found, results.generate_report()


@pytest.mark.parametrize("name", list(PAGES))
def test_no_serious_accessibility_violations(
    page, viewport, sign_in, shoot, live_server, console_errors, name
):
    PAGES[name](page, sign_in, live_server.seed)
    shoot(f"axe-{name}")

    found, report = blocking_violations(page)
    assert not found, f"axe on {name} ({viewport}): {found}\n{report}"
    refusals = [e for e in console_errors if "Content Security Policy" in e or "Uncaught" in e]
    assert not refusals, f"{name} ({viewport}) broke in the browser: {refusals}"


@pytest.mark.parametrize("viewport", ["phone"])
@pytest.mark.parametrize("name", list(PAGES))
def test_phone_never_scrolls_sideways(page, viewport, sign_in, live_server, name):
    PAGES[name](page, sign_in, live_server.seed)

    widths = page.evaluate(
        "({scroll: document.documentElement.scrollWidth, inner: window.innerWidth})"
    )
    assert widths["inner"] == PHONE_WIDTH, f"{name}: the phone zoomed out to fit: {widths}"
    assert widths["scroll"] <= widths["inner"] + 1, (
        f"{name} scrolls sideways on a phone: {widths}; widest: {widest_elements(page)}"
    )


@pytest.mark.parametrize("viewport", ["phone"])
def test_phone_patient_table_names_the_column_in_each_cell(page, viewport, sign_in, live_server):
    """On a phone the results table turns into cards, so each cell must carry its column name."""
    open_patient_list(page, sign_in, live_server.seed)
    cells = page.locator("table.responsive tbody td")
    expect(cells.first).to_be_visible()
    labels = cells.evaluate_all("tds => tds.map(td => td.getAttribute('data-label') || '')")
    assert all(label.strip() for label in labels), f"cells without data-label: {labels}"


def widest_elements(page) -> list[str]:  # type: ignore[no-untyped-def]
    """The first few elements reaching past the right edge, to say what to fix."""
    return page.evaluate(
        """() => [...document.body.querySelectorAll('*')]
              .filter(el => el.getBoundingClientRect().right > window.innerWidth + 1)
              .slice(0, 5).map(el => el.outerHTML.slice(0, 120))"""
    )
