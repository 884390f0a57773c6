"""API bench: POST /api/v1/incidents/ against the floor, and filtered list p95 at 1M rows.

gunicorn (2 sync workers) on PostgreSQL (the bench database of bench/dataset.py) and the
Redis cache; the load generator is in this process, targets only 127.0.0.1 and stops after
a fixed time. Goals: creation throughput ≥ 60% of the floor's; list p95 < 50 ms.
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.dataset import bench_database_url, ensure_incidents  # noqa: E402

N_INCIDENTS = int(os.environ.get("BENCH_INCIDENTS", "1000000"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "5"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "4"))
HOST = "127.0.0.1"
BODY = {
    "title": "Bench: bus will not start",
    "category": "product-quality",
    "grade": "III",
    "customer_name": "Li Na",
    "asset_ref": "LSVAU2180N2000777",
}
LIST_QUERIES = [
    "status=reported",
    "status=dispatched&grade=I",
    "grade=II&ordering=-reported_at",
    "overdue=true",
    "escalated=true",
    "category=safety-accident&page=2",
    "reported_after=2026-01-01T00:00:00Z&reported_before=2026-02-01T00:00:00Z",
    "status=closed&page_size=200",
    "team={team}",
    "assignee={user}&page=3",
    "ordering=confirm_deadline&status=reported",
]
# Measured once and reported apart: IncidentFilterSet.filter_search ORs icontains over title
# and customer, which no index serves (a sequential scan at 1M rows).
SEARCH_QUERY = "search=LSVAU2180N0500000"


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def django_env(url: str) -> dict:
    return {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "bench._settings",
        "DJANGO_ENV": "development",
        "DEBUG": "false",
        "LOG_LEVEL": "WARNING",
        "API_THROTTLE_KEY_RATE": "off",
        "PYTHONPATH": str(ROOT),
    }


def setup_key(env: dict) -> tuple[str, int, int]:
    """A dispatcher with a key (made with create_api_token); a team and a technician id."""
    code = (
        "from django.contrib.auth.models import Group, User\n"
        "u, _ = User.objects.get_or_create(username='bench-dispatcher')\n"
        "u.groups.add(Group.objects.get(name='dispatcher'))\n"
        "from teams.models import Team\n"
        "team = Team.objects.filter(slug='bench-centre-1').values_list('id', flat=True)[0]\n"
        "print('BENCH', team)\n"
        "print('BENCH', User.objects.get(username='bench-tech-3').pk)\n"
    )
    out = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.splitlines()
    out = [line.split()[1] for line in out if line.startswith("BENCH ")]
    key = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "create_api_token",
            "bench-dispatcher",
            "--expires-days",
            "1",
        ],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    return key, int(out[0]), int(out[1])


def request(port: int, method: str, path: str, headers: dict, body: bytes | None):
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    started = time.perf_counter()
    conn.request(method, path, body=body, headers=headers)
    response = conn.getresponse()
    response.read()
    conn.close()
    return response.status, time.perf_counter() - started


def load(port, method, paths, headers, body, seconds, concurrency):
    latencies, errors = [], []
    deadline = time.perf_counter() + seconds
    lock = threading.Lock()

    def worker(n):
        i = n
        while time.perf_counter() < deadline:
            status, elapsed = request(port, method, paths[i % len(paths)], headers, body)
            i += concurrency
            with lock:
                (latencies if status < 400 else errors).append(elapsed if status < 400 else status)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(concurrency)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, errors, time.perf_counter() - started


def summary(name, latencies, errors, elapsed) -> float:
    q = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0] * 99
    rps = len(latencies) / elapsed
    print(
        f"  {name:<34} {rps:8.1f} req/s   p50 {q[49] * 1000:6.1f} ms   "
        f"p95 {q[94] * 1000:6.1f} ms   ({len(latencies)} ok, {len(errors)} errors"
        f"{' ' + str(sorted(set(errors))) if errors else ''})"
    )
    return rps


def purge_created(url: str) -> int:
    """Delete the incidents the creation runs made (they all carry BODY's title), with the
    rows that point at them, so the list is measured on the data set alone: thousands of
    new Level III reports on top of ``-reported_at`` would slow every other filter."""
    refs = """
        SELECT t.relname, a.attname FROM pg_constraint c
        JOIN pg_class t ON t.oid = c.conrelid
        JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
        WHERE c.contype = 'f' AND c.confrelid = 'incidents_incident'::regclass
    """
    delete = sql.SQL(
        "DELETE FROM {} WHERE {} IN (SELECT id FROM incidents_incident WHERE title = %s)"
    )
    with psycopg.connect(url, autocommit=True) as conn:
        with conn.transaction():
            for table, column in conn.execute(refs).fetchall():
                query = delete.format(sql.Identifier(table), sql.Identifier(column))
                conn.execute(query, [BODY["title"]])
            n = conn.execute(
                "DELETE FROM incidents_incident WHERE title = %s", [BODY["title"]]
            ).rowcount
        conn.execute("VACUUM ANALYZE incidents_incident")
    return n


def count_create_statements(env: dict) -> str:
    code = (
        "import json\n"
        "from django.db import connection\n"
        "from django.test import Client\n"
        "from django.test.utils import CaptureQueriesContext\n"
        "from django.contrib.auth.models import User\n"
        "from accounts.services import create_api_key\n"
        "_, raw = create_api_key(User.objects.get(username='bench-dispatcher'), name='count')\n"
        "c = Client(HTTP_AUTHORIZATION='Token ' + raw)\n"
        f"body = json.dumps({BODY!r})\n"
        "c.post('/api/v1/incidents/', body, content_type='application/json')\n"
        "with CaptureQueriesContext(connection) as ctx:\n"
        "    c.post('/api/v1/incidents/', body, content_type='application/json')\n"
        "print('SQL statements per create request:', len(ctx.captured_queries))\n"
        "for q in ctx.captured_queries: print('   ', q['sql'][:110])\n"
    )
    out = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        env={**env, "ALLOWED_HOSTS": "testserver"},
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return out[out.index("SQL statements") :]


def main() -> None:
    url = bench_database_url()
    started = time.perf_counter()
    # The database first (a fresh clone has none), then what an interrupted run left.
    total = ensure_incidents(url, N_INCIDENTS)
    if purged := purge_created(url):
        print(f"  (removed {purged:,} incidents an interrupted run created)")
    print(f"data set: {total:,} incidents ({time.perf_counter() - started:.1f} s to ensure)")
    env = django_env(url)
    key, team, user = setup_key(env)
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi",
            "-w",
            "2",
            "-b",
            f"{HOST}:{port}",
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=ROOT,
    )
    try:
        for _ in range(100):
            try:
                request(port, "GET", "/healthz", {}, None)
                break
            except OSError:
                time.sleep(0.1)
        auth = {"Authorization": f"Token {key}", "Content-Type": "application/json"}
        body = json.dumps(BODY).encode()
        print(
            f"gunicorn 2 workers, {CONCURRENCY} client threads; floor and API alternate, "
            f"{ROUNDS} rounds of {SECONDS:.0f} s each"
        )
        load(port, "POST", ["/bench/floor/"], auth, body, 1, CONCURRENCY)  # warm up
        load(port, "POST", ["/api/v1/incidents/"], auth, body, 1, CONCURRENCY)
        # Alternating cancels the machine's drift (other tenants, CPU frequency) out of the
        # ratio; each side's figures are over all of its rounds.
        runs = {"floor": [[], [], 0.0], "api": [[], [], 0.0]}
        for n in range(ROUNDS):
            for name, path in (("floor", "/bench/floor/"), ("api", "/api/v1/incidents/")):
                lat, err, el = load(port, "POST", [path], auth, body, SECONDS, CONCURRENCY)
                runs[name][0].extend(lat)
                runs[name][1].extend(err)
                runs[name][2] += el
                runs[name].append(len(lat) / el)
            print(
                f"    round {n + 1}: {runs['api'][-1] / runs['floor'][-1] * 100:.0f}% of the floor"
            )
        floor = summary("floor (bare view, 1 INSERT)", *runs["floor"][:3])
        api = summary("POST /api/v1/incidents/", *runs["api"][:3])
        print(f"  creation throughput = {api / floor * 100:.0f}% of the floor (goal ≥ 60%)")
        print(f"  (removed the {purge_created(url):,} incidents the runs created)")
        paths = [f"/api/v1/incidents/?{q.format(team=team, user=user)}" for q in LIST_QUERIES]
        get_auth = {"Authorization": f"Token {key}"}
        load(port, "GET", paths, get_auth, None, 2, 2)  # warm the caches
        for p in [*paths, f"/api/v1/incidents/?{SEARCH_QUERY}"]:
            status, elapsed = request(port, "GET", p, get_auth, None)
            print(f"    {status} {elapsed * 1000:7.1f} ms  {p}")
        lat, err, el = load(port, "GET", paths, get_auth, None, SECONDS * 2, 2)
        summary(f"GET list ({len(paths)} filter mixes)", lat, err, el)
        met = statistics.quantiles(lat, n=100)[94] < 0.05
        print(f"  list p95 goal < 50 ms: {'met' if met else 'MISSED'}")
    finally:
        server.terminate()
        server.wait(10)
    print(count_create_statements(env))


if __name__ == "__main__":
    main()
