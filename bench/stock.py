"""Spare-parts benchmark (``make bench``): reservations under contention and the stock page.

1. Reservations per second with 8 concurrent clients (processes, one connection each) all
   reserving the same hot part at the same depot through ``spareparts.services.reserve_part``
   (ledger row, timeline event, guarded UPDATE, commit), side by side with the floor: the
   same 8 clients running a bare loop of autocommit guarded UPDATEs on one balance row.
   Goal: at least half the floor's rate. Each line also shows the WAL written per operation:
   the hot row stays locked until its transaction's WAL is flushed, so the flush's size
   bounds both rates.
2. The stock page's render time with 10,000 parts x 20 depots (200,000 balance rows, loaded
   with COPY), through the full Django stack (middleware, session, template). Goal: < 200 ms.

Runs in its own database (``<DATABASE_URL's name>_bench_stock``, dropped and re-created each
run) on the PostgreSQL that ``DATABASE_URL`` points at. ``BENCH_SECONDS`` (default 5) sets how
long each contention run lasts.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import random
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CLIENTS = 8
PARTS = 10_000
DEPOTS = 20
SECONDS = float(os.environ.get("BENCH_SECONDS", "5"))


def _bench_database() -> tuple[str, str]:
    """(admin URL, bench URL) from DATABASE_URL, which must be PostgreSQL."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("bench/stock.py needs DATABASE_URL pointing at PostgreSQL (make bench sets it)")
    parts = urlsplit(url)
    name = parts.path.lstrip("/") or "postgres"
    admin = urlunsplit(parts._replace(path="/postgres"))
    bench = urlunsplit(parts._replace(path=f"/{name}_bench_stock"))
    return admin, bench


def _recreate(admin_url: str, bench_url: str) -> None:
    import psycopg

    name = urlsplit(bench_url).path.lstrip("/")
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def _setup_django(bench_url: str) -> None:
    os.environ["DATABASE_URL"] = bench_url
    os.environ["DJANGO_ENV"] = "test"
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.pop("CELERY_BROKER_URL", None)  # nothing here needs a broker
    import django

    django.setup()


# --- data -------------------------------------------------------------------------------


def _seed() -> dict:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db import connection
    from django.utils import timezone

    from incidents.models import Category
    from incidents.services import report_incident
    from spareparts.models import Depot, Part, StockBalance
    from spareparts.services import adjust_stock

    user = get_user_model().objects.create_user("bench-logistics", password="x")  # noqa: S106
    user.groups.add(Group.objects.get(name="logistics"))
    depots = Depot.objects.bulk_create(
        [
            Depot(
                code=f"d{n:02}",
                name=f"Depot {n:02}",
                name_zh=f"备件库 {n:02}",
                kind="hq" if n == 0 else "service_centre",
            )
            for n in range(DEPOTS)
        ]
    )
    now = timezone.now()
    rng = random.Random(7)  # noqa: S311 - test data
    categories = ["battery", "charger", "controller", "tyre", "tool", "other"]
    with connection.cursor() as cursor:
        with cursor.copy(
            "COPY spareparts_part (sku, name, name_zh, category, unit, tracking, "
            "unit_cost, replaces_assets, default_reorder_point, "
            "default_reorder_quantity, is_active) FROM STDIN"
        ) as copy:
            for n in range(PARTS):
                copy.write_row(
                    (
                        f"SKU-{n:05}",
                        f"Spare part {n}",
                        f"备件 {n}",
                        categories[n % len(categories)],
                        "pcs",
                        "none",
                        10,
                        "",
                        0,
                        0,
                        True,
                    )
                )
        part_ids = [r[0] for r in Part.objects.order_by("id").values_list("id")]
        with cursor.copy(
            "COPY spareparts_stockbalance (part_id, depot_id, on_hand, reserved, "
            "reorder_point, reorder_quantity, low_since) FROM STDIN"
        ) as copy:
            for pid in part_ids:
                for depot in depots:
                    on_hand = rng.randint(0, 60)
                    reserved = rng.randint(0, min(on_hand, 3))
                    point = rng.choice((0, 5, 10))
                    low = now if point and on_hand - reserved < point else None
                    copy.write_row((pid, depot.pk, on_hand, reserved, point, point * 2, low))
        cursor.execute("ANALYZE")
    hot = Part.objects.create(sku="HOT-RESERVE", name="Hot battery pack")
    floor = Part.objects.create(sku="HOT-FLOOR", name="Floor row")
    adjust_stock(part=hot, depot=depots[0], delta=10**9, reason="bench", actor=None)
    # The floor's row is moved by bare UPDATEs only: it has no ledger by design.
    StockBalance.objects.filter(part=floor, depot=depots[0]).update(on_hand=10**9)
    category = Category.objects.first()
    incidents = [
        report_incident(actor=None, title=f"Bench job {n}", category=category, grade="III")
        for n in range(CLIENTS)
    ]
    return {
        "user_id": user.pk,
        "hot": hot.pk,
        "floor": floor.pk,
        "depot": depots[0].pk,
        "depot_ids": [d.pk for d in depots],
        "incidents": [i.pk for i in incidents],
    }


# --- contention -------------------------------------------------------------------------


def _reserve_worker(args) -> int:
    index, ids, start_at, seconds = args
    from django.db import connections

    from incidents.models import Incident
    from spareparts import services
    from spareparts.models import Depot, Part

    connections.close_all()
    incident = Incident.objects.get(pk=ids["incidents"][index])
    part, depot = Part.objects.get(pk=ids["hot"]), Depot.objects.get(pk=ids["depot"])
    while time.time() < start_at:
        time.sleep(0.001)
    done, deadline = 0, start_at + seconds
    while time.time() < deadline:
        services.reserve_part(incident, part=part, depot=depot, quantity=1, actor=None)
        done += 1
    connections.close_all()
    return done


def _floor_worker(args) -> int:
    _index, ids, start_at, seconds = args
    from django.db import connection, connections

    from spareparts.models import StockBalance

    connections.close_all()
    row = StockBalance.objects.get(part_id=ids["floor"], depot_id=ids["depot"]).pk
    sql = (
        "UPDATE spareparts_stockbalance SET reserved = reserved + 1 "
        "WHERE id = %s AND on_hand - reserved >= 1"
    )
    while time.time() < start_at:
        time.sleep(0.001)
    done, deadline = 0, start_at + seconds
    with connection.cursor() as cursor:
        while time.time() < deadline:
            cursor.execute(sql, [row])
            done += cursor.rowcount
    connections.close_all()
    return done


def _wal_lsn() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()")
        return cursor.fetchone()[0]


def _contend(worker, ids: dict) -> tuple[float, float]:
    """(operations per second, bytes of WAL written per operation)."""
    from django.db import connection, connections

    start_lsn = _wal_lsn()
    connections.close_all()  # forked children must not share the parent's socket
    start_at = time.time() + 1.0
    with mp.get_context("fork").Pool(CLIENTS) as pool:
        counts = pool.map(worker, [(i, ids, start_at, SECONDS) for i in range(CLIENTS)])
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), %s)", [start_lsn])
        wal = float(cursor.fetchone()[0])
    return sum(counts) / SECONDS, wal / max(sum(counts), 1)


# --- the stock page ---------------------------------------------------------------------


def _render_times(ids: dict) -> list[tuple[str, float, float]]:
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client()
    client.force_login(get_user_model().objects.get(pk=ids["user_id"]))
    cases = [
        ("all depots, page 1", {}),
        ("all depots, page 120", {"page": 120}),
        ("search 'SKU-0777'", {"q": "SKU-0777"}),
        ("category battery", {"category": "battery"}),
        ("low stock only", {"low": "on"}),
        ("one depot, page 1", {"depot": ids["depot_ids"][3]}),
        ("one depot, low only", {"depot": ids["depot_ids"][3], "low": "on"}),
    ]
    results = []
    for label, params in cases:
        response = client.get("/spareparts/", params)
        if response.status_code != 200:
            raise SystemExit(f"{label}: HTTP {response.status_code}")
        times = []
        for _ in range(15):
            started = time.perf_counter()
            client.get("/spareparts/", params)
            times.append((time.perf_counter() - started) * 1000)
        times.sort()
        results.append((label, statistics.median(times), times[int(len(times) * 0.9)]))
    return results


def _hot_row_matches_ledger(ids: dict) -> tuple[int, bool]:
    from django.db.models import Sum

    from spareparts.models import StockBalance, StockMove

    b = StockBalance.objects.get(part_id=ids["hot"], depot_id=ids["depot"])
    sums = StockMove.objects.filter(part_id=ids["hot"], depot_id=ids["depot"]).aggregate(
        on=Sum("on_hand_delta"), res=Sum("reserved_delta")
    )
    return b.reserved, (b.on_hand, b.reserved) == (sums["on"], sums["res"])


def main() -> None:
    admin_url, bench_url = _bench_database()
    _recreate(admin_url, bench_url)
    _setup_django(bench_url)
    from django.core.management import call_command

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    ids = _seed()
    print(
        f"seeded {PARTS:,} parts x {DEPOTS} depots ({PARTS * DEPOTS:,} balances) in "
        f"{time.perf_counter() - started:.1f} s"
    )

    floor, floor_wal = _contend(_floor_worker, ids)
    reserve, reserve_wal = _contend(_reserve_worker, ids)
    print(f"\nreservations, {CLIENTS} concurrent clients, one hot part, {SECONDS:g} s each:")
    print(
        f"  floor: bare guarded UPDATE loop      {floor:9.0f} /s   {floor_wal:6.0f} B of WAL each"
    )
    print(
        f"  reserve_part (ledger+event+UPDATE)   {reserve:9.0f} /s   "
        f"{reserve_wal:6.0f} B of WAL each"
        f"   = {reserve / floor:.0%} of the floor (goal >= 50%)"
    )
    reserved, ok = _hot_row_matches_ledger(ids)
    print(f"  hot row: {reserved} reserved; balance equals its ledger: {ok}")

    print(f"\nstock page, {PARTS:,} parts x {DEPOTS} depots (median / p90 of 15, goal < 200 ms):")
    for label, median, p90 in _render_times(ids):
        print(f"  {label:<24} {median:7.1f} ms  {p90:7.1f} ms")


if __name__ == "__main__":
    main()
