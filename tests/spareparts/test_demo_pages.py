"""The spare-parts pages on the demo data of ``make run``: every kind of row is there
(system-made moves and order events, automatic purchase requests), and every page opens.
Loading the demo takes a while, so one test walks all the pages."""

import re

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from spareparts.models import Part, PurchaseOrder


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
