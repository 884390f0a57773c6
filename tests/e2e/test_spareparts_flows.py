# ruff: noqa: RUF001 - the pages print quantities with the multiplication sign
"""Spare parts driven in Chromium by clicking and typing, with what the user sees asserted.

- Logistics on the demo data: every part and order page opens; a low-stock purchase request
  becomes a draft order, is placed and received with incoming inspection; a stocktake with
  a large difference asks for confirmation, then posts.
- A technician on a 360 px phone (English and Chinese) records a part used: an unknown SKU
  and a missing serial show their error beside the form with the typed values kept, then
  the corrected entry is recorded.
- The desk reserves, issues and returns on the incident page, with a refused reservation.
"""

import os
import re
import tempfile

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from incidents import services as incident_services
from spareparts import services
from spareparts.models import (
    Depot,
    OrderStatus,
    Part,
    PurchaseOrder,
    PurchaseRequest,
    RequestSource,
    RequestStatus,
    StockBalance,
    Stocktake,
    StocktakeStatus,
    Tracking,
)
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-Secret-123"
# Screenshots of the pages as the user saw them, to look at after a run.
SHOTS = os.environ.get("E2E_SCREENSHOTS", tempfile.gettempdir())


def _on_hand(part, depot) -> int:
    return StockBalance.objects.get(part=part, depot=depot).on_hand


def _no_server_error(page, response, url):
    assert response is not None and response.status == 200, (url, response and response.status)
    assert "Server Error" not in page.title(), url


def _open_every_part_and_order_page(page, base):
    page.goto(f"{base}/spareparts/")
    parts = page.eval_on_selector_all(
        "table.stock a[href*='/parts/']", "links => links.map(a => a.getAttribute('href'))"
    )
    assert len(set(parts)) == Part.objects.count()
    page.goto(f"{base}/spareparts/orders/?status=")
    orders = page.eval_on_selector_all(
        "a[href*='/orders/']", "links => links.map(a => a.getAttribute('href'))"
    )
    orders = sorted({u for u in orders if re.search(r"/orders/\d+/$", u)})
    assert len(orders) == PurchaseOrder.objects.count()
    for url in sorted(set(parts)) + orders:
        _no_server_error(page, page.goto(base + url), url)


def _order_a_low_stock_request(page, base):
    request = (
        PurchaseRequest.objects.filter(source=RequestSource.LOW_STOCK, status=RequestStatus.DRAFT)
        .select_related("part")
        .order_by("pk")
        .first()
    )
    page.goto(f"{base}/spareparts/orders/")
    page.get_by_label(f"PR-{request.pk}", exact=True).check()
    page.get_by_label("Supplier").select_option(label="Volta Drive Electronics (fictional)")
    page.get_by_label("Deliver to").select_option(index=1)
    # The optional manual line stays empty.
    with page.expect_navigation():
        page.get_by_role("button", name="Draft order").click()
    assert re.search(r"/orders/\d+/$", page.url), page.locator(".sp-form-error").all_inner_texts()
    order = PurchaseOrder.objects.get(pk=int(page.url.rstrip("/").rsplit("/", 1)[1]))
    line = page.locator("table tbody tr", has_text=request.part.sku)
    expect(line).to_be_visible()
    expect(page.get_by_text(f"Purchase order PO-{order.pk} drafted.")).to_be_visible()

    with page.expect_navigation():
        page.get_by_role("button", name="Place order").click()
    expect(page.locator(".page-head .pill")).to_have_text("Placed")

    accepted = request.quantity - 1
    page.get_by_label("Accept now").fill(str(accepted))
    page.get_by_label("Reject now").fill("1")
    page.get_by_label("Rejection reason").fill("Crushed carton")
    if request.part.tracking == Tracking.SERIAL:
        lots = " ".join(f"E2E-{n}" for n in range(accepted))
    else:
        lots = "B-E2E-1" if request.part.tracking == Tracking.BATCH else ""
    page.get_by_label("Batch / serials").fill(lots)
    page.get_by_placeholder("Delivery note").fill("DN-E2E")
    with page.expect_navigation():
        page.get_by_role("button", name="Record receipt").click()
    expect(page.get_by_text("Receipt recorded.")).to_be_visible()
    expect(page.get_by_text(f"{accepted} accepted, 1 rejected")).to_be_visible()
    order.refresh_from_db()
    request.refresh_from_db()
    assert order.status == OrderStatus.RECEIVED and request.status == RequestStatus.ORDERED


def _stocktake_with_a_large_difference(page, base):
    take = Stocktake.objects.get(status=StocktakeStatus.OPEN)
    line = take.lines.select_related("part").filter(expected__gt=12).order_by("part__sku").first()
    before = _on_hand(line.part, take.depot)
    page.goto(f"{base}/spareparts/stocktakes/")
    with page.expect_navigation():
        page.get_by_role("link", name=f"ST-{take.pk}").click()
    page.get_by_label(f"Counted {line.part.sku}").fill("0")
    with page.expect_navigation():
        page.get_by_role("button", name="Save counts").click()
    expect(page.get_by_text("Counts saved.")).to_be_visible()

    page.get_by_label("Reason for the adjustments").fill("Quarterly count: shelf B empty")
    page.get_by_role("button", name="Post adjustments").click()
    box = page.locator("#confirm-post")
    expect(box).to_be_visible()
    expect(box).to_contain_text(line.part.sku)
    expect(box).to_contain_text(f"-{line.expected}")
    page.screenshot(path=f"{SHOTS}/sp-stocktake-confirm.png", full_page=True)
    assert _on_hand(line.part, take.depot) == before  # nothing posted yet

    with page.expect_navigation():
        box.get_by_role("button", name="Post these adjustments").click()
    expect(page.get_by_text("Stocktake posted: differences adjusted.")).to_be_visible()
    expect(page.locator(".page-head .pill")).to_have_text("Posted")
    assert _on_hand(line.part, take.depot) == before - line.expected


def test_logistics_orders_receives_and_counts_on_the_demo_data(open_as, live_server, demo):
    page = open_as("logistics")
    base = live_server.url
    _open_every_part_and_order_page(page, base)
    _order_a_low_stock_request(page, base)
    _stocktake_with_a_large_difference(page, base)


# --- the technician's job card, on a phone ----------------------------------------------


@pytest.fixture
def job(transactional_db):
    org = factories.make_org()
    dispatcher = factories.UserFactory(username="desk", roles=["dispatcher"])
    technician = factories.UserFactory(username="roadside", roles=["technician"])
    factories.MembershipFactory(team=org["service_centre"], user=technician)
    depot = Depot.objects.create(
        code="east", name="East depot", name_zh="华东备件库", team=org["service_centre"]
    )
    part = Part.objects.create(
        sku="MC-72V", name="72V motor controller", name_zh="72V 电机控制器", tracking="serial"
    )
    services.adjust_stock(
        part=part, depot=depot, delta=1, lots=["SN-77"], reason="Opening balance", actor=None
    )
    job = factories.report(dispatcher)
    incident_services.confirm_incident(job, actor=dispatcher)
    incident_services.dispatch_incident(job, actor=dispatcher, assignee=technician)
    return job, part, depot


TEXT = {
    "en": {"unknown": "No active part has SKU “MC-7ZV”.", "serial": "tracked by serial number"},
    "zh-hans": {"unknown": "MC-7ZV", "serial": "序列号"},
}
DONE = {"en": "Recorded as used: MC-72V × 1", "zh-hans": "已记录使用：MC-72V × 1"}


@pytest.mark.parametrize("lang", ["en", "zh-hans"])
def test_technician_part_entry_on_a_phone_keeps_values_and_shows_errors_beside_the_form(
    open_as, job, lang
):
    incident, part, depot = job
    page = open_as("roadside", password=PASSWORD, lang=lang, phone=True)
    card = page.locator(f"#parts-{incident.pk}")
    if card.get_attribute("open") is None:
        card.locator("summary").click()
    sku = page.locator(f"#id_u{incident.pk}-part")
    lots = page.locator(f"#id_u{incident.pk}-lots")
    submit = card.locator("button.btn-ok")

    sku.fill("MC-7ZV")
    page.locator(f"#id_u{incident.pk}-quantity").fill("1")
    lots.fill("SN-77")
    submit.click()
    error = page.locator(f"#parts-{incident.pk} .errorlist").first
    expect(error).to_contain_text(TEXT[lang]["unknown"])
    expect(error).to_be_in_viewport()
    expect(page.locator(f"#id_u{incident.pk}-part")).to_have_value("MC-7ZV")
    expect(page.locator(f"#id_u{incident.pk}-lots")).to_have_value("SN-77")
    page.screenshot(path=f"{SHOTS}/sp-job-error-{lang}.png", full_page=True)

    page.locator(f"#id_u{incident.pk}-part").fill("MC-72V")
    page.locator(f"#id_u{incident.pk}-lots").fill("")
    page.locator(f"#parts-{incident.pk} button.btn-ok").click()
    serial_row = page.locator(f"#parts-{incident.pk} .form-row.has-error")
    expect(serial_row).to_contain_text(TEXT[lang]["serial"])
    expect(serial_row.locator("input")).to_have_id(f"id_u{incident.pk}-lots")
    expect(page.locator(f"#id_u{incident.pk}-part")).to_have_value("MC-72V")
    assert _on_hand(part, depot) == 1

    page.locator(f"#id_u{incident.pk}-lots").fill("SN-77")
    page.locator(f"#parts-{incident.pk} button.btn-ok").click()
    expect(page.locator(f"#parts-{incident.pk} .sp-form-ok")).to_contain_text(DONE[lang])
    expect(page.locator(f"#id_u{incident.pk}-part")).to_have_value("")
    assert _on_hand(part, depot) == 0
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path=f"{SHOTS}/sp-job-done-{lang}.png", full_page=True)


# --- the incident page's parts panel ------------------------------------------------------


def test_reserve_issue_return_on_the_incident_page_with_a_refused_reservation(
    open_as, live_server, job
):
    incident, _controller, depot = job
    battery = Part.objects.create(sku="BAT-48V", name="48V battery pack")
    services.adjust_stock(part=battery, depot=depot, delta=2, reason="Opening", actor=None)
    page = open_as("desk", password=PASSWORD)
    page.goto(f"{live_server.url}/incidents/{incident.pk}/")
    pk = incident.pk

    def act(form, **fields):
        box = page.locator(f"#form-{form}-{pk}")
        for name, value in fields.items():
            field = box.locator(f"[name$='-{name}']")
            if name == "depot":
                field.select_option(label=value)
            else:
                field.fill(value)
        box.get_by_role("button").click()
        return page.locator(f"#form-{form}-{pk}")

    reserve = act("reserve", part="BAT-48V", depot="East depot", quantity="5")
    expect(reserve.locator("[role=alert]")).to_contain_text("Not enough BAT-48V at East depot")
    expect(reserve.locator("[role=alert]")).to_be_in_viewport()
    expect(reserve.locator("[name$='-quantity']")).to_have_value("5")
    expect(reserve.locator("[name$='-part']")).to_have_value("BAT-48V")
    page.screenshot(path=f"{SHOTS}/sp-incident-refused.png", full_page=True)

    reserve = act("reserve", quantity="2")
    expect(reserve.locator(".sp-form-ok")).to_contain_text("Reserved: BAT-48V × 2 at East depot")
    issue = act("issue", part="BAT-48V", depot="East depot", quantity="2")
    expect(issue.locator(".sp-form-ok")).to_contain_text("Issued: BAT-48V × 2")
    back = act("return", part="BAT-48V", depot="East depot", quantity="1", reason="Not needed")
    expect(back.locator(".sp-form-ok")).to_contain_text("Returned to stock: BAT-48V × 1")
    rows = page.locator("#parts tbody tr", has_text="BAT-48V")
    expect(rows.locator("td.num").nth(1)).to_have_text("1")  # used: 2 issued - 1 returned
    assert _on_hand(battery, depot) == 1
    assert (
        get_user_model().objects.get(username="desk").pk
        == incident.events.filter(kind="part_returned").values_list("actor_id", flat=True).get()
    )
