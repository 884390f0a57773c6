"""Celery wrappers only: the rules live in assessments.services."""

from celery import shared_task

from assessments import services


@shared_task(acks_late=True, ignore_result=True)
def remind_overdue_actions() -> int:
    """Beat, hourly: remind owners of overdue corrective actions (once per interval)."""
    return services.remind_overdue_actions()


@shared_task(acks_late=True, ignore_result=True)
def remind_surveys() -> int:
    """Beat: the one reminder of each survey unanswered after SURVEY_REMINDER_HOURS."""
    return services.remind_surveys()
