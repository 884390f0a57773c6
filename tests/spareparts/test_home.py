"""The logistics home: what logistics has to do, in a fixed number of queries."""

from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django.utils.translation import override

from incidents import services as incident_services
from spareparts import services
from spareparts.home import logistics_work
from tests import factories
from tests.spareparts.helpers import balance


def _work(depots, battery, charger, controller, supplier, stock, logistics, dispatcher):
    stock(battery, depots["east"], 5)
    stock(charger, depots["hq"], 4, lots=["B1"])
    # Low stock at east: an alert and an automatic request.
    services.set_reorder_levels(
        balance(battery, depots["east"]), reorder_point=8, reorder_quantity=10, actor=logistics
    )
    services.ship_transfer(
        part=charger,
        from_depot=depots["hq"],
        to_depot=depots["west"],
        quantity=2,
        lots=["B1"],
        actor=logistics,
    )
    job = factories.report(dispatcher)
    services.reserve_part(job, part=battery, depot=depots["east"], quantity=2, actor=dispatcher)
    done = factories.report(dispatcher)
    services.reserve_part(done, part=battery, depot=depots["east"], quantity=1, actor=dispatcher)
    incident_services.cancel_incident(done, actor=dispatcher, reason="Duplicate")
    order = services.create_purchase_order(
        supplier=supplier, depot=depots["hq"], lines=[(controller, 2, 10)], actor=logistics
    )
    services.place_order(order, actor=logistics)
    return job, order


def test_logistics_work_lists_what_to_do(
    depots,
    battery,
    charger,
    controller,
    supplier,
    stock,
    logistics,
    dispatcher,
    django_assert_max_num_queries,
):
    job, order = _work(depots, battery, charger, controller, supplier, stock, logistics, dispatcher)
    with django_assert_max_num_queries(10):
        work = logistics_work(logistics)
    assert work.low_stock.count == 1 and work.low_stock.items[0].balance.part == battery
    assert work.to_receive.count == 1 and work.to_receive.items[0].part == charger
    # The cancelled job's reservation was released: only the open job's is left.
    assert work.for_jobs.count == 1
    held = work.for_jobs.items[0]
    assert (held["incident_id"], held["part__sku"], held["held"]) == (job.pk, "BAT-48V", 2)
    assert work.to_order.count == 1 and work.to_order.items[0].source == "low_stock"
    assert [o.pk for o in work.awaiting_receipt.items] == [order.pk]
    assert work.total == 5

    request = RequestFactory().get("/")
    request.user = logistics
    with override("en"):
        html = render_to_string(
            "spareparts/partials/logistics_home.html", {"logistics_work": work}, request=request
        )
    for url in (
        reverse("spareparts:stock") + "?low=on",
        reverse("spareparts:transfers"),
        reverse("incidents:detail", args=[job.pk]) + "#parts",
        reverse("spareparts:orders"),
        reverse("spareparts:order", args=[order.pk]),
    ):
        assert f'href="{url}"' in html, url
    assert "transfers to receive" in html


def test_the_query_count_does_not_grow_with_the_work(
    depots,
    battery,
    charger,
    controller,
    supplier,
    stock,
    logistics,
    dispatcher,
    django_assert_num_queries,
):
    _work(depots, battery, charger, controller, supplier, stock, logistics, dispatcher)
    with django_assert_num_queries(10):
        logistics_work(logistics)
    stock(battery, depots["west"], 6)
    for _ in range(6):
        job = factories.report(dispatcher)
        services.reserve_part(job, part=battery, depot=depots["west"], quantity=1, actor=dispatcher)
    with django_assert_num_queries(10):
        assert logistics_work(logistics).for_jobs.count == 7
