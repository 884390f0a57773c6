"""Issue 14, failure 2: killing a worker's pool processes 6-12 times within 3 s (the
OOM-killer pattern) left two tasks reserved for ever; the worker answered `inspect` and
consumed nothing; due incidents stayed unescalated.

Here a real, supervised escalation worker with two pool processes gets three such bursts
while sweeps are flowing (beat every second, plus a backlog of twenty queued at once).
Afterwards nothing may stay reserved (the broker's unacknowledged set empties), the queue
drains, and incidents that fall due are escalated. If a pool process dies holding a task it
never started, the watchdog (config/celery.py) stops the worker and supervisord starts a
fresh one, whose unacknowledged messages go back to the queue.
"""

import contextlib
import os
import signal
import time
from datetime import timedelta

import pytest
import redis
from celery import Celery
from django.utils import timezone

from escalation.models import EscalationFire
from tests import factories
from tests.escalation.procs import Procs, broker_url, flush
from tests.integration.stack import Stack, celery_workers, pool_children, wait_for

pytestmark = [
    pytest.mark.integration,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PROCFILE = (
    "escalation: celery -A config worker -l info -Q escalation -n escalation@%h "
    "--concurrency 2 --without-mingle --without-gossip --without-heartbeat\n"
    "beat: celery -A config beat -l info -s {var}/beat-schedule --pidfile=\n"
)


def oom_burst(worker: int) -> int:
    """Kill the worker's pool processes as they come, at most 12 times within 3 s."""
    kills, started = 0, time.monotonic()
    while time.monotonic() - started < 3 and kills < 12:
        for pid in pool_children(worker):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
                kills += 1
        time.sleep(0.05)
    return kills


def test_pool_killed_in_oom_bursts_leaves_nothing_reserved_and_incidents_escalate(tmp_path):
    flush(broker_url())
    broker = redis.Redis.from_url(broker_url())
    factories.make_org()
    var = tmp_path / "var"
    var.mkdir()
    procfile = tmp_path / "Procfile"
    procfile.write_text(PROCFILE.format(var=var))
    env = Procs(tmp_path).env(
        PROCFILE=procfile, ESCALATION_SWEEP_SECONDS=1, CELERY_WORKER_STUCK_SECONDS=10
    )
    stack = Stack(env)
    try:
        assert wait_for(lambda: " ready." in stack.output.text(), 90), stack.output.text()
        sender = Celery(broker=broker_url())  # not the tests' app: that one runs eagerly
        kills = []
        for _burst in range(3):
            workers = wait_for(lambda: celery_workers(stack.process.pid, "escalation"), 60)
            assert workers, stack.output.text()[-3000:]
            wait_for(lambda w=workers[0]: len(pool_children(w)) == 2, 30)
            for _ in range(20):
                sender.send_task("escalation.tasks.sweep", queue="escalation", expires=60)
            kills.append(oom_burst(workers[0]))
            time.sleep(2)
        assert sum(kills) >= 12, kills

        now = timezone.now()
        incidents = [
            factories.report(grade="III", reported_at=now - timedelta(minutes=31), now=now)
            for _ in range(5)
        ]
        fired = wait_for(
            lambda: EscalationFire.objects.filter(incident__in=incidents).count() == 5, 60
        )
        assert fired, stack.output.text()[-5000:]
        # Nothing is left reserved and never started, and the queue is consumed.
        drained = wait_for(
            lambda: broker.hlen("unacked") == 0 and broker.llen("escalation") == 0, 45
        )
        assert drained, (
            broker.hlen("unacked"),
            broker.llen("escalation"),
            stack.output.text()[-5000:],
        )
    finally:
        stack.stop()
