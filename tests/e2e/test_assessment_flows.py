# ruff: noqa: RUF001 - Chinese text uses full-width punctuation on purpose
"""Assessments driven in Chromium as people use them: the customer answers the survey on a
phone, the technician and the customer sign, the manager reviews and follows up, and the
evaluation reads in Chinese."""

from datetime import timedelta

import pytest
from django.utils import timezone

from assessments.models import CorrectiveAction, SignOff, Survey, TechnicianSignOff
from incidents import services as incident_services
from tests import factories
from tests.assessments.conftest import walk
from tests.e2e.conftest import PHONE, login_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-Secret-123"


def _resolved(org, **fields):
    return walk(
        "II",
        timezone.now() - timedelta(hours=3),
        confirm=5,
        dispatch=10,
        arrive=40,
        resolve=90,
        team=org["service_centre"],
        **fields,
    )


def test_customer_answers_every_dimension_on_a_phone_and_the_manager_reads_it(
    browser, live_server, settings
):
    org = factories.make_org()
    incident = _resolved(org, customer_name="张伟")
    survey = Survey.objects.get(incident=incident)
    # An anonymous customer: no session, no language cookie; the link alone.
    page = browser.new_context(viewport=PHONE, is_mobile=True).new_page()
    page.goto(f"{live_server.url}/assessments/survey/{survey.token}/")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert "服务评价" in page.locator("h1").inner_text()
    page.locator("form button").click()  # nothing chosen: each dimension asks for stars
    assert page.locator("fieldset.has-error").count() == 4
    for name, stars in (
        ("response_speed", 2),
        ("technician_attitude", 5),
        ("repair_quality", 4),
        ("rating", 4),
    ):
        page.locator(f"label[for={name}-{stars}]").click()
    page.fill("textarea[name=comment]", "师傅很专业，就是等得久。")
    page.locator("form button").click()
    page.wait_for_load_state("networkidle")
    assert "谢谢！" in page.locator("h1").inner_text()  # really submitted: CSRF and Origin pass
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    survey.refresh_from_db()
    assert (survey.response_speed, survey.technician_attitude, survey.repair_quality) == (2, 5, 4)
    assert survey.rating == 4 and survey.answered_at is not None
    assert incident.customer_tasks.filter(kind="follow_up").exists()  # the 2: followed up

    manager = factories.UserFactory(username="mgr", roles=["manager"], password=PASSWORD)
    desk = login_page(browser, live_server.url, manager.username, PASSWORD, lang="zh-hans")
    desk.goto(f"{live_server.url}/assessments/incidents/{incident.pk}/")
    scores = desk.locator(".survey-scores").inner_text()
    for label in ("响应速度", "技术员服务态度", "维修质量", "总体满意度"):
        assert label in scores
    assert "2/5" in scores and "师傅很专业" in desk.locator("body").inner_text()


def _draw(page, canvas_selector):
    """Sign with the mouse: a stroke across the pad, as a finger would."""
    canvas = page.locator(canvas_selector)
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    x, y = box["x"] + 20, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    for step in range(1, 12):
        page.mouse.move(x + step * (box["width"] - 40) / 11, y + (-1) ** step * 18)
    page.mouse.up()


def test_manager_assesses_and_the_owner_moves_the_corrective_action(browser, live_server):
    org = factories.make_org()
    factories.UserFactory(username="boss", roles=["manager"])
    owner = factories.UserFactory(
        username="fixer", first_name="Liu", last_name="Fang", roles=["technician"]
    )
    incident = _resolved(org)
    page = login_page(browser, live_server.url, "boss", PASSWORD)
    page.goto(f"{live_server.url}/assessments/incidents/{incident.pk}/")
    page.fill("textarea[name=cause]", "Charger contactor worn out (batch 2024-07).")
    page.fill("textarea[name=summary]", "Handled within every target.")
    page.locator("button[name=submit]").click()
    page.wait_for_load_state("networkidle")
    assert "Assessment submitted." in page.locator(".messages").inner_text()
    assert "Charger contactor worn out" in page.locator("dl.facts").inner_text()
    page.locator("summary", has_text="Add a corrective action").click()
    page.fill("textarea[name=description]", "Replace worn contactors at the next service")
    page.select_option("select[name=owner]", label="Liu Fang")
    page.fill("input[name=due_date]", (timezone.localdate() + timedelta(days=14)).isoformat())
    page.get_by_role("button", name="Add", exact=True).click()
    page.wait_for_load_state("networkidle")
    assert "Corrective action added." in page.locator(".messages").inner_text()
    assert "Replace worn contactors" in page.locator("table").last.inner_text()

    mine = login_page(browser, live_server.url, "fixer", PASSWORD, phone=True)
    mine.goto(f"{live_server.url}/assessments/actions/")
    row = mine.locator("tr", has_text="Replace worn contactors")
    with mine.expect_navigation():
        row.locator("select[name=status]").select_option("done")
    assert "is now Done" in mine.locator(".messages").inner_text()
    action = CorrectiveAction.objects.get()
    assert action.status == "done" and action.owner == owner
    assert mine.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


@pytest.mark.parametrize("lang", ["en", "zh-hans"])
def test_technician_resolves_signs_and_the_customer_signs_below_the_summary(
    browser, live_server, lang
):
    org = factories.make_org()
    technician = factories.UserFactory(username="roadside", roles=["technician"])
    factories.MembershipFactory(team=org["service_centre"], user=technician)
    incident = walk("II", timezone.now() - timedelta(hours=2), confirm=5)
    incident_services.dispatch_incident(
        incident, actor=None, assignee=technician, team=org["service_centre"]
    )
    incident_services.arrive_incident(incident, actor=technician)
    phone = login_page(browser, live_server.url, "roadside", PASSWORD, lang=lang, phone=True)
    card = phone.locator(f"#job-{incident.pk}")
    assert card.locator(".job-signoff").count() == 1  # signatures come after resolving
    card.locator("textarea[name=resolution]").fill("Worn contactor; replaced it. 更换接触器。")
    card.locator("form[action$='/resolve/'] button").click()
    phone.wait_for_load_state("networkidle")
    phone.goto(f"{live_server.url}/incidents/{incident.pk}/")
    phone.locator("#assessment-panel a[href$='/sign/']").click()
    phone.wait_for_load_state("networkidle")
    summary = phone.locator("#work-summary").inner_text()
    assert "Worn contactor; replaced it." in summary
    _draw(phone, "#technician-signature canvas")
    phone.locator("#technician-signature button.btn-primary").click()
    phone.wait_for_load_state("networkidle")
    assert phone.locator("#technician-signature figure img").count() == 1
    # The phone goes to the customer, who reads the summary above the pad and signs.
    _draw(phone, "#customer-signature canvas")
    phone.fill("#customer-signature input[name=signer_name]", "张伟")
    phone.locator("#customer-signature button.btn-primary").click()
    phone.wait_for_load_state("networkidle")
    assert "张伟" in phone.locator("#customer-signature figure").inner_text()
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert TechnicianSignOff.objects.get(incident=incident).technician == technician
    assert SignOff.objects.get(incident=incident).signer_name == "张伟"


def test_evaluation_in_chinese_shows_the_team_breakdown_and_exports_chinese_csv(
    browser, live_server
):
    org = factories.make_org()
    factories.UserFactory(username="boss", roles=["manager"])
    _resolved(org)
    page = login_page(browser, live_server.url, "boss", PASSWORD, lang="zh-hans")
    page.goto(f"{live_server.url}/assessments/")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert "开始日期" in page.locator("main form").first.inner_text()
    team = page.locator("#by-team")
    assert "按服务组 / 服务中心" in team.inner_text()
    assert org["service_centre"].label in team.inner_text()
    with page.expect_download() as download:
        page.get_by_role("link", name="⬇ CSV").click()
    with open(download.value.path(), encoding="utf-8-sig") as fh:
        text = fh.read()
    assert "# 概览" in text and "# 按服务组" in text
    assert "Incidents" not in text and "Satisfaction" not in text
