"""The spare-parts zh_Hans catalogue is complete, compiled, and used by the pages."""

import re
from pathlib import Path

from django.conf import settings
from django.urls import reverse
from django.utils.translation import override

LC = Path(settings.BASE_DIR) / "spareparts" / "locale" / "zh_Hans" / "LC_MESSAGES"


def test_every_message_has_a_chinese_translation_and_the_mo_is_fresh():
    po = (LC / "django.po").read_text(encoding="utf-8")
    untranslated = re.findall(r'\nmsgid "(.+)"\n(?:msgid_plural .*\n)?msgstr(?:\[0\])? ""\n\n', po)
    assert untranslated == []
    assert '#, fuzzy\nmsgid "' not in po
    assert (LC / "django.mo").stat().st_mtime >= (LC / "django.po").stat().st_mtime - 1


def test_stock_page_in_chinese(logistics, login, depots, battery):
    client = login(logistics)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    page = client.get(reverse("spareparts:stock")).content.decode()
    assert "备件库存" in page and "仅显示低库存" in page


def _zh(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    return client


def test_part_moves_read_in_the_readers_language_with_the_depots_name(
    dispatcher, login, depots, battery, stock, incident, logistics
):
    from incidents import services as incident_services
    from spareparts import services

    depots["east"].name_zh = "华东备件库"
    depots["east"].save()
    battery.name_zh = "48V 电池包"
    battery.save()
    stock(battery, depots["east"], 3)
    services.reserve_part(
        incident, part=battery, depot=depots["east"], quantity=2, actor=dispatcher
    )
    incident_services.cancel_incident(incident, actor=dispatcher, reason="Duplicate")

    page = _zh(login(dispatcher)).get(reverse("incidents:detail", args=[incident.pk])).text
    assert "@ east" not in page and "East depot" not in page
    assert "48V 电池包 · 华东备件库" in page
    assert "2 × BAT-48V — 事件已取消" in page  # noqa: RUF001 - the multiplication sign
    english = login(dispatcher).get(reverse("incidents:detail", args=[incident.pk])).text
    assert "48V battery pack · East depot" in english and "— Incident cancelled" in english

    ledger = _zh(login(logistics)).get(reverse("spareparts:part", args=[battery.pk])).text
    assert "<td>华东备件库</td>" in ledger and "事件已取消" in ledger
    assert "Incident cancelled" not in ledger


def test_an_automatic_requests_history_and_the_unit_read_in_chinese(
    logistics, login, depots, battery, stock, supplier
):
    from spareparts import services
    from spareparts.models import PurchaseEvent, PurchaseRequest
    from tests.spareparts.helpers import balance

    stock(battery, depots["east"], 1)
    services.set_reorder_levels(
        balance(battery, depots["east"]), reorder_point=3, reorder_quantity=5, actor=logistics
    )
    request = PurchaseRequest.objects.get()
    order = services.create_purchase_order(
        supplier=supplier, depot=depots["hq"], requests=[request], actor=logistics
    )
    event = PurchaseEvent.objects.get(request=request, status="draft")
    assert event.text == "low_stock"
    with override("zh-hans"):
        assert event.text_display == "低库存预警"
        # A row written before the source was stored as its code reads the same.
        event.text = "Low-stock alert"
        assert event.text_display == "低库存预警"

    client = _zh(login(logistics))
    part = client.get(reverse("spareparts:part", args=[battery.pk])).text
    assert "<dd>件</dd>" in part
    assert "PO-" in client.get(reverse("spareparts:order", args=[order.pk])).text


def test_admin_column_headers_and_filters_are_chinese(admin_client, depots, battery, stock):
    import re

    from spareparts import services
    from tests.spareparts.helpers import balance

    stock(battery, depots["east"], 1)
    services.set_reorder_levels(
        balance(battery, depots["east"]), reorder_point=3, reorder_quantity=5, actor=None
    )
    client = _zh(admin_client)
    for model in (
        "part",
        "depot",
        "supplier",
        "stockbalance",
        "stockmove",
        "transfer",
        "purchaserequest",
        "purchaseorder",
        "receipt",
        "stocktake",
        "lowstockalert",
        "unitreturn",
    ):
        page = client.get(f"/admin/spareparts/{model}/").text
        table = page[page.find('id="result_list"') :]
        table = table[: table.find("</thead>")]
        headers = re.findall(r">([^<>]*[A-Za-z][^<>]*)<", table)
        filters = re.findall(r'data-filter-title="([^"]+)"', page)
        english = [t for t in headers + filters if re.search(r"[A-Za-z]{3,}", t) and "SKU" not in t]
        assert english == [], model
