import pytest
from django.urls import reverse

from demo import spareparts as demo
from incidents import services as incident_services
from spareparts import services
from spareparts.models import Depot, LowStockAlert, Part, StockBalance, StockMove, Transfer
from tests import factories
from tests.spareparts.helpers import assert_balances_match_ledger, balance


@pytest.fixture
def logistics_client(logistics, login):
    return login(logistics)


def test_stock_page_shows_low_stock_standing_out_and_filters(
    logistics_client, depots, battery, charger, stock, logistics
):
    stock(battery, depots["east"], 1)
    services.set_reorder_levels(
        balance(battery, depots["east"]), reorder_point=3, reorder_quantity=5, actor=logistics
    )

    page = logistics_client.get(reverse("spareparts:stock")).content.decode()
    assert "BAT-48V" in page and "CHG-10A" in page
    assert 'class="cell low"' in page
    assert "Low-stock alerts" in page

    low = logistics_client.get(reverse("spareparts:stock"), {"low": "on"}).content.decode()
    assert ">BAT-48V</a></td>" in low and ">CHG-10A</a></td>" not in low
    found = logistics_client.get(
        reverse("spareparts:stock"), {"q": "charger", "depot": depots["east"].pk}
    ).content.decode()
    assert ">CHG-10A</a></td>" in found and ">BAT-48V</a></td>" not in found


def test_stock_page_query_count_does_not_grow_with_rows(
    logistics_client, depots, stock, django_assert_max_num_queries
):
    for n in range(30):
        Part.objects.create(sku=f"P-{n:03}", name=f"Part {n}")
    with django_assert_max_num_queries(16):
        response = logistics_client.get(reverse("spareparts:stock"))
    assert response.status_code == 200


def test_stock_page_is_refused_to_technicians(technician_client, depots):
    assert technician_client.get(reverse("spareparts:stock")).status_code == 403


def test_part_page_shows_its_ledger(logistics_client, depots, battery, stock):
    stock(battery, depots["hq"], 7)
    page = logistics_client.get(reverse("spareparts:part", args=[battery.pk])).content.decode()
    assert "Opening balance" in page and "+7" in page


def test_incident_panel_reserve_and_not_enough_message(
    dispatcher_client, depots, battery, stock, incident
):
    stock(battery, depots["east"], 1)
    url = reverse("spareparts:incident_parts", args=[incident.pk, "reserve"])
    prefix = f"r{incident.pk}"
    ok = dispatcher_client.post(
        url,
        {
            f"{prefix}-part": "bat-48v",
            f"{prefix}-depot": depots["east"].pk,
            f"{prefix}-quantity": 1,
        },
        follow=True,
    )
    assert balance(battery, depots["east"]).reserved == 1
    assert "Reserved: BAT-48V × 1" in ok.content.decode()  # noqa: RUF001
    short = dispatcher_client.post(
        url,
        {
            f"{prefix}-part": "BAT-48V",
            f"{prefix}-depot": depots["east"].pk,
            f"{prefix}-quantity": 1,
        },
        follow=True,
    )
    assert "Not enough BAT-48V" in short.content.decode()
    detail = dispatcher_client.get(reverse("incidents:detail", args=[incident.pk]))
    assert 'id="parts"' in detail.content.decode()


def test_technician_records_a_part_used_from_the_job_card(
    technician, technician_client, depots, battery, stock, dispatcher
):
    stock(battery, depots["east"], 2)
    job = factories.report(dispatcher)
    incident_services.confirm_incident(job, actor=dispatcher)
    incident_services.dispatch_incident(job, actor=dispatcher, assignee=technician)
    cards = technician_client.get(reverse("incidents:my_jobs")).content.decode()
    opened = reverse("spareparts:job_card", args=[job.pk])
    assert f'href="{opened}"' in cards  # a closed card loads its form when opened
    card = technician_client.get(opened, HTTP_HX_REQUEST="true").content.decode()
    assert '<button class="btn btn-ok btn-big">Record part used</button>' in card

    prefix = f"u{job.pk}"
    technician_client.post(
        reverse("spareparts:incident_parts", args=[job.pk, "used"]),
        {
            f"{prefix}-part": "BAT-48V",
            f"{prefix}-depot": depots["east"].pk,
            f"{prefix}-quantity": 1,
            "next": reverse("incidents:my_jobs"),
        },
    )

    assert balance(battery, depots["east"]).on_hand == 1
    assert job.events.filter(kind="part_issued", actor=technician).exists()


def test_transfer_screen_ships_and_receives(logistics_client, depots, battery, stock):
    stock(battery, depots["hq"], 5)
    logistics_client.post(
        reverse("spareparts:transfers"),
        {
            "part": "BAT-48V",
            "from_depot": depots["hq"].pk,
            "to_depot": depots["west"].pk,
            "quantity": 2,
        },
    )
    transfer = Transfer.objects.get()
    assert "In transit" in logistics_client.get(reverse("spareparts:transfers")).content.decode()
    logistics_client.post(reverse("spareparts:transfer_action", args=[transfer.pk, "receive"]))
    assert balance(battery, depots["west"]).on_hand == 2


def test_order_screen_receives_with_inspection(
    logistics_client, depots, charger, supplier, logistics
):
    order = services.create_purchase_order(
        supplier=supplier, depot=depots["hq"], lines=[(charger, 5, 10)], actor=logistics
    )
    services.place_order(order, actor=logistics)
    line = order.lines.get()
    logistics_client.post(
        reverse("spareparts:order", args=[order.pk]),
        {
            f"accepted-{line.pk}": "4",
            f"rejected-{line.pk}": "1",
            f"reason-{line.pk}": "Bent pins",
            f"lots-{line.pk}": "B-77",
        },
    )
    assert balance(charger, depots["hq"]).on_hand == 4
    page = logistics_client.get(reverse("spareparts:order", args=[order.pk])).content.decode()
    assert "Bent pins" in page


def test_stocktake_screen_counts_and_posts(logistics_client, depots, battery, stock):
    stock(battery, depots["west"], 4)
    logistics_client.post(reverse("spareparts:stocktakes"), {"depot": depots["west"].pk})
    take = depots["west"].stocktakes.get()
    logistics_client.post(
        reverse("spareparts:stocktake", args=[take.pk]), {f"count-{battery.pk}": "3"}
    )
    logistics_client.post(
        reverse("spareparts:stocktake_action", args=[take.pk, "post"]), {"reason": "Annual count"}
    )
    assert balance(battery, depots["west"]).on_hand == 3


def test_trace_page_finds_serial_and_incident(
    logistics_client, depots, controller, stock, incident, dispatcher
):
    stock(controller, depots["hq"], 1, lots=["SN-9"])
    services.issue_part(
        incident, part=controller, depot=depots["hq"], quantity=1, lots=["SN-9"], actor=dispatcher
    )
    page = logistics_client.get(reverse("spareparts:trace"), {"q": "SN-9"}).content.decode()
    assert incident.number in page
    by_incident = logistics_client.get(
        reverse("spareparts:trace"), {"q": incident.number}
    ).content.decode()
    assert "MC-72V" in by_incident


def test_admin_pages_load(admin_client, depots, battery, stock):
    stock(battery, depots["hq"], 1)
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
        assert admin_client.get(f"/admin/spareparts/{model}/").status_code == 200, model


def test_demo_load_is_idempotent(org):
    demo.load(org)
    counts = (Part.objects.count(), StockMove.objects.count(), Depot.objects.count())
    demo.load(org)
    assert (Part.objects.count(), StockMove.objects.count(), Depot.objects.count()) == counts
    assert counts[2] == 3 and StockBalance.objects.filter(on_hand__gt=0).exists()
    assert LowStockAlert.objects.exists()
    assert_balances_match_ledger()


def test_transfer_list_filters_by_status_with_in_transit_first_and_empty_meaning_all(
    logistics_client, depots, battery, stock, logistics
):
    stock(battery, depots["hq"], 5)

    def ship():
        return services.ship_transfer(
            part=battery,
            from_depot=depots["hq"],
            to_depot=depots["west"],
            quantity=1,
            actor=logistics,
        )

    moving, arrived = ship(), ship()
    services.receive_transfer(arrived, actor=logistics)
    url = reverse("spareparts:transfers")

    def listed(**params):
        page = logistics_client.get(url, params).context["page"]
        return {t.pk for t in page}

    assert listed() == {moving.pk}  # a first visit: in transit
    assert listed(status="received") == {arrived.pk}
    assert listed(status="") == {moving.pk, arrived.pk}  # "All statuses"
    assert listed(status="", depot=depots["east"].pk) == set()
    assert listed(status="exploded") == set()  # an invalid filter shows no rows, never all
    page = logistics_client.get(url, {"status": "exploded"}).content.decode()
    assert "Select a valid choice." in page
