"""The spare-parts list filters (FilterSets) driven in Chromium: logistics chooses a status
and a depot on the transfers page and the purchasing page, and the rows change.

A first visit shows the default (transfers in transit, open orders); "All statuses" sends
``status=`` and filters nothing.
"""

import os
import tempfile

import pytest
from playwright.sync_api import expect

from spareparts import services
from spareparts.models import Depot, Part, Supplier
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-Secret-123"
SHOTS = os.environ.get("E2E_SCREENSHOTS", tempfile.gettempdir())


@pytest.fixture
def stockroom(db):
    logistics = factories.UserFactory(username="logi", roles=["logistics"], password=PASSWORD)
    team = factories.TeamFactory(slug="east", kind="service_centre")
    hq = Depot.objects.create(code="hq", name="HQ central depot", kind="hq")
    east = Depot.objects.create(code="east", name="East depot", team=team)
    west = Depot.objects.create(code="west", name="West depot")
    battery = Part.objects.create(sku="BAT-48V", name="48V battery pack")
    services.adjust_stock(
        part=battery, depot=hq, delta=10, reason="Opening balance", actor=logistics
    )

    def ship(to, quantity):
        return services.ship_transfer(
            part=battery, from_depot=hq, to_depot=to, quantity=quantity, actor=logistics
        )

    moving_east, moving_west, arrived = ship(east, 1), ship(west, 2), ship(east, 3)
    services.receive_transfer(arrived, actor=logistics)
    supplier = Supplier.objects.create(code="acme", name="Acme Power Co.")

    def order(depot, *, place):
        po = services.create_purchase_order(
            supplier=supplier, depot=depot, lines=[(battery, 5, 10)], actor=logistics
        )
        if place:
            services.place_order(po, actor=logistics)
        return po

    placed, cancelled = order(east, place=True), order(west, place=False)
    services.cancel_order(cancelled, actor=logistics)
    return {
        "transfers": {"east": moving_east, "west": moving_west, "arrived": arrived},
        "orders": {"placed": placed, "cancelled": cancelled},
    }


def _rows(page, prefix: str) -> set[str]:
    cells = page.locator("tbody td.mono").all_inner_texts()
    return {c.strip() for c in cells if c.strip().startswith(f"{prefix}-")}


def _apply(page, **choices):
    for label, option in choices.items():
        page.get_by_label(label, exact=True).select_option(label=option)
    with page.expect_navigation():
        page.get_by_role("button", name="Filter", exact=True).click()


def test_logistics_filters_transfers_and_orders_and_the_rows_change(
    open_as, live_server, stockroom
):
    t, o = stockroom["transfers"], stockroom["orders"]
    page = open_as("logi", password=PASSWORD)

    page.goto(f"{live_server.url}/spareparts/transfers/")
    # A first visit: the transfers still in transit.
    assert _rows(page, "TR") == {f"TR-{t['east'].pk}", f"TR-{t['west'].pk}"}
    expect(page.get_by_label("Status", exact=True)).to_have_value("in_transit")

    _apply(page, Status="Received")
    assert _rows(page, "TR") == {f"TR-{t['arrived'].pk}"}
    assert "status=received" in page.url

    _apply(page, Status="All statuses", Depot="East depot")
    assert _rows(page, "TR") == {f"TR-{t['east'].pk}", f"TR-{t['arrived'].pk}"}
    page.screenshot(path=f"{SHOTS}/spareparts-transfers-filtered.png", full_page=True)

    with page.expect_navigation():
        page.get_by_role("link", name="Reset", exact=True).click()
    assert _rows(page, "TR") == {f"TR-{t['east'].pk}", f"TR-{t['west'].pk}"}

    # Purchasing: the filter sits beside the requests form and still filters by GET.
    page.goto(f"{live_server.url}/spareparts/orders/")
    orders = page.locator("a.mono[href*='/orders/']")
    expect(orders).to_have_text([f"PO-{o['placed'].pk}"])  # open orders first
    _apply(page, Status="Cancelled")
    expect(orders).to_have_text([f"PO-{o['cancelled'].pk}"])
    _apply(page, Status="All statuses")
    expect(orders).to_have_count(2)

    # On a phone, in Chinese: the filters read in Chinese and fit 360 px.
    phone = open_as("logi", password=PASSWORD, lang="zh-hans", phone=True)
    phone.goto(f"{live_server.url}/spareparts/orders/?status=")
    expect(phone.get_by_label("状态", exact=True)).to_have_value("")
    expect(phone.get_by_role("option", name="全部状态")).to_have_count(1)
    expect(phone.get_by_role("option", name="未完成")).to_have_count(1)
    phone.screenshot(path=f"{SHOTS}/spareparts-orders-filter-zh-360.png", full_page=True)
    overflow = phone.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
