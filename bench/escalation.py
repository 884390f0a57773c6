"""Escalation bench: sweep cost at 1,000 / 10,000 / 100,000 due steps with 1,000,000
incidents on file, and the lateness of escalation (fired minus due, p50/p99) while 10,000
steps fall due within one minute, driven by a real Celery worker and beat; and the
sweep's throughput against a floor: a bare COPY of the rows it wrote (fires, escalated
events, notifications) into tables like theirs, on the same database in the same run.

Runs against its own database (``aftersales_bench_escalation``, built by bench/dataset.py by
COPY) because it flips incidents open and writes escalation rows. Goals: 10,000 due steps
swept in under 5 s; lateness p99 under 5 s; sweep time at least half the floor's speed
(floor seconds / sweep seconds >= 0.5).
"""

from __future__ import annotations

import os
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.dataset import ensure_incidents  # noqa: E402

N_INCIDENTS = int(os.environ.get("BENCH_INCIDENTS", "1000000"))
SIZES = [int(s) for s in os.environ.get("BENCH_SWEEP_SIZES", "1000,10000,100000").split(",")]
LATENESS_STEPS = int(os.environ.get("BENCH_LATENESS_STEPS", "10000"))
DB_NAME = os.environ.get("BENCH_ESCALATION_DB", "aftersales_bench_escalation")
BROKER = os.environ.get("BENCH_BROKER_URL", "redis://127.0.0.1:56379/11")


def bench_url() -> str:
    base = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(base._replace(path=f"/{DB_NAME}"))


def setup_django(url: str) -> None:
    os.environ.update(
        {
            "DATABASE_URL": url,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DJANGO_ENV": "development",
            "DEBUG": "false",
            "LOG_LEVEL": "WARNING",
            "CELERY_BROKER_URL": BROKER,
        }
    )
    import django

    django.setup()


def make_org() -> None:
    """HQ (commander, two deputies), a technical-support leader and a dispatcher on duty, so
    each step tells real people on two channels, as in production."""
    from datetime import timedelta

    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from teams.models import DutyShift, Membership, Team

    user_model = get_user_model()

    def user(name):
        return user_model.objects.get_or_create(
            username=f"bench-{name}",
            defaults={"email": f"{name}@example.com", "first_name": name.title()},
        )[0]

    hq = Team.objects.get_or_create(slug="bench-hq", defaults={"name": "HQ", "kind": "hq"})[0]
    tech = Team.objects.get_or_create(
        slug="bench-tech", defaults={"name": "Tech support", "kind": "tech_support"}
    )[0]
    for team, name, role in (
        (hq, "commander", "leader"),
        (hq, "deputy1", "deputy"),
        (hq, "deputy2", "deputy"),
        (tech, "tech-leader", "leader"),
    ):
        Membership.objects.get_or_create(team=team, user=user(name), defaults={"role": role})
    now = timezone.now()
    if not DutyShift.objects.on_duty(now + timedelta(hours=1), kind="dispatch").exists():
        DutyShift.objects.create(
            user=user("dispatcher"),
            kind="dispatch",
            starts_at=now - timedelta(hours=1),
            ends_at=now + timedelta(days=2),
        )


def reset(conn) -> None:
    """Remove what the previous run wrote and close the incidents it opened."""
    with conn.cursor() as cur:
        cur.execute(
            "TRUNCATE escalation_escalationfire, escalation_escalationstate,"
            " notifications_deliveryattempt, notifications_notification"
        )
        cur.execute("DELETE FROM incidents_incidentevent WHERE kind IN ('escalated','notified')")
        cur.execute(
            "UPDATE incidents_incident SET status = 'closed', next_deadline = NULL,"
            " escalation_level = 0 WHERE title = 'Bench escalation'"
        )
        cur.execute("VACUUM ANALYZE escalation_escalationstate")


def make_due(conn, n: int, *, due_from: float, due_to: float) -> None:
    """Open ``n`` closed incidents and give each a confirm clock whose first step falls due
    between ``due_from`` and ``due_to`` seconds from now, spread evenly."""
    import json

    from escalation.services import chain_for

    snapshot = json.dumps(chain_for("III", "confirm")[1])
    with conn.cursor() as cur:
        cur.execute(
            """WITH picked AS (
                   SELECT id, row_number() OVER (ORDER BY id) AS rn FROM incidents_incident
                   WHERE status = 'closed' ORDER BY id LIMIT %s),
               upd AS (
                   UPDATE incidents_incident i SET status = 'reported',
                       title = 'Bench escalation', escalation_level = 0,
                       confirm_deadline = now() + make_interval(
                           secs => %s + (%s - %s) * p.rn / %s),
                       next_deadline = now() + make_interval(secs => %s + (%s - %s) * p.rn / %s)
                   FROM picked p WHERE i.id = p.id RETURNING i.id, i.confirm_deadline)
               INSERT INTO escalation_escalationstate (incident_id, target, snapshot, deadline,
                   started_at, next_seq, next_due_at, fired_count, end_reason)
               SELECT id, 'confirm', %s::jsonb, confirm_deadline, now(), 1, confirm_deadline,
                      0, '' FROM upd""",
            [n, due_from, due_to, due_from, n, due_from, due_to, due_from, n, snapshot],
        )
        cur.execute("ANALYZE escalation_escalationstate")


def sweep_sizes(conn) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from escalation.services import escalate_due
    from notifications.messages import incident_url

    incident_url(1)  # a running worker has its URLconf loaded; do not time the import
    for n in SIZES:
        reset(conn)
        make_due(conn, n, due_from=-120, due_to=-60)
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            fired = escalate_due()
        elapsed = time.perf_counter() - started
        if fired != n:
            raise SystemExit(f"fired {fired} of {n} due steps")
        notes = conn.execute("SELECT count(*) FROM notifications_notification").fetchone()[0]
        print(
            f"sweep {n:>7,} due steps: {elapsed:7.2f} s, {len(queries):>5} queries "
            f"({len(queries) / n:.3f}/step), {notes:,} notifications written, "
            f"{n / elapsed:,.0f} steps/s"
        )
        floor, rows = copy_floor(conn)
        print(
            f"  floor: COPY of the same {sum(rows.values()):,} rows "
            f"({', '.join(f'{k} {v:,}' for k, v in rows.items())}): {floor:.2f} s; "
            f"sweep/floor throughput ratio {floor / elapsed:.2f} (goal >= 0.5)"
        )


# The rows a sweep writes, by table, and which of them it wrote (after ``reset``).
SWEPT_ROWS = {
    "fires": ("escalation_escalationfire", "TRUE"),
    "events": ("incidents_incidentevent", "kind = 'escalated'"),
    "notifications": ("notifications_notification", "TRUE"),
}


def copy_floor(conn) -> tuple[float, dict[str, int]]:
    """Seconds to COPY the rows the sweep just wrote into tables like theirs (same columns,
    indexes and constraints, logged, no foreign keys or triggers) in one committed
    transaction: the fastest the same rows can be written. Returns (seconds, rows per kind).
    The tables are dropped afterwards."""
    data, rows = {}, {}
    with conn.cursor() as cur:
        for kind, (table, where) in SWEPT_ROWS.items():
            sql = f"COPY (SELECT * FROM {table} WHERE {where}) TO STDOUT"  # noqa: S608 - constants
            with cur.copy(sql) as copy:
                data[kind] = b"".join(bytes(block) for block in copy)
            rows[kind] = data[kind].count(b"\n")
            cur.execute(f"DROP TABLE IF EXISTS floor_{kind}")
            cur.execute(f"CREATE TABLE floor_{kind} (LIKE {table} INCLUDING ALL)")
    try:
        started = time.perf_counter()
        with conn.transaction(), conn.cursor() as cur:
            for kind in SWEPT_ROWS:
                with cur.copy(f"COPY floor_{kind} FROM STDIN") as copy:
                    copy.write(data[kind])
        return time.perf_counter() - started, rows
    finally:
        with conn.cursor() as cur:
            for kind in SWEPT_ROWS:
                cur.execute(f"DROP TABLE IF EXISTS floor_{kind}")


def lateness(conn, tmp: Path) -> None:
    """10,000 steps due within one minute; a real worker and beat fire them."""
    reset(conn)
    make_due(conn, LATENESS_STEPS, due_from=15, due_to=75)
    env = {
        **os.environ,
        "CELERY_BROKER_URL": BROKER,
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        "VAR_DIR": str(tmp),
    }
    import redis

    redis.Redis.from_url(BROKER).flushdb()
    celery = str(Path(sys.executable).parent / "celery")
    procs = [
        subprocess.Popen(
            [
                celery,
                "-A",
                "config",
                "worker",
                "-l",
                "warning",
                "--concurrency",
                "2",
                "-Q",
                "celery,escalation",  # both queues (config/celery.py routes the sweep)
                "-n",
                "bench@%h",
                "--without-mingle",
                "--without-gossip",
            ],
            cwd=ROOT,
            env=env,
            start_new_session=True,
            stdout=open(tmp / "worker.log", "wb"),
            stderr=subprocess.STDOUT,
        ),
        subprocess.Popen(
            [
                celery,
                "-A",
                "config",
                "beat",
                "-l",
                "warning",
                "-s",
                str(tmp / "beat-schedule"),
            ],
            cwd=ROOT,
            env=env,
            start_new_session=True,
            stdout=open(tmp / "beat.log", "wb"),
            stderr=subprocess.STDOUT,
        ),
    ]
    try:
        deadline = time.monotonic() + 240
        fired = 0
        while time.monotonic() < deadline:
            fired = conn.execute("SELECT count(*) FROM escalation_escalationfire").fetchone()[0]
            if fired >= LATENESS_STEPS:
                break
            time.sleep(1)
    finally:
        for proc in procs:
            os.killpg(proc.pid, signal.SIGTERM)
        for proc in procs:
            proc.wait(timeout=60)
    late = sorted(
        r[0]
        for r in conn.execute(
            "SELECT extract(epoch FROM fired_at - due_at) FROM escalation_escalationfire"
        )
    )
    dupes = conn.execute(
        "SELECT count(*) - count(DISTINCT (state_id, seq)) FROM escalation_escalationfire"
    ).fetchone()[0]
    p50 = statistics.median(late)
    p99 = late[int(len(late) * 0.99) - 1]
    print(
        f"lateness, {len(late):,} of {LATENESS_STEPS:,} steps due within one minute "
        f"(worker + beat, sweep every {os.environ.get('ESCALATION_SWEEP_SECONDS', '2')} s): "
        f"p50 {p50:.2f} s, p99 {p99:.2f} s, max {late[-1]:.2f} s, duplicates {dupes}"
    )


def main() -> None:
    import tempfile

    import psycopg

    url = bench_url()
    started = time.perf_counter()
    total = ensure_incidents(url, N_INCIDENTS)
    print(
        f"data set: {total:,} incidents in {DB_NAME} "
        f"(ready in {time.perf_counter() - started:.1f} s)"
    )
    setup_django(url)
    make_org()
    with psycopg.connect(url, autocommit=True) as conn:
        sweep_sizes(conn)
        with tempfile.TemporaryDirectory() as tmp:
            lateness(conn, Path(tmp))
        reset(conn)


if __name__ == "__main__":
    main()
