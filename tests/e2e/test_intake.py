"""The dispatcher's intake and the incident page, driven in Chromium as people use them.

Intake with errors, a draft that survives a reload and a new login, the warning for a caller
who already has an open incident, the keyboard, the feedback after each action, live updates,
and a technician on a phone working a job to resolution.
"""

import os

import pytest

from incidents.models import Incident
from tests import factories
from tests.e2e.conftest import DESKTOP, PHONE

PASSWORD = "pw-Secret-123"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def desk(db):
    org = factories.make_org()
    dispatcher = factories.UserFactory(username="desk", roles=["dispatcher"], password=PASSWORD)
    technician = factories.UserFactory(
        username="roadside", roles=["technician"], password=PASSWORD, first_name="Li"
    )
    factories.MembershipFactory(team=org["service_centre"], user=technician)
    return {"org": org, "dispatcher": dispatcher, "technician": technician}


def _shot(page, name: str) -> None:
    """A screenshot to look at, when E2E_SCREENSHOTS names a directory."""
    if folder := os.environ.get("E2E_SCREENSHOTS"):
        page.screenshot(path=os.path.join(folder, f"{name}.png"), full_page=True)


def _width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


@pytest.mark.parametrize("lang", ["en", "zh-hans"])
def test_a_long_unbroken_title_wraps_on_desktop_and_phone(open_as, live_server, desk, lang):
    incident = factories.report(desk["dispatcher"], title="X" * 200)
    for viewport, phone in ((DESKTOP, False), (PHONE, True)):
        page = open_as("desk", password=PASSWORD, lang=lang, phone=phone)
        page.goto(f"{live_server.url}/incidents/{incident.pk}/")
        assert page.locator("h1").inner_text() == "X" * 200
        _shot(page, f"long-title-{lang}-{viewport['width']}")
        assert _width(page) <= viewport["width"]
        page.context.close()


def _said(lang: str, text: str) -> str:
    from django.utils import translation

    with translation.override(lang):
        return translation.gettext(text)


@pytest.mark.parametrize("lang", ["en", "zh-hans"])
def test_intake_with_errors_keeps_the_preview_and_focuses_the_first_field_to_fix(
    open_as, live_server, desk, lang
):
    page = open_as("desk", password=PASSWORD, lang=lang)
    page.goto(f"{live_server.url}/incidents/new/")
    page.keyboard.type("Zhang Wei")
    page.keyboard.press("Tab")
    page.keyboard.type("13800000000")
    page.locator("#intake label[for=id_grade_1]").click()  # Level II
    page.wait_for_selector("#deadline-preview .deadline-preview .grade-II")
    # A report time in the future is refused as soon as the dispatcher leaves the field.
    page.fill("input[name=reported_at]", "2099-01-01T10:00")
    page.locator("input[name=reported_at]").dispatch_event("change")
    future = _said(lang, "The report time cannot be in the future.")
    page.wait_for_selector(f"#row-reported_at .errorlist >> text={future}")
    _shot(page, f"intake-inline-error-{lang}")
    # Submitted without a title: the page comes back with the grade's deadlines still shown
    # and the cursor in the first field to correct.
    with page.expect_navigation():
        page.locator("#intake button[type=submit]").click()
    assert page.locator("#deadline-preview .deadline-preview .grade-II").is_visible()
    assert page.evaluate("document.activeElement.name") == "title"
    assert page.locator("#row-reported_at .errorlist").inner_text() == future
    _shot(page, f"intake-failed-submit-{lang}")
    page.fill("input[name=title]", "Battery pack will not charge")
    page.fill("input[name=reported_at]", "")
    with page.expect_navigation():
        page.keyboard.press("Control+Enter")
    assert "/incidents/new/" not in page.url
    assert Incident.objects.get().grade == "II"
