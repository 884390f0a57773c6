"""A worker whose pool processes are killed over and over (the OOM-killer pattern) recovers
by itself and due escalations fire (issue 14, failure 2: the worker kept tasks reserved for
ever and consumed nothing).

The worker runs supervised, as under `make run`: when it wedges, its watchdog stops it and
supervisord starts a fresh one."""

import contextlib
import os
import signal
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from escalation.models import EscalationFire
from tests import factories
from tests.escalation.procs import Procs, broker_url, flush
from tests.integration.stack import Stack, celery_workers, pool_children, wait_for

PROCFILE = (
    "escalation: celery -A config worker -l info -Q escalation -n escalation@%h "
    "--concurrency 1 --without-mingle --without-gossip --without-heartbeat\n"
    "beat: celery -A config beat -l info -s {var}/beat-schedule --pidfile=\n"
)


@pytest.mark.integration
@pytest.mark.slow
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_worker_whose_pool_is_killed_repeatedly_still_fires_due_escalations(tmp_path):
    flush(broker_url())
    factories.make_org()
    var = tmp_path / "var"
    var.mkdir()
    procfile = tmp_path / "Procfile"
    procfile.write_text(PROCFILE.format(var=var))
    env = Procs(tmp_path).env(
        PROCFILE=procfile, ESCALATION_SWEEP_SECONDS=1, CELERY_WORKER_STUCK_SECONDS=8
    )
    stack = Stack(env)
    try:
        assert wait_for(lambda: " ready." in stack.output.text(), 40), stack.output.text()
        (worker,) = celery_workers(stack.process.pid, "escalation")

        # The OOM-killer pattern: each pool process dies as soon as it is there, for a
        # few seconds, while beat keeps sending sweeps. Sweeps handed to a process that
        # dies before taking them are lost without a trace.
        kills = 0
        deadline = time.monotonic() + 8
        while time.monotonic() < deadline:
            for pid in pool_children(worker):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
                    kills += 1
            time.sleep(0.02)
        assert kills >= 2, stack.output.text()[-3000:]

        now = timezone.now()
        incidents = [
            factories.report(grade="III", reported_at=now - timedelta(minutes=31), now=now)
            for _ in range(5)
        ]
        started = time.monotonic()
        fired = wait_for(
            lambda: EscalationFire.objects.filter(incident__in=incidents).count() == 5, 45
        )
        assert fired, stack.output.text()[-5000:]
        assert time.monotonic() - started < 45
    finally:
        stack.stop()


class _Request:
    def __init__(self, request_id: str, time_start: float | None = None):
        self.id = request_id
        self.time_start = time_start


def test_watchdog_names_tasks_reserved_and_never_started_past_the_limit(monkeypatch):
    from celery.worker import state

    from config.celery import stuck_requests

    lost, running = _Request("lost"), _Request("running", time_start=1.0)
    monkeypatch.setattr(state, "reserved_requests", {lost, running})
    first_seen: dict[str, float] = {}
    assert stuck_requests(first_seen, now=100.0, limit=8) == []
    assert stuck_requests(first_seen, now=108.0, limit=8) == []
    assert stuck_requests(first_seen, now=108.5, limit=8) == ["lost"]
    # Taken at last: forgotten.
    lost.time_start = 108.6
    assert stuck_requests(first_seen, now=120.0, limit=8) == []
    assert first_seen == {}
