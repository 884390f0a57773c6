"""The escalation dashboard and the inbox, in Chromium, as a manager uses them.

Both languages, desktop and a 360 px phone: no horizontal overflow; confirm and acknowledge
read differently in Chinese; a Level I incident reported meanwhile appears within 5 s with
its banner, without a reload; the filters work by clicking; a count leads to a list with
that many rows; the inbox groups notifications per incident and marking read works.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from escalation.services import escalate_due
from incidents import services as incidents
from notifications.models import Notification
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-Secret-123"


@pytest.fixture
def desk(db):
    """An incident escalated on confirmation (level 2), one escalated on arrival (level 1)
    and a quiet Level II one."""
    org = factories.make_org()
    now = timezone.now()
    waiting = factories.report(grade="III", reported_at=now - timedelta(minutes=46), now=now)
    moving = factories.report(grade="II", reported_at=now - timedelta(hours=6), now=now)
    incidents.confirm_incident(moving, actor=org["commander"], now=now - timedelta(hours=5))
    quiet = factories.report(grade="II", reported_at=now - timedelta(minutes=1), now=now)
    escalate_due(now=now)
    return {"org": org, "waiting": waiting, "moving": moving, "quiet": quiet}


def _no_overflow(page):
    return page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]


@pytest.mark.parametrize("lang", ["en", "zh-hans"])
def test_manager_watches_the_dashboard(open_as, live_server, desk, lang, tmp_path):
    page = open_as("commander", password=PASSWORD, lang=lang)
    page.goto(f"{live_server.url}/dashboard/")
    confirm = page.locator(f"#row-{desk['waiting'].pk} form[action*='/confirm/'] button")
    acknowledge = page.locator(f"#row-{desk['moving'].pk} form[action*='/acknowledge/'] button")
    labels = (confirm.inner_text().strip(), acknowledge.inner_text().strip())
    assert labels[0] != labels[1]
    if lang == "zh-hans":
        assert labels == ("确认事件", "签收升级")
    page.screenshot(path=tmp_path / f"desktop-{lang}.png", full_page=True)

    # Reported meanwhile, elsewhere: on the board within 5 s, first, under a banner.
    new = factories.report(grade="I", now=timezone.now())
    page.wait_for_selector(f"[data-new-grade-i='{new.pk}']", timeout=6500)
    assert page.locator(".banner-grade-i").is_visible()
    assert page.locator("#board table.board tbody tr").first.get_attribute("id") == f"row-{new.pk}"

    # Filter by clicking: grade II only.
    page.locator(".dash-filters input[name=grade][value=II]").check()
    # A function, not an expression string: Playwright runs a string through eval, which
    # the Content-Security-Policy refuses.
    page.wait_for_function(f"() => !document.querySelector('#row-{new.pk}')")
    ids = page.locator("#board table.board tbody tr").evaluate_all("rows => rows.map(r => r.id)")
    assert sorted(ids) == sorted([f"row-{desk['moving'].pk}", f"row-{desk['quiet'].pk}"])
    assert "grade=II" in page.url

    # A count leads to the list, which shows as many rows.
    escalated = page.locator(".stats a.stat").nth(2)
    expected = int(escalated.get_attribute("data-count"))
    with page.expect_navigation():
        escalated.click()
    assert "/incidents/" in page.url and "escalated=true" in page.url
    assert page.locator("tr[id^=row-]").count() == expected == 1

    phone = open_as("commander", password=PASSWORD, lang=lang, phone=True)
    phone.goto(f"{live_server.url}/dashboard/")
    phone.screenshot(path=tmp_path / f"phone-{lang}.png", full_page=True)
    assert _no_overflow(phone), phone.evaluate("document.documentElement.scrollWidth")


def test_inbox_groups_per_incident_and_marks_read(open_as, live_server, desk, tmp_path):
    commander = desk["org"]["commander"]
    waiting = desk["waiting"]
    escalate_due(now=timezone.now() + timedelta(minutes=20))  # waiting: step 3 (commander)
    escalate_due(now=timezone.now() + timedelta(minutes=50))  # and the first reminder
    mine = Notification.objects.filter(user=commander, channel="inapp", incident=waiting)
    assert mine.count() >= 2
    page = open_as("commander", password=PASSWORD, lang="zh-hans", phone=True)
    page.goto(f"{live_server.url}/notifications/")
    group = page.locator(f"#group--{waiting.pk}")
    assert group.get_attribute("data-count") == str(mine.count())
    assert page.locator(".note-group").count() == len(
        set(Notification.objects.filter(user=commander, channel="inapp").values_list("incident"))
    )
    assert "escalated to level" not in page.content()  # rendered in the reader's language
    assert _no_overflow(page)
    page.screenshot(path=tmp_path / "inbox-zh.png", full_page=True)
    with page.expect_navigation():
        group.locator("form button").click()
    assert not mine.filter(read_at__isnull=True).exists()
    assert page.locator(f"#group--{waiting.pk}.unread").count() == 0
