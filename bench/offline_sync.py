"""Offline sync and the dispatcher's map (``make bench``).

1. A technician's phone comes back online with 50 queued actions (10 jobs: arrive, two
   notes, resolve, a note after resolving). They are sent to the sync endpoint over HTTP on
   loopback (a real WSGI server in a thread, a session cookie and the CSRF header, as the
   phone sends them), in one batch; then the same 50 again, as a phone whose answer was lost
   would. Goal: the 50 sync in under 10 s, and the second send applies nothing (zero
   duplicates: 50 synced rows, 10 arrivals, 30 notes on the timelines).
2. The map's data (field/map.py) with 30,000 open incidents spread over mainland China, as
   a dispatcher through the full Django stack: the whole country (cells), a province (cells)
   and a district (points). Goal: p95 under 200 ms each.

Its own database (``aftersales_bench_field``: created and migrated on first run), so it runs
on a fresh clone without the shared 1M-incident data set.
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import threading
import time
import uuid
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.dataset import _ensure_database, _migrate  # noqa: E402

DB_NAME = os.environ.get("BENCH_FIELD_DATABASE_NAME", "aftersales_bench_field")
JOBS = 10
SYNC_GOAL_S = 10.0
MAP_GOAL_MS = 200.0
OPEN_INCIDENTS = int(os.environ.get("BENCH_MAP_INCIDENTS", "30000"))
RUNS = int(os.environ.get("BENCH_RUNS", "20"))


def _setup() -> None:
    base = urlsplit(os.environ["DATABASE_URL"])
    url = urlunsplit(base._replace(path=f"/{DB_NAME}"))
    _ensure_database(url)
    _migrate(url)
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_ENV"] = "test"
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def _people():
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    users = get_user_model().objects
    tech, _ = users.get_or_create(username="bench-field-tech")
    tech.groups.add(Group.objects.get(name="technician"))
    desk, _ = users.get_or_create(username="bench-field-desk")
    desk.groups.add(Group.objects.get(name="dispatcher"))
    return tech, desk


def _jobs(tech) -> list:
    from django.utils import timezone

    from incidents import services
    from incidents.models import Category

    earlier = timezone.now() - timedelta(hours=2)
    category = Category.objects.filter(is_active=True).first()
    jobs = []
    for n in range(JOBS):
        incident = services.report_incident(
            actor=None,
            title=f"Bench field job {n}",
            category=category,
            grade="III",
            reported_at=earlier,
            now=earlier,
            latitude="31.230400",
            longitude="121.473700",
        )
        services.confirm_incident(incident, actor=None, now=earlier)
        services.dispatch_incident(incident, actor=None, assignee=tech, now=earlier)
        jobs.append(incident)
    return jobs


def _queue(jobs) -> list[dict]:
    from django.utils import timezone

    start = timezone.now() - timedelta(minutes=90)
    actions = []
    step = 0
    position = {"status": "ok", "latitude": 31.2309, "longitude": 121.4741, "accuracy": 15}
    for job in jobs:
        for kind, data in (
            ("arrive", {}),
            ("note", {"text": "Checked the pack"}),
            ("note", {"text": "Replaced the fuse"}),
            ("resolve", {"resolution": "Fuse replaced"}),
            ("note", {"text": "Customer satisfied"}),
        ):
            step += 1
            actions.append(
                {
                    "key": uuid.uuid4().hex,
                    "kind": kind,
                    "job": job.pk,
                    "device_at": (start + timedelta(seconds=30 * step)).isoformat(),
                    "data": data,
                    "position": position if kind in ("arrive", "resolve") else None,
                }
            )
    return actions


def _serve():
    from wsgiref.simple_server import WSGIRequestHandler, make_server

    from django.core.wsgi import get_wsgi_application

    class Quiet(WSGIRequestHandler):
        def log_message(self, *args):  # the bench prints its own figures
            pass

    server = make_server("127.0.0.1", 0, get_wsgi_application(), handler_class=Quiet)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def _phone(server, tech):
    """A requests session with the technician's session cookie and CSRF token."""
    import requests
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(tech)
    session = requests.Session()
    session.cookies.set(
        settings.SESSION_COOKIE_NAME, client.cookies[settings.SESSION_COOKIE_NAME].value
    )
    base = f"http://127.0.0.1:{server.server_port}"
    session.get(f"{base}/incidents/mine/", timeout=30).raise_for_status()
    session.headers["X-CSRFToken"] = session.cookies[settings.CSRF_COOKIE_NAME]
    return session, base


def _send(session, base, actions) -> tuple[float, list[dict]]:
    from django.utils import timezone

    started = time.perf_counter()
    response = session.post(
        f"{base}/field/sync/",
        json={"sent_at": timezone.now().isoformat(), "actions": actions},
        timeout=60,
    )
    response.raise_for_status()
    return time.perf_counter() - started, response.json()["results"]


def bench_sync() -> bool:
    from field.models import SyncedAction
    from incidents.models import EventKind, IncidentEvent

    tech, _desk = _people()
    jobs = _jobs(tech)
    actions = _queue(jobs)
    server = _serve()
    try:
        session, base = _phone(server, tech)
        first, results = _send(session, base, actions)
        again, repeated = _send(session, base, actions)
    finally:
        server.shutdown()
    ids = [j.pk for j in jobs]
    applied = sum(r["status"] == "applied" for r in results)
    replayed = sum(r["status"] == "duplicate" for r in repeated)
    rows = SyncedAction.objects.filter(incident_id__in=ids).count()
    arrivals = IncidentEvent.objects.filter(incident_id__in=ids, kind=EventKind.ARRIVED).count()
    notes = IncidentEvent.objects.filter(incident_id__in=ids, kind=EventKind.NOTE).count()
    duplicates = (rows - len(actions)) + (arrivals - JOBS) + (notes - 3 * JOBS)
    ok = first < SYNC_GOAL_S and applied == len(actions) and duplicates == 0
    print(f"  sync of {len(actions)} queued actions over loopback HTTP:")
    print(f"    first send   {first:6.2f} s  ({applied} applied)       goal < {SYNC_GOAL_S:.0f} s")
    print(f"    same again   {again:6.2f} s  ({replayed} answered as duplicates)")
    print(
        f"    duplicates   {duplicates}  ({rows} synced rows, {arrivals} arrivals, "
        f"{notes} notes for {JOBS} jobs)  goal 0   {'OK' if ok else 'MISSED'}"
    )
    return ok


def _open_incidents() -> None:
    from django.utils import timezone

    from incidents.models import Category, Incident

    have = Incident.objects.open().filter(latitude__isnull=False).count()
    if have >= OPEN_INCIDENTS:
        return
    started = time.perf_counter()
    rng = random.Random(17)  # noqa: S311 - positions, not secrets
    category = Category.objects.filter(is_active=True).first()
    now = timezone.now()
    rows = []
    for n in range(OPEN_INCIDENTS - have):
        # Dense where people are: most near a few cities, the rest anywhere in the east.
        city = rng.choice([(31.23, 121.47), (39.90, 116.40), (23.13, 113.26), (30.57, 104.07)])
        near = rng.random() < 0.7
        lat = city[0] + rng.gauss(0, 0.4) if near else rng.uniform(20, 45)
        lon = city[1] + rng.gauss(0, 0.4) if near else rng.uniform(100, 125)
        rows.append(
            Incident(
                title=f"Map bench {n}",
                category=category,
                grade=rng.choice(["I", "II", "III", "III"]),
                status=rng.choice(["reported", "confirmed", "dispatched", "on_site"]),
                reported_at=now,
                confirm_deadline=now + timedelta(minutes=30),
                arrive_deadline=now + timedelta(hours=2),
                resolve_deadline=now + timedelta(hours=8),
                next_deadline=now + timedelta(minutes=30),
                latitude=f"{lat:.6f}",
                longitude=f"{lon:.6f}",
            )
        )
    Incident.objects.bulk_create(rows, batch_size=5000)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE incidents_incident")
    print(f"  {len(rows):,} open incidents added in {time.perf_counter() - started:.1f} s")


def bench_map() -> bool:
    from django.test import Client

    from incidents.models import Incident

    _open_incidents()
    _tech, desk = _people()
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(desk)
    views = {
        "country (zoom 4, cells)": {"zoom": 4, "bbox": "73,18,135,54"},
        "province (zoom 8, cells)": {"zoom": 8, "bbox": "120.5,30.7,122.5,31.8"},
        "district (zoom 13, points)": {"zoom": 13, "bbox": "121.44,31.21,121.50,31.25"},
    }
    total = Incident.objects.open().count()
    load = os.getloadavg()[0]
    print(
        f"  map data with {total:,} open incidents, {RUNS} runs each (server time; "
        f"load average {load:.1f} on {os.cpu_count()} cores):"
    )
    ok = True
    for name, params in views.items():
        client.get("/field/map/data.json", params)  # warm-up
        times = []
        for _ in range(RUNS):
            started = time.perf_counter()
            response = client.get("/field/map/data.json", params)
            times.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                raise SystemExit(f"map data answered {response.status_code}")
        data = response.json()
        shown = len(data.get("cells") or data.get("points") or [])
        p95 = statistics.quantiles(times, n=20)[-1]
        ok = ok and p95 < MAP_GOAL_MS
        print(
            f"    {name:28} p50 {statistics.median(times):6.1f} ms  p95 {p95:6.1f} ms  "
            f"({shown} rows)  goal p95 < {MAP_GOAL_MS:.0f} ms  "
            f"{'OK' if p95 < MAP_GOAL_MS else 'MISSED'}"
        )
    return ok


def main() -> int:
    _setup()
    ok = bench_sync()
    ok = bench_map() and ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
