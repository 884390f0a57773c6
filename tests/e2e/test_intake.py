"""The dispatcher's intake and the incident page, driven in Chromium as people use them.

Intake with errors, a draft that survives a reload and a new login, the warning for a caller
who already has an open incident, the keyboard, the feedback after each action, live updates,
and a technician on a phone working a job to resolution.
"""

import os

import pytest
from django.utils.translation import override as translation_override

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
        # The intake form and the keyboard help fit too.
        page.goto(f"{live_server.url}/incidents/new/")
        page.fill("input[name=customer_phone]", incident.customer_phone)
        page.locator("#caller-history .msg-warning").wait_for()
        page.evaluate("document.activeElement.blur()")
        page.keyboard.press("?")
        page.wait_for_selector("#keyboard-help[open]")
        _shot(page, f"intake-help-{lang}-{viewport['width']}")
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


def test_a_draft_survives_a_reload_an_expired_session_and_a_new_login(open_as, live_server, desk):
    page = open_as("desk", password=PASSWORD)
    page.goto(f"{live_server.url}/incidents/new/")
    page.keyboard.type("Wang Fang")
    page.fill("input[name=title]", "Charger overheating")
    page.locator("#intake label[for=id_grade_0]").click()  # Level I
    page.wait_for_selector("#deadline-preview .deadline-preview .grade-I")

    # Clicking away asks first.
    dialogs = []
    page.once("dialog", lambda d: (dialogs.append(d.type), d.dismiss()))
    page.locator("nav.mainnav a[href='/incidents/']").click()
    page.wait_for_timeout(300)
    assert dialogs == ["beforeunload"]
    assert page.url.endswith("/incidents/new/")

    page.once("dialog", lambda d: d.accept())
    page.reload()
    assert page.input_value("input[name=customer_name]") == "Wang Fang"
    assert page.input_value("input[name=title]") == "Charger overheating"
    assert page.is_checked("#id_grade_0")
    assert page.locator("#draft-note [data-restored]").is_visible()
    page.wait_for_selector("#deadline-preview .deadline-preview .grade-I")

    # The session expires while the call goes on: the inline check says so, nothing is lost.
    page.context.clear_cookies(name="sessionid")
    page.fill("input[name=customer_phone]", "13900000001")
    page.locator("input[name=customer_phone]").dispatch_event("change")
    page.wait_for_selector("#draft-note [data-expired]", state="visible")
    assert page.locator("#intake input[name=username]").count() == 0

    # Log in again (as after a logout): the desk offers the unsaved report, and it is whole.
    page.once("dialog", lambda d: d.accept())
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", "desk")
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.press("input[name=password]", "Enter")
    page.wait_for_selector("#draft-banner", state="visible")
    page.locator("#draft-banner a").click()
    page.wait_for_url("**/incidents/new/")
    assert page.input_value("input[name=customer_phone]") == "13900000001"
    assert page.input_value("input[name=title]") == "Charger overheating"
    with page.expect_navigation():
        page.keyboard.press("Control+Enter")
    incident = Incident.objects.get()
    assert (incident.customer_name, incident.customer_phone, incident.grade) == (
        "Wang Fang",
        "13900000001",
        "I",
    )
    # Saved: the draft is gone, the next report starts empty.
    page.goto(f"{live_server.url}/incidents/new/")
    assert page.input_value("input[name=title]") == ""
    assert page.locator("#draft-note").is_hidden()


@pytest.mark.parametrize("lang", ["en", "zh-hans"])
def test_keyboard_opens_a_new_report_and_jumps_to_an_incident(open_as, live_server, desk, lang):
    incident = factories.report(desk["dispatcher"])
    page = open_as("desk", password=PASSWORD, lang=lang)
    page.goto(f"{live_server.url}/teams/")
    page.keyboard.press("n")
    page.wait_for_url("**/incidents/new/")
    page.wait_for_load_state("networkidle")
    assert page.evaluate("document.activeElement.name") == "customer_name"
    page.keyboard.press("Escape")
    page.evaluate("document.activeElement.blur()")
    page.keyboard.press("?")
    page.wait_for_selector("#keyboard-help[open]")
    assert page.locator("#keyboard-help h2").inner_text() == _said(lang, "Keyboard shortcuts")
    _shot(page, f"keyboard-help-{lang}")
    page.locator("#keyboard-help form[method=dialog] button").click()
    page.wait_for_selector("#keyboard-help", state="hidden")
    page.keyboard.press("g")
    page.wait_for_selector("#keyboard-help[open] input[name=number]:focus")
    page.keyboard.type(str(incident.pk))
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/incidents/{incident.pk}/")
    assert incident.number in page.locator(".incident-head").inner_text()


@pytest.mark.parametrize("lang", ["en", "zh-hans"])
def test_typing_the_phone_of_an_open_incident_warns_with_a_link(open_as, live_server, desk, lang):
    earlier = factories.report(
        desk["dispatcher"], customer_phone="+86 139-0000-0002", title="Door will not close"
    )
    page = open_as("desk", password=PASSWORD, lang=lang)
    page.goto(f"{live_server.url}/incidents/new/")
    page.keyboard.type("Chen Jie")
    page.keyboard.press("Tab")
    page.keyboard.type("139 0000 0002")
    warning = page.locator("#caller-history .msg-warning")
    warning.wait_for()
    link = warning.locator(f"a[href='/incidents/{earlier.pk}/']")
    assert link.inner_text() == earlier.number
    # The caller is a known customer now: their card lists the earlier incident.
    assert "Door will not close" in page.locator("#caller-history .customer-card").inner_text()
    _shot(page, f"intake-open-incident-warning-{lang}")
    with translation_override(lang):
        from django.utils.translation import ngettext

        expected = ngettext(
            "This caller or vehicle already has %(counter)s open incident:",
            "This caller or vehicle already has %(counter)s open incidents:",
            1,
        ) % {"counter": 1}
    assert expected in warning.inner_text()


def _png() -> dict:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (16, 12), (30, 120, 200)).save(buffer, format="PNG")
    return {"name": "pack.png", "mimeType": "image/png", "buffer": buffer.getvalue()}


def _message(page) -> str:
    return page.locator(".messages .msg").first.inner_text()


@pytest.mark.parametrize("lang", ["en", "zh-hans"])
def test_desk_and_technician_see_what_happened_and_the_page_updates_itself(
    open_as, live_server, desk, lang
):
    technician, team = desk["technician"], desk["org"]["service_centre"]
    incident = factories.report(desk["dispatcher"], title="Battery pack will not charge")
    n = incident.number
    with translation_override(lang):
        from django.utils.translation import gettext as _

        expect = {
            "confirmed": _("%(number)s confirmed.") % {"number": n},
            "dispatched": _("%(number)s dispatched to %(whom)s.")
            % {"number": n, "whom": f"Li {technician.last_name} · {team.label}"},
            "note": _("Note added to %(number)s.") % {"number": n},
            "arrived": _("Arrival on site recorded for %(number)s.") % {"number": n},
            "photo": _("Photo added to %(number)s.") % {"number": n},
        }
    desk_page = open_as("desk", password=PASSWORD, lang=lang)
    desk_page.goto(f"{live_server.url}/incidents/{incident.pk}/")
    desk_page.locator("form[action$='/confirm/'] button").click()
    desk_page.wait_for_load_state("networkidle")
    assert _message(desk_page) == expect["confirmed"]
    dispatch = desk_page.locator("details:has(form[action$='/dispatch/'])")
    if dispatch.get_attribute("open") is None:
        dispatch.locator("summary").click()
    desk_page.select_option("form[action$='/dispatch/'] select[name=assignee]", str(technician.pk))
    desk_page.locator("form[action$='/dispatch/']:has(select[name=assignee]) button").click()
    desk_page.wait_for_load_state("networkidle")
    assert _message(desk_page) == expect["dispatched"]
    desk_page.fill("form[action$='/notes/'] textarea[name=text]", "Customer waits at the gate")
    desk_page.locator("form[action$='/notes/'] button").click()
    desk_page.wait_for_load_state("networkidle")
    assert _message(desk_page) == expect["note"]

    # The technician, on a phone, works the job; the desk's page follows without a reload.
    phone = open_as("roadside", password=PASSWORD, lang=lang, phone=True)
    job = phone.locator(f"#job-{incident.pk}")
    job.locator("form[action$='/arrive/'] button").click()
    phone.wait_for_load_state("networkidle")
    assert _message(phone) == expect["arrived"]
    desk_page.locator("#incident-pills .status-on_site").wait_for(timeout=6000)

    job.locator("details:has(form[action$='/notes/']) summary").click()
    job.locator("form[action$='/notes/'] textarea[name=text]").fill("Fuse F3 blown")
    job.locator("form[action$='/notes/'] button").click()
    phone.wait_for_load_state("networkidle")
    assert _message(phone) == expect["note"]
    desk_page.locator("#incident-timeline >> text=Fuse F3 blown").wait_for(timeout=6000)

    job.locator("details:has(form[action$='/photos/']) summary").click()
    job.locator("form[action$='/photos/'] input[type=file]").set_input_files(_png())
    job.locator("form[action$='/photos/'] button").click()
    phone.wait_for_load_state("networkidle")
    assert _message(phone) == expect["photo"]
    assert incident.photos.count() == 1

    job.locator("textarea[name=resolution]").fill("Replaced fuse F3")
    job.locator("form[action$='/resolve/'] button").click()
    phone.wait_for_load_state("networkidle")
    assert _width(phone) <= PHONE["width"]
    _shot(phone, f"my-jobs-after-resolve-{lang}")
    incident.refresh_from_db()
    assert incident.status == "resolved" and incident.resolution == "Replaced fuse F3"
    desk_page.locator("#incident-pills .status-resolved").wait_for(timeout=6000)
    assert desk_page.locator("#incident-live .msg").is_visible()  # actions changed: reload
    _shot(desk_page, f"incident-live-{lang}")
