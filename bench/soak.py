"""Soak bench: escalation lateness during a burst of reports with webhooks subscribed, and
the catch-up after a broker outage, on the production topology as local processes.

The stack of the soak (tests/integration/test_soak.py, tests/integration/chaos.py): two web
processes, two escalation workers, two delivery workers, two beats holding the lease, under
scripts/run.sh with SCALE, on a database of its own (``aftersales_bench_soak``, created and
migrated afresh each run) and a Redis server of its own (the broker, stopped for the outage).
Seven integration webhooks on a receiver at 127.0.0.1 are subscribed to every event.

1. Burst: BENCH_SOAK_REPORTS (2,000) reports posted through the API in BENCH_SOAK_SECONDS
   (20) by 8 clients; each report's confirm deadline falls 5 s after it is posted, so its
   first escalation step comes due during the burst. Printed: the rate reached, and the
   lateness (fired - due) of those steps, p50/p99/max. Goal: p99 <= 5 s.
2. Outage: reports whose first step falls due while the broker is down for
   BENCH_SOAK_OUTAGE_SECONDS (60). Printed: how long after the broker's return each fired
   (catch-up). Goal: every one within 10 s.

The sweep's throughput against a bare COPY of the same rows is printed by
bench/escalation.py (same database, same run). Nothing here is asserted: it prints.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.integration.chaos import (  # noqa: E402
    SCALE,
    Receiver,
    RedisServer,
    percentile,
    procfile,
)
from tests.integration.stack import Stack, free_port, get_json, wait_for  # noqa: E402

DB_NAME = os.environ.get("BENCH_SOAK_DB", "aftersales_bench_soak")
CACHE = os.environ.get("BENCH_SOAK_CACHE_URL", "redis://127.0.0.1:56379/12")
REPORTS = int(os.environ.get("BENCH_SOAK_REPORTS", "2000"))
SECONDS = float(os.environ.get("BENCH_SOAK_SECONDS", "20"))
CLIENTS = 8
WEBHOOKS = 7
LEAD = 5.0  # a burst report's first step falls due this long after it is posted
OUTAGE_SECONDS = float(os.environ.get("BENCH_SOAK_OUTAGE_SECONDS", "60"))
OUTAGE_REPORTS = int(os.environ.get("BENCH_SOAK_OUTAGE_REPORTS", "300"))
PHASES = os.environ.get("BENCH_SOAK_PHASES", "burst,outage").split(",")


def database_url() -> str:
    base = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(base._replace(path=f"/{DB_NAME}"))


def fresh_database(url: str, env: dict) -> float:
    import psycopg

    started = time.perf_counter()
    with psycopg.connect(os.environ["DATABASE_URL"], autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DB_NAME}"')
    done = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    if done.returncode:
        raise SystemExit(done.stdout + done.stderr)
    return time.perf_counter() - started


def setup_django(env: dict) -> None:
    os.environ.update(env)
    import django

    django.setup()


def prepare(receiver: Receiver) -> tuple[str, int]:
    """People, a desk API key, seven integrations subscribed to everything, and a grade III
    confirm chain of one step at the deadline (the bench measures that step)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from accounts.services import create_api_key
    from bench.escalation import make_org
    from escalation.models import EscalationChain, EscalationStep
    from incidents.services.rules import policy_for
    from notifications.models import WebhookEndpoint

    make_org()
    desk = get_user_model().objects.get(username="bench-dispatcher")
    desk.groups.add(Group.objects.get(name="dispatcher"))
    _key, raw = create_api_key(desk, name="bench-soak")
    for n in range(1, WEBHOOKS + 1):
        WebhookEndpoint.objects.create(
            name=f"bench-{n}",
            url=f"{receiver.url}/hook/{n}",
            secret="bench",  # noqa: S106 - a test receiver
            events=["created", "changed", "escalated", "resolved"],
        )
    EscalationStep.objects.filter(
        chain__grade="III", chain__target="confirm", position__gt=1
    ).delete()
    EscalationChain.objects.filter(grade="III", target="confirm").update(repeat_every_minutes=None)
    return raw, policy_for("III").confirm_minutes


class Client:
    def __init__(self, url: str, key: str, confirm_minutes: int):
        self.url, self.key, self.confirm_minutes = url, key, confirm_minutes
        self.accepted: list[int] = []
        self.failed = 0
        self.lock = threading.Lock()

    def post(self, session, due_at: datetime) -> None:
        import requests

        key = uuid.uuid4().hex
        body = {
            "title": "Bench soak: bus will not start",
            "category": "product-quality",
            "grade": "III",
            "customer_name": "Li Na",
            "external_ref": key,
            "reported_at": (due_at - timedelta(minutes=self.confirm_minutes)).isoformat(),
        }
        headers = {"Authorization": f"Token {self.key}", "Idempotency-Key": key}
        for _attempt in range(3):
            try:
                answer = session.post(
                    f"{self.url}/api/v1/incidents/", json=body, headers=headers, timeout=30
                )
            except requests.RequestException:
                continue
            if answer.status_code == 201:
                with self.lock:
                    self.accepted.append(answer.json()["id"])
                return
        with self.lock:
            self.failed += 1

    def burst(self, n: int, seconds: float, lead: float) -> float:
        """Post ``n`` reports over ``seconds`` from CLIENTS threads, each due ``lead`` s after
        posting. Returns the seconds it took."""
        import requests

        started = time.monotonic()

        def run(share: int):
            session = requests.Session()
            for i in range(share):
                time.sleep(max(0.0, started + i * seconds / share - time.monotonic()))
                self.post(session, datetime.now(UTC) + timedelta(seconds=lead))

        shares = [n // CLIENTS + (1 if i < n % CLIENTS else 0) for i in range(CLIENTS)]
        threads = [threading.Thread(target=run, args=(s,)) for s in shares]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return time.monotonic() - started


def fires(ids: list[int]) -> list[tuple[datetime, datetime]]:
    from escalation.models import EscalationFire

    return list(
        EscalationFire.objects.filter(incident_id__in=ids, outcome="fired").values_list(
            "due_at", "fired_at"
        )
    )


def wait_fired(ids: list[int], timeout: float) -> list[tuple[datetime, datetime]]:
    wait_for(lambda: len(fires(ids)) >= len(ids), timeout, interval=1)
    return fires(ids)


def warm_up(client: Client, receiver: Receiver, stack: Stack) -> None:
    """Every kind of process answers: a probe report is stored (web), its webhooks arrive
    (delivery worker) and a sweep has completed (beat and escalation worker)."""
    import requests

    from escalation.models import SweepRun

    started = datetime.now(UTC)
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline and not client.accepted:
        client.post(requests.Session(), started)
    up = wait_for(
        lambda: receiver.counts() and SweepRun.objects.filter(finished_at__gt=started).exists(),
        max(1.0, deadline - time.monotonic()),
        interval=1,
    )
    if not (client.accepted and up):
        raise SystemExit("the stack did not come up:\n" + stack.output.text()[-5000:])
    client.accepted.clear()


def burst_phase(client: Client) -> None:
    took = client.burst(REPORTS, SECONDS, LEAD)
    ids = list(client.accepted)
    done = wait_fired(ids, 300)
    late = [(f - d).total_seconds() for d, f in done]
    print(
        f"burst: {len(ids):,} reports accepted in {took:.1f} s ({len(ids) / took:,.0f}/s, "
        f"{client.failed} failed), {WEBHOOKS} webhooks subscribed; {len(done):,} first steps "
        f"fired; lateness p50 {statistics.median(late):.2f} s, p99 "
        f"{percentile(late, 0.99):.2f} s, max {max(late):.2f} s (goal: p99 <= 5 s)"
    )


def outage_phase(client: Client, broker: RedisServer) -> None:
    """Reports whose first step falls due while the broker is down; how soon after it is
    back each one fires."""
    client.accepted.clear()
    # Posted due in ten minutes; once all are in, their deadlines are moved into the
    # outage (as bench/escalation.py opens its clocks), spread over all but its last 10 s.
    client.burst(OUTAGE_REPORTS, 10, 600)
    ids = list(client.accepted)
    from escalation.models import EscalationState
    from incidents.models import Incident

    stop_at = datetime.now(UTC) + timedelta(seconds=20)  # the updates take a few seconds
    window = OUTAGE_SECONDS - 10
    for n, pk in enumerate(ids):
        due = stop_at + timedelta(seconds=5 + window * n / max(1, len(ids)))
        Incident.objects.filter(pk=pk).update(confirm_deadline=due, next_deadline=due)
        EscalationState.objects.filter(incident_id=pk, target="confirm").update(
            deadline=due, next_due_at=due
        )
    if datetime.now(UTC) > stop_at:
        raise SystemExit("moving the deadlines took longer than planned; nothing measured")
    time.sleep((stop_at - datetime.now(UTC)).total_seconds())
    broker.stop()
    time.sleep(OUTAGE_SECONDS)
    broker.start()
    back = datetime.now(UTC)
    done = wait_fired(ids, 120)
    after = [(f - back).total_seconds() for d, f in done if d <= back]
    early = sum(1 for d, f in done if f < back)
    within = sum(1 for s in after if s <= 10)
    print(
        f"outage: broker down {OUTAGE_SECONDS:.0f} s; {len(after):,} steps came due meanwhile, "
        f"{early} fired while it was down, {len(done):,} fired in all; after its return: "
        f"p50 {statistics.median(after):.2f} s, max {max(after):.2f} s; {within:,} of "
        f"{len(after):,} within 10 s (goal: all)"
    )


def main() -> None:
    url = database_url()
    tmp = Path(tempfile.mkdtemp(prefix="bench-soak-"))
    var = tmp / "var"
    var.mkdir()
    broker = RedisServer(tmp)
    broker.start()
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_ENV": "development",
        "DEBUG": "false",
        "LOG_LEVEL": "WARNING",
        "CELERY_BROKER_URL": broker.url,
        "CACHE_URL": CACHE,
        "WEBHOOK_ALLOWED_HOSTS": "127.0.0.1",
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        "VAR_DIR": str(var),
        "PORT": str(port),
        "SITE_URL": f"http://127.0.0.1:{port}",
        "PYTHONUNBUFFERED": "1",
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "API_THROTTLE_KEY_RATE": "100000/minute",
    }
    print(f"database {DB_NAME} migrated afresh in {fresh_database(url, env):.0f} s")
    setup_django(env)
    receiver = Receiver()
    key, confirm_minutes = prepare(receiver)
    (tmp / "Procfile").write_text(procfile(port, var, web_workers=2, log="warning"))
    stack = Stack({**env, "PROCFILE": str(tmp / "Procfile"), "SCALE": SCALE})
    try:
        up = wait_for(
            lambda: get_json(f"http://127.0.0.1:{port}/healthz") == (200, {"status": "ok"}),
            180,
            interval=1,
        )
        if not up:
            raise SystemExit(stack.output.text()[-5000:])
        client = Client(f"http://127.0.0.1:{port}", key, confirm_minutes)
        warm_up(client, receiver, stack)
        if "burst" in PHASES:
            burst_phase(client)
        if "outage" in PHASES:
            outage_phase(client, broker)
    finally:
        stack.stop()
        broker.stop()
        receiver.close()


if __name__ == "__main__":
    main()
