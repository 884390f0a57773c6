"""Celery wrappers only: the rules live in privacy.services."""

from celery import shared_task

from privacy import services


@shared_task(acks_late=True, ignore_result=True)
def erase_expired() -> int:
    """Beat, daily: retention (settings.PERSONAL_DATA_RETENTION_DAYS; off when empty)."""
    return services.erase_expired()
