"""Legal sees a customer masked, reveals it with a reason, sees it in clear; the manager
finds the reveal in the log. In English on a desktop and in Chinese on a phone."""

import pytest

from privacy.models import RevealLog
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple 42"
NAME, PHONE = "张伟", "13812341234"


@pytest.fixture
def people(settings):
    settings.MFA_REQUIRED_ROLES = []  # the MFA flow has its own tests
    legal = factories.UserFactory(username="legal1", roles=["legal"], password=PASSWORD)
    manager = factories.UserFactory(username="boss1", roles=["manager"], password=PASSWORD)
    return legal, manager


def _no_overflow(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize(
    ("lang", "phone", "reason"),
    [("en", False, "Complaint letter from the customer"), ("zh-hans", True, "客户投诉函核对")],
    ids=["en-1366", "zh-360"],
)
def test_legal_reveals_the_customer_with_a_reason_and_the_manager_sees_it(
    open_as, live_server, people, lang, phone, reason, tmp_path
):
    legal, manager = people
    incident = factories.report(customer_name=NAME, customer_phone=PHONE)
    tag = f"{lang}-{'360' if phone else '1366'}"

    page = open_as(legal.username, password=PASSWORD, lang=lang, phone=phone)
    page.goto(f"{live_server.url}/incidents/{incident.pk}/")
    customer = page.locator(f"#customer-{incident.pk}")
    assert "138****1234" in customer.inner_text()
    assert PHONE not in page.content() and NAME not in page.content()
    page.screenshot(path=tmp_path / f"privacy-masked-{tag}.png", full_page=True)

    customer.locator("summary").click()
    customer.locator("input[name=reason]").fill(reason)
    customer.locator("button").click()
    page.locator(f"#customer-{incident.pk} a[href='tel:{PHONE}']").wait_for()
    text = page.locator(f"#customer-{incident.pk}").inner_text()
    assert PHONE in text and NAME in text
    assert _no_overflow(page)
    page.screenshot(path=tmp_path / f"privacy-revealed-{tag}.png", full_page=True)
    log = RevealLog.objects.get()
    assert (log.user, log.incident_id, log.reason) == (legal, incident.pk, reason)

    page = open_as(manager.username, password=PASSWORD, lang=lang, phone=phone)
    page.goto(f"{live_server.url}/privacy/reveals/")
    row = page.locator("table.reveal-log tbody tr")
    assert row.count() == 1
    assert reason in row.inner_text() and (incident.number or "") in row.inner_text()
    assert _no_overflow(page)
    if lang == "zh-hans":
        assert "客户信息查看记录" in page.locator("h1").inner_text()
    page.screenshot(path=tmp_path / f"privacy-log-{tag}.png", full_page=True)
