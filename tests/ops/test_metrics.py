"""GET /metrics: the figures issue 14 asks for, by value: escalation lateness (a histogram),
report intake, delivery latency by channel, HTTP latency by view (in one process and across
processes in prometheus-client's multiprocess mode)."""

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from prometheus_client.parser import text_string_to_metric_families

from escalation import tasks as escalation_tasks
from escalation.models import EscalationFire, EscalationState
from notifications import channels
from notifications import services as notification_services
from notifications.models import Notification, WebhookEndpoint
from tests import factories

T0 = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
ROOT = Path(__file__).resolve().parents[2]
AUTH = {"HTTP_AUTHORIZATION": "Bearer s3cret"}


@pytest.fixture(autouse=True)
def _token(settings):
    settings.METRICS_TOKEN = "s3cret"


def scrape(client) -> dict:
    response = client.get("/metrics", **AUTH)
    assert response.status_code == 200
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(response.content.decode())
        for s in family.samples
    }


def confirm_due(incident) -> datetime:
    return EscalationState.objects.get(incident=incident, target="confirm").next_due_at


@pytest.mark.django_db
def test_lateness_histogram_counts_the_steps_fired_in_the_last_five_minutes(client):
    factories.make_org()
    with time_machine.travel(T0, tick=False):
        early = [factories.report(now=T0, reported_at=T0) for _ in range(2)]
    later_at = T0 + timedelta(seconds=60)
    with time_machine.travel(later_at, tick=False):
        later = factories.report(now=later_at, reported_at=later_at)
    with time_machine.travel(confirm_due(early[0]) + timedelta(seconds=4), tick=False):
        escalation_tasks.sweep()  # the first two, 4 s late
    last_sweep = confirm_due(later) + timedelta(seconds=40)
    with time_machine.travel(last_sweep, tick=False):
        escalation_tasks.sweep()  # the third, 40 s late
        assert EscalationFire.objects.count() == 3
        figures = scrape(client)
    name = "aftersales_escalation_step_lateness_seconds"
    assert figures[(f"{name}_bucket", (("le", "3.0"),))] == 0
    assert figures[(f"{name}_bucket", (("le", "5.0"),))] == 2
    assert figures[(f"{name}_bucket", (("le", "30.0"),))] == 2
    assert figures[(f"{name}_bucket", (("le", "60.0"),))] == 3
    assert figures[(f"{name}_bucket", (("le", "+Inf"),))] == 3
    assert figures[(f"{name}_gcount", ())] == 3
    assert figures[(f"{name}_gsum", ())] == 48

    with time_machine.travel(last_sweep + timedelta(minutes=6), tick=False):
        figures = scrape(client)  # out of the window
    assert figures[(f"{name}_gcount", ())] == 0


@pytest.mark.django_db
def test_intake_counts_the_reports_taken_in_the_last_minute(client):
    factories.make_org()
    with time_machine.travel(T0 - timedelta(minutes=2), tick=False):
        factories.report()
    with time_machine.travel(T0 - timedelta(seconds=30), tick=False):
        factories.report()
        factories.report(reported_at=T0 - timedelta(hours=3))  # taken now, happened earlier
    with time_machine.travel(T0, tick=False):
        figures = scrape(client)
    assert figures[("aftersales_reports_received_last_minute", ())] == 2


@pytest.mark.django_db
def test_delivery_latency_by_channel(client, monkeypatch):
    factories.make_org()
    WebhookEndpoint.objects.create(
        name="ERP", url="http://127.0.0.1:9/erp", events=["created"], language="en"
    )
    with time_machine.travel(T0, tick=False):
        factories.report(now=T0, reported_at=T0)
    assert Notification.objects.filter(channel="webhook", status="pending").count() == 1
    monkeypatch.setattr(channels, "send", lambda notification: 200)
    with time_machine.travel(T0 + timedelta(seconds=3), tick=False):
        notification_services.deliver_due(now=T0 + timedelta(seconds=3))
    with time_machine.travel(T0 + timedelta(seconds=10), tick=False):
        figures = scrape(client)
    name = "aftersales_delivery_latency_seconds"
    webhook = ("channel", "webhook")
    assert figures[(f"{name}_bucket", (webhook, ("le", "2.0")))] == 0
    assert figures[(f"{name}_bucket", (webhook, ("le", "5.0")))] == 1
    assert figures[(f"{name}_gsum", (webhook,))] == 3
    assert figures[(f"{name}_gcount", (("channel", "email"),))] == 0
    pending = (("channel", "webhook"), ("status", "pending"))
    assert figures[("aftersales_outbox_notifications", pending)] == 0


@pytest.mark.django_db
def test_http_latency_is_counted_by_view_method_and_status_class(client):
    name = "aftersales_http_request_duration_seconds"
    healthz = (f"{name}_count", (("method", "GET"), ("status", "2xx"), ("view", "healthz")))
    missing = (f"{name}_count", (("method", "GET"), ("status", "4xx"), ("view", "unmatched")))
    before = scrape(client)
    client.get("/healthz")
    client.get("/healthz")
    client.get("/no-such-page/")
    after = scrape(client)
    assert after[healthz] - before.get(healthz, 0) == 2
    assert after[missing] - before.get(missing, 0) == 1
    le_10s = (
        f"{name}_bucket",
        (("le", "10.0"), ("method", "GET"), ("status", "2xx"), ("view", "healthz")),
    )
    assert after[le_10s] == after[healthz]
    assert after[(f"{name}_sum", healthz[1])] > 0


def _python(code: str, env: dict) -> str:
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_multiprocess_mode_adds_up_every_process_of_the_host(tmp_path):
    env = {"PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    observe = (
        "from core.metrics import HTTP_LATENCY; "
        "HTTP_LATENCY.labels('incidents:detail', 'GET', '2xx').observe(0.04)"
    )
    _python(observe, env)  # one gunicorn worker
    _python(observe, env)  # another
    text = _python(
        "from prometheus_client import CollectorRegistry, generate_latest; "
        "from core.metrics import register_http; "
        "registry = CollectorRegistry(); register_http(registry); "
        "print(generate_latest(registry).decode())",
        env,
    )
    samples = {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }
    labels = (("method", "GET"), ("status", "2xx"), ("view", "incidents:detail"))
    assert samples[("aftersales_http_request_duration_seconds_count", labels)] == 2
    assert (
        samples[("aftersales_http_request_duration_seconds_bucket", (("le", "0.05"), *labels))] == 2
    )
