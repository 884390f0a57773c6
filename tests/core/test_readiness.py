"""/readyz tells the truth about escalation and the outbox (issue 14, failure 2: a wedged
worker left 100 incidents unescalated for 2.7 minutes while /readyz said ok)."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from core import health
from escalation import tasks as escalation_tasks
from escalation.models import EscalationState
from notifications.models import Notification, WebhookEndpoint
from tests import factories

T0 = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def broker_ok(monkeypatch):
    monkeypatch.setattr(health, "_broker", lambda: {"ok": True, "transport": "memory"})


@pytest.fixture
def org(db):
    return factories.make_org()


def readyz(client, at: datetime):
    with time_machine.travel(at, tick=False):
        response = client.get("/readyz")
    return response.status_code, response.json()


def sweep_at(at: datetime) -> None:
    with time_machine.travel(at, tick=False):
        escalation_tasks.sweep()


def test_ready_after_a_sweep_and_not_ready_before_any(client, settings):
    settings.ESCALATION_SWEEP_SECONDS = 2
    status, body = readyz(client, T0)
    assert status == 503
    assert body["failing"] == ["sweep_recent"]
    assert body["sweep_recent"]["reason"] == "no sweep has completed"

    sweep_at(T0)
    status, body = readyz(client, T0 + timedelta(seconds=6))
    assert status == 200, body
    assert body["status"] == "ok" and body["failing"] == []
    assert body["sweep_recent"] == {"ok": True, "age_seconds": 6.0, "limit_seconds": 6}


def test_not_ready_when_the_last_sweep_is_older_than_three_intervals(client, settings):
    settings.ESCALATION_SWEEP_SECONDS = 2
    sweep_at(T0)
    status, body = readyz(client, T0 + timedelta(seconds=6.5))
    assert status == 503
    assert body["status"] == "unavailable"
    assert body["failing"] == ["sweep_recent"]
    assert body["sweep_recent"]["reason"] == "the last completed sweep is too old"
    assert body["sweep_recent"]["age_seconds"] == 6.5


def test_not_ready_when_a_due_step_is_more_than_30_seconds_late(client, settings, org):
    settings.ESCALATION_SWEEP_SECONDS = 60  # a recent sweep, so only the lateness fails
    with time_machine.travel(T0, tick=False):
        incident = factories.report(grade="III", now=T0, reported_at=T0)
    due = EscalationState.objects.get(incident=incident, target="confirm").next_due_at
    sweep_at(due - timedelta(seconds=1))  # completed, but before the step fell due

    status, body = readyz(client, due + timedelta(seconds=30))
    assert status == 200, body
    assert body["due_steps_on_time"]["oldest_late_seconds"] == 30.0

    status, body = readyz(client, due + timedelta(seconds=31))
    assert status == 503
    assert body["failing"] == ["due_steps_on_time"]
    late = body["due_steps_on_time"]
    assert late["reason"] == "a due escalation step is late"
    assert late["oldest_late_seconds"] == 31.0 and late["due_now"] == 1

    sweep_at(due + timedelta(seconds=32))  # the step fires: ready again
    status, body = readyz(client, due + timedelta(seconds=33))
    assert status == 200, body


def test_not_ready_when_deliveries_are_overdue_beyond_the_threshold(client, settings, org):
    settings.ESCALATION_SWEEP_SECONDS = 3600
    settings.READY_OUTBOX_OVERDUE_SECONDS = 300
    WebhookEndpoint.objects.create(
        name="ERP", url="http://127.0.0.1:9/erp", events=["created"], language="en"
    )
    with time_machine.travel(T0, tick=False):
        factories.report(grade="III", now=T0, reported_at=T0)  # its first step is 30 min away
    sweep_at(T0)
    assert Notification.objects.filter(channel="webhook", status="pending").count() == 1
    status, body = readyz(client, T0 + timedelta(seconds=300))
    assert body["outbox_on_time"] == {"ok": True, "overdue": {}, "limit_seconds": 300}

    status, body = readyz(client, T0 + timedelta(seconds=301))
    assert status == 503
    assert "outbox_on_time" in body["failing"]
    assert body["outbox_on_time"]["overdue"] == {"webhook": 1}
    assert body["outbox_on_time"]["reason"] == "deliveries are overdue"
