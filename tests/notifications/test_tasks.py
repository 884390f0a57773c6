"""Delivery kicks collapse: a burst of commits leaves at most one kick waiting in the
broker, not one per commit (issue 14, failure 3: 2,082 reports queued 1,645 kicks and the
escalation sweep waited behind them)."""

from unittest import mock

import pytest
from django.core.cache import cache

from config.celery import ESCALATION_QUEUE, app
from notifications import tasks
from notifications.models import Notification, WebhookEndpoint
from tests import factories


@pytest.fixture
def integrations(db):
    factories.make_org()
    for n in range(7):
        WebhookEndpoint.objects.create(
            name=f"ERP {n}", url=f"http://127.0.0.1:9/{n}", events=["created"], language="en"
        )


def _queue_of(task_name: str) -> str:
    return app.amqp.router.route({}, task_name)["queue"].name


def test_a_burst_of_reports_enqueues_at_most_one_pending_kick(
    integrations, django_capture_on_commit_callbacks
):
    cache.delete(tasks.KICK_KEY)
    with mock.patch.object(tasks.deliver_due, "apply_async") as send:
        for _ in range(40):
            with django_capture_on_commit_callbacks(execute=True):
                factories.report(grade="III")
    assert Notification.objects.filter(channel="webhook").count() == 40 * 7
    assert send.call_count == 1
    (_, kwargs) = send.call_args
    assert kwargs["expires"] <= tasks.KICK_SECONDS  # a kick nobody took in time is dropped


def test_a_started_delivery_lets_the_next_commit_kick_again(
    integrations, django_capture_on_commit_callbacks
):
    cache.delete(tasks.KICK_KEY)
    with mock.patch.object(tasks.deliver_due, "apply_async") as send:
        with django_capture_on_commit_callbacks(execute=True):
            factories.report(grade="III")
        with mock.patch("notifications.services.deliver_batches", return_value=0):
            tasks.deliver_due()  # the pending kick is taken: the next commit may kick
        with django_capture_on_commit_callbacks(execute=True):
            factories.report(grade="III")
        with django_capture_on_commit_callbacks(execute=True):
            factories.report(grade="III")
    assert send.call_count == 2


def test_the_sweep_has_a_queue_of_its_own_and_deliveries_stay_off_it():
    assert _queue_of("escalation.tasks.sweep") == ESCALATION_QUEUE
    assert _queue_of("notifications.tasks.deliver_due") != ESCALATION_QUEUE
    assert _queue_of("assessments.tasks.remind_overdue_actions") != ESCALATION_QUEUE
