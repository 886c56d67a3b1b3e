"""The clinical chart in Chromium: trajectory charts with their tables, the drug screen trend,
the plan, a questionnaire given on a staff device, the patient signing on screen, discharge
and the work list. Desktop and phone, screenshots, axe clean, no sideways scroll, no CSP or
script errors."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.web.clinic import COUNSELOR, SITE_COUNSELOR
from tests.web.test_accessibility import PHONE_WIDTH, blocking_violations, widest_elements

pytestmark = pytest.mark.browser


def _clean(page, console_errors, name: str) -> None:  # type: ignore[no-untyped-def]
    errors = [e for e in console_errors if "Content Security Policy" in e or "Uncaught" in e]
    assert not errors, f"{name} broke in the browser: {errors}"
    found, report = blocking_violations(page)
    assert not found, f"axe on {name}: {found}\n{report}"
    widths = page.evaluate(
        "({scroll: document.documentElement.scrollWidth, inner: window.innerWidth})"
    )
    assert widths["scroll"] <= widths["inner"] + 1, (
        f"{name} scrolls sideways: {widest_elements(page)}"
    )


def test_the_chart_shows_trajectories_tables_and_screens(
    page, viewport, sign_in, shoot, live_server, console_errors
):
    sign_in(COUNSELOR)
    page.goto(f"/patients/{live_server.seed.pat_id}/clinical")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Clinical chart: Pat Quillfeather")
    phq = page.get_by_role("img", name="PHQ-9 total over time")
    expect(phq).to_be_visible()
    expect(
        page.get_by_role("img", name="Brief Addiction Monitor subscales over time")
    ).to_be_visible()
    expect(page.get_by_role("img", name="Drug screen results over time")).to_be_visible()
    expect(
        page.locator("figcaption", has_text="total 17 then 7 (down 10; lower is better)")
    ).to_be_visible()
    box = phq.bounding_box()
    assert (
        box
        and box["width"] > 300
        and box["width"] <= (PHONE_WIDTH if viewport == "phone" else 1280)
    )
    page.get_by_text("PHQ-9 scores as a table").click()
    table = page.get_by_role("table", name="PHQ-9 scores")
    expect(table.get_by_role("row")).to_have_count(5)  # header and four dates
    expect(page.get_by_role("cell", name="Unexpected positive")).to_be_visible()
    _clean(page, console_errors, f"clinical chart ({viewport})")
    shoot("clinical-chart")


def test_the_active_plan_and_its_reviews(
    page, viewport, sign_in, shoot, live_server, console_errors
):
    sign_in(COUNSELOR)
    page.goto(f"/patients/{live_server.seed.pat_id}/plan")
    expect(page.get_by_role("heading", name="Active plan", exact=False)).to_be_visible()
    expect(page.get_by_text("Bring the PHQ-9 total below 10")).to_be_visible()
    expect(page.get_by_role("button", name="Record review (today)")).to_be_visible()
    _clean(page, console_errors, f"plan ({viewport})")
    shoot("clinical-plan")


def _give_gad7(page, patient_id: int) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"/patients/{patient_id}/measures/GAD-7")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Generalized Anxiety Disorder")
    for number in range(1, 8):
        group = page.get_by_role("group", name=f"{number}.", exact=False)
        group.get_by_label("Several days (1)").check()


def test_a_questionnaire_on_a_staff_device(
    page, viewport, sign_in, shoot, live_server, console_errors
):
    sign_in(COUNSELOR)
    pid = live_server.seed.pat_id
    _give_gad7(page, pid)
    page.get_by_role("group", name="7.", exact=False).get_by_label("Not at all (0)").check()
    shoot("clinical-measure-form")
    _clean(page, console_errors, f"GAD-7 form ({viewport})")
    page.get_by_role("button", name="Save and score").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Clinical chart")
    page.get_by_text("GAD-7 scores as a table").click()
    expect(
        page.get_by_role("table", name="GAD-7 scores").get_by_role("cell", name="Mild").first
    ).to_be_visible()


def test_an_unanswered_questionnaire_names_the_item(
    page, viewport, sign_in, live_server, console_errors
):
    sign_in(COUNSELOR)
    page.goto(f"/patients/{live_server.seed.pat_id}/measures/PHQ-9")
    page.get_by_role("group", name="1.", exact=False).get_by_label("Not at all (0)").check()
    page.get_by_role("button", name="Save and score").click()
    expect(page.get_by_role("alert")).to_contain_text("8 items not answered")
    expect(page.locator("#e-item_9")).to_have_text("Answer item 9.")
    page.get_by_role("link", name="Answer item 9.").click()
    _clean(page, console_errors, f"PHQ-9 errors ({viewport})")


@pytest.mark.parametrize("viewport", ["desktop"])
def test_the_patient_signs_their_plan_on_screen(page, viewport, sign_in, shoot, console_errors):
    sign_in(COUNSELOR)
    page.goto("/patients")
    page.get_by_role("link", name="Bramblecott, Morgan").click()
    page.goto(page.url.rstrip("/") + "/plan")
    expect(page.get_by_text("Counselor: signed")).to_be_visible()
    field = page.get_by_label("Patient: type your first and last name")
    field.fill("Someone Else")
    page.get_by_role("button", name="Sign as patient").click()
    expect(
        page.get_by_text("The patient types their own first and last name to sign.").first
    ).to_be_visible()
    _clean(page, console_errors, "patient signature error")
    page.get_by_label("Patient: type your first and last name").fill("Morgan Bramblecott")
    page.get_by_role("button", name="Sign as patient").click()
    expect(page.get_by_text("signed as “Morgan Bramblecott”")).to_be_visible()
    expect(page.get_by_text("Physician: not yet")).to_be_visible()
    shoot("clinical-plan-signing")


def test_discharge_and_work_list(page, viewport, sign_in, shoot, live_server, console_errors):
    sign_in(COUNSELOR)
    page.goto(f"/patients/{live_server.seed.pat_id}/discharge")
    expect(page.get_by_role("heading", name="Start the discharge")).to_be_visible()
    _clean(page, console_errors, f"discharge ({viewport})")
    shoot("clinical-discharge")
    page.goto("/clinical")
    expect(page.get_by_role("heading", level=1)).to_have_text("Clinical work list")
    expect(
        page.get_by_role("table", name="Measures due today or overdue", exact=False)
    ).to_be_visible()
    _clean(page, console_errors, f"work list ({viewport})")
    shoot("clinical-worklist")


def test_a_counselor_off_the_care_team_is_refused(page, viewport, sign_in, live_server):
    sign_in(SITE_COUNSELOR)
    response = page.goto(f"/patients/{live_server.seed.pat_id}/clinical")
    assert response is not None and response.status == 403
    expect(page.get_by_role("img", name="PHQ-9 total over time")).to_have_count(0)
