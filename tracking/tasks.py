"""Celery wrappers only: the rules live in tracking.services."""

from celery import shared_task

from tracking import services


@shared_task(acks_late=True, ignore_result=True)
def prompt_lapsed_etas() -> int:
    """Beat, every minute: prompt the dispatcher once per ETA passed with nobody on site."""
    return services.prompt_lapsed_etas()
