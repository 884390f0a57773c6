"""Celery wrappers only. Beat sends ``sweep`` every ESCALATION_SWEEP_SECONDS to the
``escalation`` queue, which only the escalation worker consumes (config/celery.py); racing
sweeps (two beats, two workers) are safe because the sweep claims rows with SKIP LOCKED.
acks_late + reject_on_worker_lost (settings): a sweep killed mid-way is redelivered, and
its uncommitted batch was rolled back, so nothing is lost or repeated. A completed sweep is
recorded for /readyz (escalation/health.py)."""

import time

from celery import shared_task
from django.utils import timezone

from escalation import health, services


@shared_task(acks_late=True, ignore_result=True)
def sweep() -> int:
    started = time.monotonic()
    fired = services.escalate_due()
    health.record_sweep(
        finished_at=timezone.now(),
        duration_ms=int((time.monotonic() - started) * 1000),
        fired=fired,
    )
    return fired
