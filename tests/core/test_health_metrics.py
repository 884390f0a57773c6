"""GET /metrics: Prometheus text behind METRICS_TOKEN."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from prometheus_client.parser import text_string_to_metric_families

from escalation import tasks as escalation_tasks
from escalation.models import EscalationState
from notifications.models import WebhookEndpoint
from tests import factories

T0 = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
pytestmark = pytest.mark.django_db


def samples(text: str) -> dict:
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def test_metrics_does_not_exist_without_a_token(client, settings):
    settings.METRICS_TOKEN = ""
    assert client.get("/metrics").status_code == 404


def test_metrics_refuses_a_wrong_or_missing_token(client, settings):
    settings.METRICS_TOKEN = "s3cret"
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer nope").status_code == 401


def test_metrics_report_backlog_lateness_sweep_and_outbox(client, settings):
    settings.METRICS_TOKEN = "s3cret"
    factories.make_org()
    WebhookEndpoint.objects.create(
        name="ERP", url="http://127.0.0.1:9/erp", events=["created"], language="en"
    )
    with time_machine.travel(T0, tick=False):
        incident = factories.report(grade="III", now=T0, reported_at=T0)
    due = EscalationState.objects.get(incident=incident, target="confirm").next_due_at

    with time_machine.travel(due + timedelta(seconds=40), tick=False):
        before = samples(
            client.get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret").content.decode()
        )
        escalation_tasks.sweep()  # fires the step 40 s late
        response = client.get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    after = samples(response.content.decode())

    assert before[("aftersales_escalation_due_backlog", ())] == 1
    assert before[("aftersales_escalation_oldest_due_late_seconds", ())] == 40
    assert after[("aftersales_escalation_due_backlog", ())] == 0
    assert after[("aftersales_escalation_lateness_seconds", (("quantile", "0.99"),))] == 40
    assert after[("aftersales_escalation_fired_recent", ())] == 1
    assert after[("aftersales_escalation_sweep_age_seconds", ())] == 0
    assert ("aftersales_escalation_sweep_duration_seconds", ()) in after
    pending = (("channel", "webhook"), ("status", "pending"))
    assert after[("aftersales_outbox_notifications", pending)] >= 1
    failed = (("channel", "webhook"), ("status", "failed"))
    assert after[("aftersales_outbox_notifications", failed)] == 0
