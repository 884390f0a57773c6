"""Real threads, each with its own PostgreSQL connection, racing for the same balance row."""

import threading

import pytest
from django.db import connection, connections

from incidents.models import Incident
from spareparts import services
from spareparts.exceptions import InvalidStockState, NotEnoughStock
from spareparts.models import StockMove
from tests import factories
from tests.spareparts.helpers import assert_balances_match_ledger, balance

RACERS = 20


def _race(fn, n: int) -> list:
    barrier = threading.Barrier(n)
    results: list = [None] * n

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            results[i] = fn(i)
        except Exception as exc:  # collected and asserted by the test
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_twenty_racing_reservations_for_the_last_five_units_let_exactly_five_win(
    dispatcher, depots, battery, stock, write_path
):
    stock(battery, depots["east"], 5)
    incidents = [factories.report(dispatcher, title=f"Job {i}") for i in range(RACERS)]
    connection.close()  # the threads open their own connections

    results = _race(
        lambda i: services.reserve_part(
            incidents[i], part=battery, depot=depots["east"], quantity=1, actor=dispatcher
        ),
        RACERS,
    )

    won = [r for r in results if isinstance(r, StockMove)]
    lost = [r for r in results if isinstance(r, NotEnoughStock)]
    assert len(won) == 5
    assert len(lost) == RACERS - 5
    b = balance(battery, depots["east"])
    assert (b.on_hand, b.reserved, b.available) == (5, 5, 0)
    assert StockMove.objects.filter(kind="reserve").count() == 5
    assert_balances_match_ledger()
    # Only the winners got a timeline entry; the losers' transactions left nothing behind.
    reserved_on = set(
        Incident.objects.filter(events__kind="part_reserved").values_list("pk", flat=True)
    )
    assert reserved_on == {m.incident_id for m in won}


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_racing_first_reservations_of_an_untouched_part_cannot_both_win(
    dispatcher, depots, battery, stock
):
    """The gap-lock bug: two 'first' reservations. The balance row pre-exists (made with
    the part), so both serialise on it and only one of them fits."""
    stock(battery, depots["west"], 1)
    a, b = factories.report(dispatcher), factories.report(dispatcher)
    connection.close()

    results = _race(
        lambda i: services.reserve_part(
            [a, b][i], part=battery, depot=depots["west"], quantity=1, actor=dispatcher
        ),
        2,
    )

    assert sorted(type(r).__name__ for r in results) == ["NotEnoughStock", "StockMove"]
    assert balance(battery, depots["west"]).reserved == 1
    assert_balances_match_ledger()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_cancel_racing_reservations_leaves_nothing_reserved_for_the_cancelled_job(
    dispatcher, depots, battery, stock
):
    from incidents import services as incident_services

    stock(battery, depots["hq"], 50)
    incident = factories.report(dispatcher)
    connection.close()

    def act(i: int):
        if i == 0:
            return incident_services.cancel_incident(incident, actor=dispatcher, reason="Duplicate")
        return services.reserve_part(
            incident, part=battery, depot=depots["hq"], quantity=1, actor=dispatcher
        )

    _race(act, 6)

    assert balance(battery, depots["hq"]).reserved == 0
    assert_balances_match_ledger()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_committed_reservations_refuse_cleanly_and_raise_low_stock_once(
    dispatcher, depots, battery, stock, logistics, write_path
):
    """Each reservation in its own committed transaction (the prepared fast path): a
    refusal leaves no ledger row or event behind, and low stock fires once per crossing."""
    from spareparts.models import LowStockAlert, StockBalance

    stock(battery, depots["east"], 3)
    services.set_reorder_levels(
        balance(battery, depots["east"]), reorder_point=2, reorder_quantity=4, actor=logistics
    )
    job = factories.report(dispatcher)

    services.reserve_part(
        job, part=battery, depot=depots["east"], quantity=1, actor=dispatcher
    )  # 2 left: not below 2
    assert not LowStockAlert.objects.exists()
    services.reserve_part(
        job, part=battery, depot=depots["east"], quantity=1, actor=dispatcher
    )  # 1 < 2: the crossing
    with pytest.raises(NotEnoughStock, match="1 available"):
        services.reserve_part(job, part=battery, depot=depots["east"], quantity=2, actor=dispatcher)
    services.reserve_part(
        job, part=battery, depot=depots["east"], quantity=1, actor=dispatcher
    )  # 0: still below, no second alert

    assert LowStockAlert.objects.count() == 1
    assert StockMove.objects.filter(kind="reserve").count() == 3
    assert job.events.filter(kind="part_reserved").count() == 3
    assert_balances_match_ledger()

    StockBalance.objects.filter(part=battery, depot=depots["west"]).delete()
    with pytest.raises(NotEnoughStock):
        services.reserve_part(job, part=battery, depot=depots["west"], quantity=1, actor=dispatcher)
    assert StockMove.objects.filter(kind="reserve").count() == 3


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_reservation_outside_a_transaction_commits_on_its_own(
    dispatcher, depots, battery, stock, write_path
):
    """Outside a transaction the reservation commits (on PostgreSQL, accelerated, as one
    statement): the ledger row, one event and the balance are there, and a reservation for
    a cancelled incident still raises (and writes nothing)."""
    from incidents import services as incident_services

    stock(battery, depots["east"], 2)
    job, gone = factories.report(dispatcher), factories.report(dispatcher)
    incident_services.cancel_incident(gone, actor=dispatcher, reason="Duplicate")
    move = services.reserve_part(
        job, part=battery, depot=depots["east"], quantity=2, actor=dispatcher
    )
    with pytest.raises(InvalidStockState):
        services.reserve_part(
            gone, part=battery, depot=depots["east"], quantity=1, actor=dispatcher
        )

    (event,) = job.events.filter(kind="part_reserved")
    assert event.data["move"] == move.pk
    assert not gone.events.filter(kind="part_reserved").exists()
    assert balance(battery, depots["east"]).reserved == 2
    assert StockMove.objects.filter(kind="reserve").count() == 1
    assert_balances_match_ledger()
