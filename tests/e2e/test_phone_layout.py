"""At 360 px in Chinese: the dashboard board and the service report fit the phone's width, the
board's buttons are on screen, and the unread badge sits beside the bell, not on it."""

import pytest

from incidents.models import Incident

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCROLL_WIDTH = "document.documentElement.scrollWidth"


def test_dashboard_and_service_report_fit_a_360px_phone(demo, open_as, live_server):
    page = open_as("manager", lang="zh-hans", phone=True)
    page.goto(f"{live_server.url}/dashboard/")
    page.wait_for_load_state("networkidle")
    assert page.evaluate(SCROLL_WIDTH) <= 360

    buttons = page.locator("#board table.board tbody tr button")
    assert buttons.count() > 0
    for i in range(buttons.count()):
        box = buttons.nth(i).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 360, box
        assert box["height"] >= 40, box

    # Logo, bell and user share the first row; the badge does not cover the bell's icon.
    brand, bell_icon = (
        page.locator(".topbar .brand").bounding_box(),
        page.locator(".bell svg").bounding_box(),
    )
    assert abs(brand["y"] - bell_icon["y"]) < 20
    badge = page.locator("#unread-count")
    if badge.count():
        b = badge.bounding_box()
        assert b["x"] >= bell_icon["x"] + bell_icon["width"] - 1, (b, bell_icon)

    incident = Incident.objects.filter(
        assignee__username="technician", status__in=["resolved", "closed"]
    ).first()
    tech = open_as("technician", lang="zh-hans", phone=True)
    tech.goto(f"{live_server.url}/assessments/incidents/{incident.pk}/report/")
    tech.wait_for_load_state("networkidle")
    assert tech.evaluate(SCROLL_WIDTH) <= 360
    # No table inside the report scrolls sideways: every cell fits its box.
    assert tech.evaluate(
        "[...document.querySelectorAll('.report .table-wrap')]"
        ".every(w => w.scrollWidth <= w.clientWidth)"
    )
    assert tech.get_by_text("处理时效").is_visible()
