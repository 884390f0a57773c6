"""The desk driven in a real browser (Debian's Chromium, headless) against a live server.

A dispatcher logs a report by keyboard, confirms and dispatches it; the technician, in a
phone-sized window, marks arrival and resolution; the timeline tells the whole story.
"""

import re

import pytest
from django.contrib.auth.models import Group

from incidents.models import EventKind, Incident, Status
from tests import factories

PASSWORD = "pw-Secret-123"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login(browser, live_server, username, viewport, lang="en"):
    context = browser.new_context(viewport=viewport)
    context.add_cookies([{"name": "django_language", "value": lang, "url": live_server.url}])
    page = context.new_page()
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.press("input[name=password]", "Enter")
    page.wait_for_load_state("networkidle")
    return page


@pytest.fixture
def people(db):
    org = factories.make_org()
    dispatcher = factories.UserFactory(username="desk", roles=["dispatcher"])
    technician = factories.UserFactory(username="roadside", roles=["technician"])
    factories.MembershipFactory(team=org["service_centre"], user=technician)
    assert Group.objects.filter(name="technician").exists()
    return dispatcher, technician


@pytest.mark.parametrize("lang", ["en", "zh-hans"])
def test_report_to_resolution_in_the_browser(browser, live_server, people, lang):
    _dispatcher, technician = people
    page = _login(browser, live_server, "desk", {"width": 1366, "height": 900}, lang)
    page.goto(f"{live_server.url}/incidents/new/")
    # Keyboard entry while the customer talks: customer, phone, VIN, title, grade by Alt+1.
    page.keyboard.type("Zhang Wei")
    page.keyboard.press("Tab")
    page.keyboard.type("13800000000")
    page.keyboard.press("Tab")
    page.keyboard.type("LSVAU2180N2000001")
    page.fill("input[name=title]", "Battery pack will not charge")
    page.keyboard.press("Alt+1")
    page.wait_for_selector("#deadline-preview .deadline-preview")
    assert page.locator("#deadline-preview .countdown").count() == 1
    page.wait_for_load_state("networkidle")
    with page.expect_navigation():
        page.keyboard.press("Control+Enter")
    page.wait_for_load_state("networkidle")
    errors = page.locator(".errorlist li").all_inner_texts()
    assert re.search(r"/incidents/\d+/$", page.url), (page.url, errors)
    incident = Incident.objects.get()
    assert incident.grade == "I" and incident.asset_ref == "LSVAU2180N2000001"

    page.locator("form[action$='/confirm/'] button").click()
    page.wait_for_load_state("networkidle")
    page.eval_on_selector("details:has(form[action$='/dispatch/'])", "d => { d.open = true; }")
    page.select_option("form[action$='/dispatch/'] select[name=assignee]", value=str(technician.pk))
    page.locator("form[action$='/dispatch/']:has(select[name=assignee]) button").click()
    page.wait_for_load_state("networkidle")
    incident.refresh_from_db()
    assert incident.status == Status.DISPATCHED and incident.assignee == technician

    phone = _login(browser, live_server, "roadside", {"width": 360, "height": 740}, lang)
    assert phone.url.endswith("/incidents/mine/")
    # Nothing to pinch or zoom: the page is no wider than the phone.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    phone.locator(f"#job-{incident.pk} form[action$='/arrive/'] button").click()
    phone.wait_for_load_state("networkidle")
    phone.fill(f"#job-{incident.pk} textarea[name=resolution]", "Replaced the BMS fuse")
    phone.locator(f"#job-{incident.pk} form[action$='/resolve/'] button").click()
    phone.wait_for_load_state("networkidle")
    incident.refresh_from_db()
    assert incident.status == Status.RESOLVED

    page.goto(f"{live_server.url}/incidents/{incident.pk}/")
    kinds = list(incident.events.values_list("kind", flat=True))
    for kind in (
        EventKind.REPORTED,
        EventKind.CONFIRMED,
        EventKind.DISPATCHED,
        EventKind.ARRIVED,
        EventKind.RESOLVED,
    ):
        assert kind in kinds
    assert page.locator(".timeline li").count() == len(kinds)
    assert "Replaced the BMS fuse" in page.content()
