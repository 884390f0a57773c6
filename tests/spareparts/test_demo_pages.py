"""The spare-parts pages on the demo data of ``make run``: every kind of row is there
(system-made moves and order events, automatic purchase requests), and every page opens.
Loading the demo takes a while, so one test walks all the pages."""

import re

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from spareparts.models import Part, PurchaseOrder, Stocktake


@pytest.fixture
def demo_client(db, client):
    call_command("load_demo", verbosity=0)
    client.force_login(get_user_model().objects.get(username="logistics"))
    return client


def test_every_part_and_order_page_of_the_demo_opens_and_system_rows_read_system(demo_client):
    stock = demo_client.get(reverse("spareparts:stock")).content.decode()
    links = set(re.findall(r'href="(/[^"]*/parts/\d+/)"', stock))
    assert len(links) == Part.objects.count()
    orders = [
        reverse("spareparts:order", args=[pk])
        for pk in PurchaseOrder.objects.values_list("pk", flat=True)
    ]
    assert orders
    pages = {url: demo_client.get(url) for url in sorted(links) + orders}
    assert {url: r.status_code for url, r in pages.items() if r.status_code != 200} == {}

    opening = Part.objects.get(sku="BAT-NMC-48V-40AH")
    assert "<td>System</td>" in pages[reverse("spareparts:part", args=[opening.pk])].text
    system_order = reverse("spareparts:order", args=[PurchaseOrder.objects.order_by("pk")[0].pk])
    assert "· System</div>" in pages[system_order].text

    demo_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    assert "<td>系统</td>" in demo_client.get(reverse("spareparts:part", args=[opening.pk])).text


def test_the_demo_holds_every_kind_of_spare_parts_row(demo_client):
    from incidents.models import OPEN_STATUSES
    from spareparts.models import (
        LowStockAlert,
        OrderStatus,
        PurchaseEvent,
        PurchaseRequest,
        RequestSource,
        RequestStatus,
        StockMove,
        StocktakeStatus,
        Transfer,
        TransferStatus,
    )

    assert StockMove.objects.filter(user__isnull=True).exists()
    assert PurchaseEvent.objects.filter(order__isnull=False, actor__isnull=True).exists()
    automatic = PurchaseRequest.objects.filter(source=RequestSource.LOW_STOCK)
    assert automatic.filter(status__in=[RequestStatus.DRAFT, RequestStatus.SUBMITTED]).exists()
    assert automatic.filter(status=RequestStatus.ORDERED).exists()
    assert LowStockAlert.objects.filter(acknowledged_at__isnull=True).exists()
    orders = PurchaseOrder.objects
    assert orders.filter(status=OrderStatus.PLACED).exists()
    assert orders.filter(status=OrderStatus.RECEIVED, receipts__lines__rejected__gt=0).exists() or (
        orders.filter(status=OrderStatus.RECEIVED).exists()
        and orders.filter(receipts__lines__rejected__gt=0).exists()
    )
    assert Stocktake.objects.filter(
        status=StocktakeStatus.OPEN, lines__counted__isnull=False
    ).exists()
    assert Transfer.objects.filter(status=TransferStatus.IN_TRANSIT).count() >= 2
    moves = StockMove.objects.filter(incident__status__in=OPEN_STATUSES)
    assert moves.filter(kind="reserve").exists() and moves.filter(kind="issue").exists()
    technician = get_user_model().objects.get(username="technician")
    assert moves.filter(incident__assignee=technician).exists()
