"""In Chromium: a returning customer's phone typed on the report form finds their record."""

import os

import pytest

from incidents.models import Incident
from tests import factories
from tests.e2e.conftest import DESKTOP, PHONE, browser, open_as  # noqa: F401 (fixtures)

PASSWORD = "pw-Secret-123"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _shot(page, name: str) -> None:
    if folder := os.environ.get("E2E_SCREENSHOTS"):
        page.screenshot(path=os.path.join(folder, f"{name}.png"), full_page=True)


def test_a_returning_customer_is_found_by_phone_picked_and_linked(open_as, live_server):  # noqa: F811
    factories.make_org()
    dispatcher = factories.UserFactory(username="desk", roles=["dispatcher"], password=PASSWORD)
    earlier = factories.report(
        dispatcher, title="Charger trips", customer_name="林晓燕", customer_phone="13755220912"
    )
    customer = earlier.customer
    page = open_as("desk", password=PASSWORD)
    page.goto(f"{live_server.url}/incidents/new/")
    page.locator("input[name=customer_phone]").press_sequentially("137 5522 0912", delay=20)
    card = page.locator("[data-customer-card]")
    card.wait_for()
    assert "林晓燕" in card.inner_text() and "Charger trips" in card.inner_text()
    _shot(page, "customer-lookup-en-1366")
    card.get_by_role("button", name="Use this customer").click()
    assert card.locator("[data-picked]").is_visible()
    assert page.input_value("input[name=customer_name]") == "林晓燕"  # filled from the record
    page.fill("input[name=title]", "Heater dead")
    page.locator("label[for=id_grade_2]").click()  # Level III
    with page.expect_navigation():
        page.get_by_role("button", name="Log report").click()
    assert "Report" in page.locator(".msg-success, .messages").first.inner_text()
    incident = Incident.objects.get(title="Heater dead")
    assert incident.customer_id == customer.pk
    page.goto(f"{live_server.url}/customers/{customer.pk}/")
    history = page.locator(".customer-history").inner_text()
    assert "Heater dead" in history and "Charger trips" in history
    assert page.evaluate("document.documentElement.scrollWidth") <= DESKTOP["width"]
    _shot(page, "customer-page-en-1366")
    phone = open_as("desk", password=PASSWORD, lang="zh-hans", phone=True)
    phone.goto(f"{live_server.url}/customers/{customer.pk}/")
    assert phone.locator("h1").inner_text().startswith("客户 #")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    _shot(phone, "customer-page-zh-360")
