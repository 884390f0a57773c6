"""The purchasing page as a browser fills it: ticked requests become order lines; the
optional manual line is ignored when left empty."""

from django.urls import reverse

from spareparts import services
from spareparts.models import PurchaseOrder, PurchaseRequest, RequestSource, RequestStatus
from tests.spareparts.helpers import balance


def _low_stock_request(part, depot, stock, logistics):
    stock(part, depot, 3)
    services.set_reorder_levels(
        balance(part, depot), reorder_point=2, reorder_quantity=5, actor=logistics
    )
    services.adjust_stock(part=part, depot=depot, delta=-2, reason="Damaged", actor=logistics)
    return PurchaseRequest.objects.get(part=part, source=RequestSource.LOW_STOCK)


def _empty_manual_line(supplier, depot):
    # What the browser sends when only the request is ticked: every field, blank.
    return {
        "supplier": supplier.pk,
        "depot": depot.pk,
        "part": "",
        "quantity": "",
        "unit_price": "",
        "note": "",
    }


def test_ticked_low_stock_request_becomes_the_order_line_with_the_manual_line_empty(
    logistics, login, depots, battery, supplier, stock
):
    req = _low_stock_request(battery, depots["east"], stock, logistics)
    response = login(logistics).post(
        reverse("spareparts:orders"),
        {**_empty_manual_line(supplier, depots["hq"]), "requests": [str(req.pk)]},
    )
    order = PurchaseOrder.objects.get()
    assert response.status_code == 302 and response.url == reverse(
        "spareparts:order", args=[order.pk]
    )
    line = order.lines.get()
    assert (line.part, line.quantity) == (battery, req.quantity)
    req.refresh_from_db()
    assert req.status == RequestStatus.ORDERED and req.order_line == line


def test_an_order_with_nothing_ticked_and_no_line_says_so_and_keeps_the_ticks(
    logistics, login, depots, battery, charger, supplier, stock
):
    req = _low_stock_request(battery, depots["east"], stock, logistics)
    client = login(logistics)
    nothing = client.post(reverse("spareparts:orders"), _empty_manual_line(supplier, depots["hq"]))
    assert nothing.status_code == 200
    assert "An order needs at least one line." in nothing.text
    assert "No active part has SKU" not in nothing.text

    # A wrong SKU on the manual line: the error is on the line, the ticked request stays ticked.
    wrong = client.post(
        reverse("spareparts:orders"),
        {
            **_empty_manual_line(supplier, depots["hq"]),
            "part": "NOPE-1",
            "quantity": "2",
            "requests": [str(req.pk)],
        },
    )
    assert "No active part has SKU “NOPE-1”." in wrong.text
    assert f'value="{req.pk}" checked' in wrong.text
    assert 'value="NOPE-1"' in wrong.text
    assert not PurchaseOrder.objects.exists()
