"""Customer-message bench: 1,000 incidents resolved in one minute; is every survey SMS handed
to the provider within 60 s of its resolve (p99)?

The resolve is the real one (incidents.services.resolve_incident): its lifecycle hooks
create the survey and queue the ``resolved`` message (summary + survey link) through
messaging.tell_customer in the resolve's transaction. Two delivery processes run the
delivery loop as the worker's ``deliver_due`` task does (messaging.services.deliver_batches:
one loop at a time under the advisory lock, 8 threads, batches claimed with SKIP LOCKED),
starting a new loop as soon as one ends, as the kicks after each commit do. The provider is
a fake Alibaba Cloud SMS on 127.0.0.1 (tests/messaging/fakes.py) that checks every request's
V3 signature and parameters and answers at once.

The data: BENCH_MESSAGES_INCIDENTS (1,000) incidents reported and confirmed through the
services (each with its own mobile), in a database of its own (``aftersales_bench_messages``,
created and migrated on the first run; the outbox is emptied at each start). The messages
their reports queued are delivered before the clock starts. Printed: the build time, the
resolve rate reached, and the lateness (handed to the provider - resolved) p50 / p99 / max
against the goal (p99 <= 60 s, and every message handed over). Nothing is asserted.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DB_NAME = os.environ.get("BENCH_MESSAGES_DB", "aftersales_bench_messages")
N = int(os.environ.get("BENCH_MESSAGES_INCIDENTS", "1000"))
SECONDS = float(os.environ.get("BENCH_MESSAGES_SECONDS", "60"))
DELIVERY_PROCESSES = 2
THREADS = 8  # building and resolving
GOAL_SECONDS = 60.0
KINDS = (
    "received",
    "dispatched",
    "eta_changed",
    "on_site",
    "resolved",
    "survey_reminder",
    "complaint_outcome",
    "cancelled",
)


def _url(base: str, path: str) -> str:
    return urlunsplit(urlsplit(base)._replace(path=path))


def environment(provider_url: str) -> dict:
    from tests.messaging import fakes

    base_broker = os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:56379/0")
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": _url(os.environ["DATABASE_URL"], f"/{DB_NAME}"),
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DJANGO_ENV": "development",
            "DEBUG": "false",
            "LOG_LEVEL": "WARNING",
            # Kicks go to a broker nobody reads (the delivery processes loop by themselves).
            "CELERY_BROKER_URL": _url(base_broker, "/13")
            if base_broker.startswith("redis")
            else base_broker,
            "MESSAGING_SMS_PROVIDER": "aliyun",
            "MESSAGING_QUIET_HOURS": "00:00-00:00",  # the bench may run at night
            "ALIYUN_SMS_ENDPOINT": provider_url,
            "ALIYUN_SMS_ACCESS_KEY_ID": fakes.ALIYUN_ID,
            "ALIYUN_SMS_ACCESS_KEY_SECRET": fakes.ALIYUN_SECRET,
            "ALIYUN_SMS_SIGN_NAME": "售后服务",
            "ALIYUN_SMS_TEMPLATES": ",".join(f"{k}=SMS_{n}" for n, k in enumerate(KINDS)),
            "PYTHONPATH": str(ROOT),
        }
    )
    return env


def ensure_database(env: dict) -> float:
    import psycopg

    started = time.perf_counter()
    with psycopg.connect(os.environ["DATABASE_URL"], autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DB_NAME]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{DB_NAME}"')
    done = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=1200,
    )
    if done.returncode:
        sys.exit(f"migrate failed:\n{done.stderr[-2000:]}")
    return time.perf_counter() - started


def setup_django(env: dict) -> None:
    os.environ.update(env)
    import django

    django.setup()


def deliver_forever() -> None:
    """A delivery process: the worker's loop, again and again (as the kicks start it)."""
    from django.db import connection

    from messaging import services

    while True:
        if not services.deliver_batches(budget_seconds=5.0):
            time.sleep(0.05)
        connection.close()


def build(n: int) -> list[int]:
    """``n`` confirmed incidents, each with its own mobile, through the services, on
    THREADS threads."""
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection

    from incidents.models import Category
    from incidents.services import confirm_incident, report_incident

    category = Category.objects.get(slug="product-quality")
    stamp = int(time.time()) % 100_000

    def one(i: int) -> int:
        try:
            incident = report_incident(
                actor=None,
                title="Bench customer messages",
                category=category,
                grade="III",
                customer_name="Bench",
                customer_phone=f"13{stamp:05d}{i:04d}",
            )
            confirm_incident(incident, actor=None)
            return incident.pk
        finally:
            connection.close()

    with ThreadPoolExecutor(THREADS) as pool:
        return list(pool.map(one, range(n)))


def drained(timeout: float) -> bool:
    from messaging.models import CustomerMessage

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not CustomerMessage.objects.filter(status__in=["pending", "sending"]).exists():
            return True
        time.sleep(0.5)
    return False


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    from tests.messaging.fakes import FakeAliyun

    handed: dict[str, float] = {}
    lock = threading.Lock()

    class TimedAliyun(FakeAliyun):
        def answer(self, request):
            status, reply = super().answer(request)
            if reply.get("Code") == "OK":
                with lock:
                    handed[self.accepted[-1]["OutId"]] = time.time()
            return status, reply

    fake = TimedAliyun()
    env = environment(fake.url)
    migrate_seconds = ensure_database(env)
    setup_django(env)
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("TRUNCATE messaging_messageattempt, messaging_customermessage CASCADE")
    workers = [
        subprocess.Popen(
            [sys.executable, __file__, "--deliver"], cwd=ROOT, env=env, stderr=subprocess.DEVNULL
        )
        for _ in range(DELIVERY_PROCESSES)
    ]
    try:
        t0 = time.perf_counter()
        ids = build(N)
        build_seconds = time.perf_counter() - t0
        drained(120)
        before = len(handed)
        resolved_at = resolve_all(ids)
        finished = drained(GOAL_SECONDS + 120)
    finally:
        for w in workers:
            w.terminate()
        for w in workers:
            w.wait(10)
        fake.close()
    report(ids, resolved_at, handed, fake, migrate_seconds, build_seconds, before, finished)


def resolve_all(ids: list[int]) -> dict[int, float]:
    """Resolve the incidents at an even pace over SECONDS (incident i falls due at
    i/N of it), on THREADS threads so that a slow resolve does not hold up the next;
    return when each one's resolve began."""
    import queue

    from django.db import connection

    from incidents.models import Incident
    from incidents.services import resolve_incident

    resolved_at: dict[int, float] = {}
    todo: queue.Queue = queue.Queue()
    start = time.time() + 1
    for i, pk in enumerate(ids):
        todo.put((start + SECONDS * i / len(ids), pk))

    def worker() -> None:
        try:
            while True:
                try:
                    due, pk = todo.get_nowait()
                except queue.Empty:
                    return
                pause = due - time.time()
                if pause > 0:
                    time.sleep(pause)
                resolved_at[pk] = time.time()
                resolve_incident(
                    Incident.objects.get(pk=pk), actor=None, resolution="Battery module replaced"
                )
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return resolved_at


def report(ids, resolved_at, handed, fake, migrate_seconds, build_seconds, before, finished):
    from messaging.models import CustomerMessage

    survey = {
        f"{m.incident_id}:{m.key}": m.incident_id
        for m in CustomerMessage.objects.filter(kind="resolved", incident_id__in=ids)
    }
    lateness = [handed[k] - resolved_at[pk] for k, pk in survey.items() if k in handed]
    span = max(resolved_at.values()) - min(resolved_at.values())
    print(f"database ready (migrate) in {migrate_seconds:.1f} s; {len(ids)} incidents reported")
    print(f"and confirmed through the services in {build_seconds:.1f} s ({before} messages")
    print("of their reports delivered before the clock started)")
    print(
        f"resolved {len(resolved_at)} incidents in {span:.1f} s ({len(resolved_at) / span:.1f}/s;"
        f" aimed at {SECONDS:.0f} s{'' if span <= SECONDS * 1.1 else ': the resolves fell behind'})"
    )
    print(f"survey messages queued by the resolves: {len(survey)} of {len(ids)}")
    print(
        f"handed to the fake provider: {len(lateness)}; signature or parameter refusals: "
        f"{len(fake.bad)}; outbox drained: {finished}"
    )
    if lateness:
        p50, p99 = statistics.median(lateness), percentile(lateness, 0.99)
        print(
            f"lateness (handed - resolved): p50 {p50:.2f} s, p99 {p99:.2f} s, "
            f"max {max(lateness):.2f} s"
        )
        met = p99 <= GOAL_SECONDS and len(lateness) == len(ids)
        print(
            f"goal: every survey SMS within {GOAL_SECONDS:.0f} s (p99): "
            f"{'met' if met else 'NOT met'}"
        )
    else:
        print("goal: NOT met (no survey message was handed to the provider)")


if __name__ == "__main__":
    if "--deliver" in sys.argv:
        import django

        django.setup()
        deliver_forever()
    else:
        main()
