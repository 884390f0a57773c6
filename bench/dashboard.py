"""Dashboard bench: render time (median, p95) and query count of the live escalation
dashboard with 1,000,000 incidents on file (the escalation bench's database, built by
bench/dataset.py by COPY; about 3% open, some overdue and escalated). Goal: p95 < 150 ms.

Requests go through Django's test client in this process (the full middleware, template
and context-processor stack, no network).
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.dataset import ensure_incidents  # noqa: E402
from bench.escalation import N_INCIDENTS, bench_url, make_org, setup_django  # noqa: E402

REQUESTS = int(os.environ.get("BENCH_DASHBOARD_REQUESTS", "60"))


def main() -> None:
    url = bench_url()
    total = ensure_incidents(url, N_INCIDENTS)
    setup_django(url)
    make_org()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from incidents.models import Incident

    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    from django.conf import settings

    settings.ALLOWED_HOSTS = ["testserver", "127.0.0.1"]
    manager = get_user_model().objects.get_or_create(
        username="bench-manager", defaults={"is_superuser": True, "is_staff": True}
    )[0]
    client = Client()
    client.force_login(manager)
    open_n = Incident.objects.filter(next_deadline__isnull=False).count()
    for _ in range(5):  # warm up caches, URL resolvers, templates
        client.get("/dashboard/")
    timings = []
    for n in range(REQUESTS):
        headers = {"HTTP_HX_REQUEST": "true"} if n % 2 else {}
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/dashboard/", **headers)
        timings.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"dashboard answered {response.status_code}")
    timings.sort()
    p95 = timings[int(len(timings) * 0.95) - 1]
    print(
        f"dashboard with {total:,} incidents ({open_n:,} open): "
        f"median {statistics.median(timings):.1f} ms, p95 {p95:.1f} ms, "
        f"max {timings[-1]:.1f} ms over {REQUESTS} requests (full page and HTMX poll "
        f"alternating), {len(queries)} queries per request"
    )


if __name__ == "__main__":
    main()
