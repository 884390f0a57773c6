# ruff: noqa: RUF001 - Chinese text uses full-width punctuation on purpose
"""The customer follows their report on a phone, from the link in their SMS: no login,
in Chinese, and the page moves on by itself as the technician is sent and arrives."""

from datetime import timedelta

import pytest
from django.utils import timezone

from incidents import services as incident_services
from incidents.models import Incident
from incidents.timeline import note, write
from tests import factories
from tests.e2e.conftest import PHONE
from tracking import services as tracking
from tracking.models import TrackingLink

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_customer_follows_the_job_on_a_phone_and_sees_nothing_internal(
    browser, live_server, settings
):
    settings.TRACKING_POLL_SECONDS = 1
    settings.SERVICE_LINE_PHONE = "400-555-0199"
    org = factories.make_org()
    now = timezone.now()
    incident = factories.report(
        grade="II",
        title="车辆无法充电",
        customer_name="张伟",
        customer_phone="138 0013 8000",
        reported_at=now - timedelta(minutes=20),
        now=now - timedelta(minutes=20),
    )
    incident_services.confirm_incident(incident, actor=None, now=now - timedelta(minutes=15))
    desk = factories.UserFactory(username="desk", first_name="王", roles=["dispatcher"])
    write([note(incident, actor=desk, at=now, text="内部备注：客户情绪激动")])
    Incident.objects.filter(pk=incident.pk).update(escalation_level=1)
    tech = factories.UserFactory(username="t1", first_name="杨帆", roles=["technician"])
    factories.MembershipFactory(team=org["service_centre"], user=tech)
    token = TrackingLink.objects.get(incident=incident).token

    # An anonymous customer: no session, no language cookie; the link alone.
    context = browser.new_context(viewport=PHONE, is_mobile=True, locale="zh-CN")
    page = context.new_page()
    refused = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security" in m.text else 0)
    page.goto(f"{live_server.url}/t/{token}/")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    steps = page.locator(".track-step")
    assert steps.first.inner_text().startswith("已受理报修")
    assert "我们正在处理您的报修" in page.locator(".track-state").inner_text()

    # Meanwhile the desk sends the technician with an ETA: the page follows by itself.
    incident_services.dispatch_incident(incident, actor=desk, assignee=tech)
    tracking.set_eta(incident, actor=desk, eta=timezone.now() + timedelta(minutes=45))
    page.locator(".track-state", has_text="技术员帆正在赶来").wait_for(timeout=10_000)
    assert "预计到达" in page.locator(".track-eta").inner_text()
    incident_services.arrive_incident(incident, actor=tech)
    page.locator(".track-state", has_text="技术员帆已到达现场").wait_for(timeout=10_000)
    assert page.locator(".track-step.is-current").inner_text().startswith("技术员已到场")

    body = page.locator("body").inner_text()
    for internal in ("内部备注", "张伟", "138", "杨帆", "王", "升级", "escalat", "desk"):
        assert internal not in body, internal
    assert "400-555-0199" in body and "车辆无法充电" in body
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert refused == []
    page.goto(f"{live_server.url}/t/{token}/?lang=en")
    assert "is on site" in page.locator(".track-state").inner_text()
