"""The dispatcher's intake and the incident page, driven in Chromium as people use them.

Intake with errors, a draft that survives a reload and a new login, the warning for a caller
who already has an open incident, the keyboard, the feedback after each action, live updates,
and a technician on a phone working a job to resolution.
"""

import os

import pytest

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
