"""Celery wrappers only. Beat sends ``sweep`` every ESCALATION_SWEEP_SECONDS; racing
sweeps (two beats, two workers) are safe because the sweep claims rows with SKIP LOCKED.
acks_late + reject_on_worker_lost (settings): a sweep killed mid-way is redelivered, and
its uncommitted batch was rolled back, so nothing is lost or repeated."""

from celery import shared_task

from escalation import services


@shared_task(acks_late=True, ignore_result=True)
def sweep() -> int:
    return services.escalate_due()
