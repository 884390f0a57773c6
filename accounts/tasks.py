"""Celery wrappers for accounts: housekeeping only."""

from celery import shared_task

from accounts import services


@shared_task(acks_late=True, ignore_result=True)
def purge_idempotency_records() -> int:
    """Drop stored idempotent responses past their retention; safe to run any number of
    times (a DELETE of expired rows)."""
    return services.purge_idempotency_records()
