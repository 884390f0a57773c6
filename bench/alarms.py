"""Alarm ingest bench: 10,000 telematics alarms from 1,000 vehicles in one minute.

On a database of its own (``aftersales_bench_alarms``, created and migrated afresh; the
1,000 vehicles written by COPY), gunicorn with 2 sync workers, the load generator in this
process (127.0.0.1 only, a fixed time). Goals: exactly 1,000 incidents (one per vehicle and
alarm type however often it repeats), ingest p95 < 50 ms. Then the throughput of repeats
at full speed against the floor (bench/_floor.py: a bare view inserting one row), printed
as a ratio, the way bench/api.py measures incident creation.

BENCH_ALARMS (10000), BENCH_ALARM_VEHICLES (1000), BENCH_ALARM_SECONDS (60),
BENCH_CONCURRENCY (8 for the paced minute; 4 for the floor and the full-speed phase).
"""

from __future__ import annotations

import json
import os
import random
import statistics
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.api import free_port, load, request, summary  # noqa: E402

DB_NAME = "aftersales_bench_alarms"
N_ALARMS = int(os.environ.get("BENCH_ALARMS", "10000"))
N_VEHICLES = int(os.environ.get("BENCH_ALARM_VEHICLES", "1000"))
SECONDS = float(os.environ.get("BENCH_ALARM_SECONDS", "60"))
PACED_THREADS = int(os.environ.get("BENCH_CONCURRENCY", "8"))
FULL_SPEED_SECONDS = 5.0
HOST = "127.0.0.1"

# ISO 3779 check digit (as vehicles/vin.py; repeated here so the bench needs no Django).
_VALUES = {
    **{str(d): d for d in range(10)},
    **dict(zip("ABCDEFGH", range(1, 9), strict=True)),
    **dict(zip("JKLMN", range(1, 6), strict=True)),
    "P": 7,
    "R": 9,
    **dict(zip("STUVWXYZ", range(2, 10), strict=True)),
}
_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)


def vin(n: int) -> str:
    body = f"LBENCH0X0RA{n:06d}"
    total = sum(_VALUES[c] * w for c, w in zip(body, _WEIGHTS, strict=True))
    return body[:8] + ("X" if total % 11 == 10 else str(total % 11)) + body[9:]


def database_url() -> str:
    base = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(base._replace(path=f"/{DB_NAME}"))


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


def fresh_database(env: dict) -> float:
    started = time.perf_counter()
    with psycopg.connect(os.environ["DATABASE_URL"], autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DB_NAME}"')
    done = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    if done.returncode:
        raise SystemExit(done.stdout + done.stderr)
    return time.perf_counter() - started


def copy_vehicles(url: str) -> float:
    """The vehicles, by COPY (one statement), and the platform's user."""
    started = time.perf_counter()
    with psycopg.connect(url) as conn:
        model = conn.execute(
            "INSERT INTO vehicles_vehiclemodel (code, name, name_zh, powertrain,"
            " warranty_months, warranty_km, sanbao_months, sanbao_km)"
            " VALUES ('bench-ev', 'Bench EV', '', 'nev', 36, 60000, 24, 50000) RETURNING id"
        ).fetchone()[0]
        columns = "vin, model_id, battery_serial, production_batch, owner_name, created_at"
        with (
            conn.cursor() as cur,
            cur.copy(f"COPY vehicles_vehicle ({columns}) FROM STDIN") as copy,
        ):
            now = datetime.now(UTC)
            for n in range(N_VEHICLES):
                copy.write_row((vin(n), model, f"PACK{n:06d}", "B2026-01", "", now))
    return time.perf_counter() - started


def platform_key(env: dict) -> str:
    code = (
        "from django.contrib.auth.models import Group, User\n"
        "u, _ = User.objects.get_or_create(username='bench-platform')\n"
        "u.groups.add(Group.objects.get(name='integration'))\n"
    )
    subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code], env=env, cwd=ROOT, check=True
    )
    return subprocess.run(
        [sys.executable, "manage.py", "create_api_token", "bench-platform", "--expires-days", "1"],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()


def bodies() -> list[bytes]:
    """N_ALARMS alarms, N_ALARMS / N_VEHICLES per vehicle, in a shuffled order (first
    alarms and repeats mixed as a platform would send them)."""
    rng = random.Random(32960)  # noqa: S311 - bench data
    order = [n % N_VEHICLES for n in range(N_ALARMS)]
    rng.shuffle(order)
    at = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
    return [
        json.dumps(
            {
                "vin": vin(v),
                "level": 3,
                "alarm_types": ["battery_high_temp"],
                "occurred_at": (at + timedelta(milliseconds=i)).isoformat(),
                "latitude": 31.2 + v / 10000,
                "longitude": 121.4,
                "data_window": {"max_cell_temp_c": [58, 61, 66], "soc": 81},
            }
        ).encode()
        for i, v in enumerate(order)
    ]


def paced(port: int, headers: dict, payloads: list[bytes]) -> tuple[list, list, float]:
    """Send alarm i at start + i * SECONDS / N (threads share the schedule)."""
    latencies, errors = [], []
    lock = threading.Lock()
    gap = SECONDS / len(payloads)
    start = time.perf_counter() + 0.2

    def worker(k: int) -> None:
        for i in range(k, len(payloads), PACED_THREADS):
            wait = start + i * gap - time.perf_counter()
            if wait > 0:
                time.sleep(wait)
            status, elapsed = request(port, "POST", "/api/v1/alarms/", headers, payloads[i])
            with lock:
                (latencies if status == 202 else errors).append(
                    elapsed if status == 202 else status
                )

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(PACED_THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, errors, time.perf_counter() - start


def counts(url: str) -> tuple[int, int, int, int]:
    with psycopg.connect(url) as conn:
        return conn.execute(
            # The floor's rows are incidents too: count the vehicles' ones.
            "SELECT (SELECT count(*) FROM incidents_incident WHERE asset_ref LIKE 'LBENCH%%'),"
            " (SELECT count(*) FROM regulatory_alarm),"
            " (SELECT count(*) FROM regulatory_alarmcase),"
            " (SELECT coalesce(sum(count), 0) FROM regulatory_alarmcase)"
        ).fetchone()


def main() -> None:
    url = database_url()
    env = django_env(url)
    print(f"database {DB_NAME} migrated afresh in {fresh_database(env):.0f} s")
    print(f"{N_VEHICLES:,} vehicles by COPY in {copy_vehicles(url) * 1000:.0f} ms")
    key = platform_key(env)
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
        payloads = bodies()
        floor_body = json.dumps({"title": "Bench floor", "grade": "III"}).encode()
        print(
            f"gunicorn 2 workers; {len(payloads):,} alarms from {N_VEHICLES:,} vehicles "
            f"paced over {SECONDS:.0f} s by {PACED_THREADS} client threads"
        )
        lat, err, el = paced(port, auth, payloads)
        summary("POST /api/v1/alarms/ (paced)", lat, err, el)
        incidents, alarms, cases, counted = counts(url)
        exact = incidents == N_VEHICLES and alarms == len(payloads) == counted
        print(
            f"  incidents {incidents:,} (goal exactly {N_VEHICLES:,}: "
            f"{'met' if incidents == N_VEHICLES else 'MISSED'}), alarms recorded {alarms:,}, "
            f"counted on {cases:,} keys {counted:,}{'' if exact else '  MISMATCH'}"
        )
        p95 = statistics.quantiles(lat, n=100)[94] if len(lat) > 1 else float("inf")
        print(f"  ingest p95 goal < 50 ms: {'met' if p95 < 0.05 else 'MISSED'}")
        # Full speed: the floor and repeats (every key is open now) alternate.
        repeats = payloads[:500]
        load(port, "POST", ["/bench/floor/"], auth, floor_body, 1, 4)  # warm up
        runs: dict[str, list] = {"floor": [[], [], 0.0], "alarms": [[], [], 0.0]}
        for _round in range(2):
            for name, path, body in (
                ("floor", "/bench/floor/", floor_body),
                ("alarms", "/api/v1/alarms/", repeats[_round]),
            ):
                lat, err, el = load(port, "POST", [path], auth, body, FULL_SPEED_SECONDS, 4)
                runs[name][0].extend(lat)
                runs[name][1].extend(err)
                runs[name][2] += el
        floor = summary("floor (bare view, 1 INSERT)", *runs["floor"])
        rate = summary("POST /api/v1/alarms/ (repeats)", *runs["alarms"])
        print(f"  alarm throughput = {rate / floor * 100:.0f}% of the incident-creation floor")
    finally:
        server.terminate()
        server.wait(10)


if __name__ == "__main__":
    main()
