from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from incidents import services as incident_services
from incidents.models import EventKind, ServiceMode
from spareparts import services
from spareparts.exceptions import InvalidStockState, NotEnoughStock
from spareparts.models import (
    LowStockAlert,
    MoveKind,
    OrderStatus,
    Part,
    PurchaseRequest,
    StockBalance,
    StockMove,
    TransferStatus,
    UnitReturn,
)
from spareparts.services import InspectedLine
from tests import factories
from tests.spareparts.helpers import assert_balances_match_ledger, balance


def kinds(incident) -> list[str]:
    return list(incident.events.filter(kind__startswith="part_").values_list("kind", flat=True))


def test_balance_rows_exist_for_every_part_and_depot_before_any_move(depots, battery, charger):
    assert StockBalance.objects.count() == 2 * 3
    assert not StockMove.objects.exists()


def test_reserve_then_issue_consumes_the_reservation_and_records_the_timeline(
    depots, battery, stock, incident, dispatcher, write_path
):
    stock(battery, depots["east"], 4)
    services.reserve_part(
        incident, part=battery, depot=depots["east"], quantity=2, actor=dispatcher
    )
    b = balance(battery, depots["east"])
    assert (b.on_hand, b.reserved, b.available) == (4, 2, 2)

    services.issue_part(incident, part=battery, depot=depots["east"], quantity=3, actor=dispatcher)

    b.refresh_from_db()
    assert (b.on_hand, b.reserved, b.available) == (1, 0, 1)
    assert kinds(incident) == ["part_reserved", "part_issued"]
    assert services.outstanding(incident, battery) == {"reserved": 0, "issued": 3}
    assert_balances_match_ledger()


def test_reserve_writes_the_timeline_event_with_the_move(
    depots, battery, stock, incident, dispatcher, write_path
):
    stock(battery, depots["east"], 3)
    move = services.reserve_part(
        incident,
        part=battery,
        depot=depots["east"],
        quantity=2,
        actor=dispatcher,
        note="For the van",
    )

    event = incident.events.get(kind=EventKind.PART_RESERVED)
    assert event.actor == dispatcher
    assert event.data == {
        "part": "BAT-48V",
        "part_id": battery.pk,
        "part_name": "48V battery pack",
        "part_name_zh": "",
        "depot": "east",
        "depot_id": depots["east"].pk,
        "depot_name": "East depot",
        "depot_name_zh": "",
        "quantity": 2,
        "lots": [],
        "move": move.pk,
    }
    # What reads the same in every language; the names are shown from data, per reader.
    assert event.text == "2 × BAT-48V — For the van"  # noqa: RUF001
    assert StockMove.objects.get(pk=move.pk).reason == "For the van"
    assert event.data["move"] == move.pk
    assert_balances_match_ledger()


def test_reserve_more_than_available_raises_not_enough_stock_and_writes_nothing(
    depots, battery, stock, incident, dispatcher, write_path
):
    stock(battery, depots["east"], 1)
    with pytest.raises(NotEnoughStock) as exc:
        services.reserve_part(
            incident, part=battery, depot=depots["east"], quantity=2, actor=dispatcher
        )
    assert "1 available" in str(exc.value)
    assert not StockMove.objects.filter(kind=MoveKind.RESERVE).exists()
    assert kinds(incident) == []


def test_reservation_never_inserts_a_missing_balance_row(
    depots, battery, incident, dispatcher, write_path
):
    StockBalance.objects.filter(part=battery, depot=depots["east"]).delete()
    with pytest.raises(NotEnoughStock):
        services.reserve_part(
            incident, part=battery, depot=depots["east"], quantity=1, actor=dispatcher
        )
    assert not StockBalance.objects.filter(part=battery, depot=depots["east"]).exists()


def test_database_refuses_negative_on_hand_and_over_reservation(depots, battery):
    row = StockBalance.objects.filter(part=battery, depot=depots["hq"])
    with pytest.raises(IntegrityError), transaction.atomic():
        row.update(on_hand=-1)
    with pytest.raises(IntegrityError), transaction.atomic():
        row.update(on_hand=1, reserved=2)


def test_ledger_rows_cannot_be_changed_or_deleted_even_in_sql(depots, battery, stock):
    (move,) = stock(battery, depots["hq"], 3)
    with pytest.raises(Exception, match="append-only"), transaction.atomic():
        StockMove.objects.filter(pk=move.pk).update(quantity=30)
    with (
        pytest.raises(Exception, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM spareparts_stockmove")


def test_cancelling_the_incident_releases_its_reservations(
    depots, battery, charger, stock, incident, dispatcher, write_path
):
    stock(battery, depots["east"], 3)
    stock(charger, depots["hq"], 3, lots=["B1"])
    services.reserve_part(
        incident, part=battery, depot=depots["east"], quantity=2, actor=dispatcher
    )
    services.reserve_part(incident, part=charger, depot=depots["hq"], quantity=1, actor=dispatcher)

    incident_services.cancel_incident(incident, actor=dispatcher, reason="Customer fixed it")

    assert balance(battery, depots["east"]).reserved == 0
    assert balance(charger, depots["hq"]).reserved == 0
    assert kinds(incident).count("part_released") == 2
    assert_balances_match_ledger()
    with pytest.raises(InvalidStockState):
        services.reserve_part(
            incident, part=battery, depot=depots["east"], quantity=1, actor=dispatcher
        )


def test_issue_then_return_round_trip_restores_stock(depots, battery, stock, incident, dispatcher):
    stock(battery, depots["west"], 5)
    services.issue_part(incident, part=battery, depot=depots["west"], quantity=3, actor=dispatcher)
    services.return_part(
        incident,
        part=battery,
        depot=depots["west"],
        quantity=2,
        actor=dispatcher,
        reason="Not needed",
    )
    with pytest.raises(ValidationError):
        services.return_part(
            incident, part=battery, depot=depots["west"], quantity=2, actor=dispatcher
        )

    assert balance(battery, depots["west"]).on_hand == 4
    assert kinds(incident) == ["part_issued", "part_returned"]
    assert_balances_match_ledger()


def test_transfer_round_trip_is_in_transit_until_received(depots, battery, stock, logistics):
    stock(battery, depots["hq"], 10)
    transfer = services.ship_transfer(
        part=battery, from_depot=depots["hq"], to_depot=depots["east"], quantity=4, actor=logistics
    )
    assert transfer.status == TransferStatus.IN_TRANSIT
    assert balance(battery, depots["hq"]).on_hand == 6
    assert balance(battery, depots["east"]).on_hand == 0

    services.receive_transfer(transfer, actor=logistics)
    with pytest.raises(InvalidStockState):
        services.receive_transfer(transfer, actor=logistics)

    assert balance(battery, depots["east"]).on_hand == 4
    back = services.ship_transfer(
        part=battery, from_depot=depots["east"], to_depot=depots["hq"], quantity=4, actor=logistics
    )
    services.cancel_transfer(back, actor=logistics)
    assert balance(battery, depots["east"]).on_hand == 4
    assert balance(battery, depots["hq"]).on_hand == 6
    assert_balances_match_ledger()


def test_transfer_cannot_ship_reserved_units(
    depots, battery, stock, incident, dispatcher, logistics
):
    stock(battery, depots["hq"], 2)
    services.reserve_part(incident, part=battery, depot=depots["hq"], quantity=2, actor=dispatcher)
    with pytest.raises(NotEnoughStock):
        services.ship_transfer(
            part=battery,
            from_depot=depots["hq"],
            to_depot=depots["east"],
            quantity=1,
            actor=logistics,
        )


def test_stocktake_turns_counted_differences_into_adjustments_with_the_reason(
    depots, battery, charger, stock, logistics
):
    stock(battery, depots["east"], 10)
    stock(charger, depots["east"], 5, lots=["B7"])
    take = services.open_stocktake(depot=depots["east"], actor=logistics)
    # A move after the sheet was printed is kept: the count differs from the book by -2.
    stock(battery, depots["east"], 1)
    services.record_counts(take, {battery.pk: 8, charger.pk: 5}, actor=logistics)

    moves = services.post_stocktake(take, actor=logistics, reason="Quarterly count")

    assert [(m.part_id, m.on_hand_delta) for m in moves] == [(battery.pk, -2)]
    assert "Quarterly count" in moves[0].reason and moves[0].stocktake_id == take.pk
    assert balance(battery, depots["east"]).on_hand == 9
    assert balance(charger, depots["east"]).on_hand == 5
    with pytest.raises(InvalidStockState):
        services.post_stocktake(take, actor=logistics, reason="again")
    assert_balances_match_ledger()


def test_receipt_with_partial_rejection_stocks_only_accepted_units(
    depots, charger, supplier, logistics
):
    order = services.create_purchase_order(
        supplier=supplier, depot=depots["hq"], lines=[(charger, 10, "120.00")], actor=logistics
    )
    services.place_order(order, actor=logistics)
    line = order.lines.get()

    with pytest.raises(ValidationError):  # rejected units need a reason
        services.receive_order(
            order, lines=[InspectedLine(line, 7, 3, "", ["B-2026-01"])], actor=logistics
        )
    receipt = services.receive_order(
        order,
        lines=[InspectedLine(line, 7, 2, "Cracked housing", ["B-2026-01"])],
        actor=logistics,
    )

    order.refresh_from_db()
    line.refresh_from_db()
    assert order.status == OrderStatus.PARTIAL
    assert (line.accepted, line.rejected, line.outstanding) == (7, 2, 1)
    assert receipt.lines.get().rejection_reason == "Cracked housing"
    assert balance(charger, depots["hq"]).on_hand == 7
    services.receive_order(
        order, lines=[InspectedLine(line, 1, 0, "", ["B-2026-02"])], actor=logistics
    )
    order.refresh_from_db()
    assert order.status == OrderStatus.RECEIVED
    assert list(order.events.values_list("status", flat=True)) == [
        "draft",
        "placed",
        "partial",
        "received",
    ]
    assert_balances_match_ledger()


def test_low_stock_alert_fires_once_per_crossing(
    depots, battery, stock, dispatcher, logistics, django_capture_on_commit_callbacks
):
    b = balance(battery, depots["east"])
    services.set_reorder_levels(b, reorder_point=3, reorder_quantity=10, actor=logistics)
    assert LowStockAlert.objects.count() == 1  # 0 < 3 at once: the first crossing
    stock(battery, depots["east"], 6)  # back above: the crossing is cleared
    jobs = [factories.report(dispatcher) for _ in range(5)]

    for job in jobs[:3]:  # 6 → 5 → 4 → 3: still at the reorder point, not below
        services.reserve_part(job, part=battery, depot=depots["east"], quantity=1, actor=dispatcher)
    assert LowStockAlert.objects.count() == 1
    with django_capture_on_commit_callbacks() as callbacks:
        services.reserve_part(
            jobs[3], part=battery, depot=depots["east"], quantity=1, actor=dispatcher
        )  # 2 < 3: crossing
    services.reserve_part(
        jobs[4], part=battery, depot=depots["east"], quantity=1, actor=dispatcher
    )  # 1: still below, no new alert

    alerts = LowStockAlert.objects.order_by("pk")
    assert alerts.count() == 2
    assert (alerts.last().available, alerts.last().reorder_point) == (2, 3)
    assert len(callbacks) >= 1  # the notification is sent after commit
    request = alerts.last().request
    assert (request.status, request.source, request.quantity) == ("draft", "low_stock", 10)
    assert PurchaseRequest.objects.filter(source="low_stock").count() == 2

    stock(battery, depots["east"], 10)
    assert balance(battery, depots["east"]).low_since is None
    incident_services.cancel_incident(jobs[4], actor=dispatcher, reason="x")
    services.issue_part(jobs[0], part=battery, depot=depots["east"], quantity=1, actor=dispatcher)
    assert LowStockAlert.objects.count() == 2


def test_serial_traced_from_supplier_to_incident(
    depots, controller, supplier, logistics, incident, dispatcher
):
    order = services.create_purchase_order(
        supplier=supplier, depot=depots["hq"], lines=[(controller, 2, 800)], actor=logistics
    )
    services.place_order(order, actor=logistics)
    with pytest.raises(ValidationError):  # serial-tracked: one serial per accepted unit
        services.receive_order(
            order, lines=[InspectedLine(order.lines.get(), 2, 0, "", ["SN-1"])], actor=logistics
        )
    receipt = services.receive_order(
        order, lines=[InspectedLine(order.lines.get(), 2, 0, "", ["SN-1", "SN-2"])], actor=logistics
    )
    transfer = services.ship_transfer(
        part=controller,
        from_depot=depots["hq"],
        to_depot=depots["east"],
        quantity=1,
        lots=["SN-2"],
        actor=logistics,
    )
    services.receive_transfer(transfer, actor=logistics)
    with pytest.raises(ValidationError):  # SN-1 is still at HQ, not at the east depot
        services.issue_part(
            incident,
            part=controller,
            depot=depots["east"],
            quantity=1,
            lots=["SN-1"],
            actor=dispatcher,
        )
    services.issue_part(
        incident, part=controller, depot=depots["east"], quantity=1, lots=["SN-2"], actor=dispatcher
    )

    trace = services.trace_lot("SN-2")

    assert [r.receipt for r in trace["receipts"]] == [receipt]
    assert trace["receipts"][0].receipt.order.supplier == supplier
    assert trace["incidents"] == [incident]
    assert [m.kind for m in trace["moves"]] == ["receive", "transfer_out", "transfer_in", "issue"]
    assert incident.events.get(kind=EventKind.PART_ISSUED).data["lots"] == ["SN-2"]
    assert_balances_match_ledger()


def test_unit_replacement_reserves_the_replacement_unit_and_opens_the_failed_unit_return(
    org, depots, stock, dispatcher, write_path
):
    unit = Part.objects.create(
        sku="UNIT-S1",
        name="Scooter S1 (whole unit)",
        category="unit",
        tracking="none",
        replaces_assets="LSVAU",
    )
    stock(unit, depots["hq"], 1)
    incident = factories.report(
        dispatcher, service_mode=ServiceMode.UNIT_REPLACEMENT, asset_ref="LSVAU2180N2000001"
    )

    assert balance(unit, depots["hq"]).reserved == 1
    ret = UnitReturn.objects.get(incident=incident)
    assert (ret.part, ret.serial, ret.status) == (unit, "LSVAU2180N2000001", "open")
    incident_services.confirm_incident(incident, actor=dispatcher)
    assert balance(unit, depots["hq"]).reserved == 1  # once per incident

    incident_services.cancel_incident(incident, actor=dispatcher, reason="Repaired remotely")
    assert balance(unit, depots["hq"]).reserved == 0
    ret.refresh_from_db()
    assert ret.status == "cancelled"


def test_unit_replacement_without_stock_drafts_a_request_and_does_not_block(
    org, depots, dispatcher
):
    Part.objects.create(sku="UNIT-S1", name="Scooter S1", category="unit", replaces_assets="LSV")
    incident = factories.report(dispatcher, service_mode=ServiceMode.UNIT_REPLACEMENT)
    assert incident.status == "reported"
    assert PurchaseRequest.objects.filter(incident=incident, source="job").exists()
    assert UnitReturn.objects.filter(incident=incident, status="open").exists()


def test_technician_records_parts_only_on_own_jobs(
    depots, battery, stock, technician, other_technician, dispatcher
):
    stock(battery, depots["east"], 3)
    job = factories.report(dispatcher)
    incident_services.confirm_incident(job, actor=dispatcher)
    incident_services.dispatch_incident(job, actor=dispatcher, assignee=technician)

    services.issue_part(job, part=battery, depot=depots["east"], quantity=1, actor=technician)
    with pytest.raises(PermissionDenied):
        services.issue_part(
            job, part=battery, depot=depots["east"], quantity=1, actor=other_technician
        )
    with pytest.raises(PermissionDenied):
        services.ship_transfer(
            part=battery,
            from_depot=depots["east"],
            to_depot=depots["hq"],
            quantity=1,
            actor=technician,
        )


def test_closing_releases_what_the_job_did_not_use(
    depots, battery, stock, dispatcher, manager, settings
):
    settings.INCIDENT_CLOSE_GUARDS = []  # other apps' close rules
    stock(battery, depots["hq"], 2)
    job = factories.report(dispatcher)
    now = timezone.now()
    incident_services.confirm_incident(job, actor=dispatcher, now=now)
    services.reserve_part(job, part=battery, depot=depots["hq"], quantity=2, actor=dispatcher)
    services.issue_part(job, part=battery, depot=depots["hq"], quantity=1, actor=dispatcher)
    incident_services.resolve_incident(
        job, actor=manager, resolution="Swapped the pack", now=now + timedelta(minutes=5)
    )
    incident_services.close_incident(job, actor=manager, now=now + timedelta(minutes=6))
    b = balance(battery, depots["hq"])
    assert (b.on_hand, b.reserved) == (1, 0)
    assert_balances_match_ledger()


def test_a_low_stock_alert_reaches_logistics_in_their_language_once(
    client, depots, battery, logistics, django_capture_on_commit_callbacks
):
    from django.urls import reverse

    from notifications.models import Channel, Notification
    from notifications.services import set_preferences

    logistics.email = "stores@example.com"
    logistics.save()
    set_preferences(logistics, language="zh-hans", email_enabled=True)
    b = balance(battery, depots["east"])
    with django_capture_on_commit_callbacks(execute=True):
        services.set_reorder_levels(b, reorder_point=3, reorder_quantity=10, actor=logistics)
    alert = LowStockAlert.objects.get()
    rows = Notification.objects.filter(user=logistics, incident__isnull=True)
    assert sorted(rows.values_list("channel", flat=True)) == [Channel.EMAIL, Channel.INAPP]
    inapp = rows.get(channel=Channel.INAPP)
    assert inapp.step == f"low_stock:{alert.pk}" and inapp.event == "low_stock"
    assert inapp.language == "zh-hans" and battery.sku in inapp.title
    assert "Low stock" not in inapp.title  # written in Chinese
    assert inapp.url.endswith(reverse("spareparts:part", args=[battery.pk]))
    assert inapp.key == f":low_stock:{alert.pk}:u{logistics.pk}:inapp"
    services.notify_low_stock(alert.pk)  # a repeat (a retried task) writes nothing twice
    assert rows.count() == 2
    client.force_login(logistics)
    page = client.get(reverse("notifications:list")).content.decode()
    assert inapp.title in page and inapp.url in page
