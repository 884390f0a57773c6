"""GET /metrics: Prometheus text. The escalation, intake and outbox figures are read from the
database at scrape time, so every web process answers the same whichever process did the
work; HTTP latency by view is counted by the web processes themselves (core/metrics.py).
Protected by METRICS_TOKEN (``Authorization: Bearer <token>``); without a token configured
the endpoint does not exist (404). Metrics and alert rules: docs/operations.md,
docs/alerts.yml."""

import hmac
from datetime import timedelta

from django.conf import settings
from django.db.models import F
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import GaugeHistogramMetricFamily, GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from core.metrics import histogram_buckets, newest_id_floor, register_http
from escalation.models import EscalationFire, EscalationState, SweepRun
from incidents.models import Incident
from notifications.metrics import OutboxCollector

WINDOW = timedelta(minutes=5)  # the lateness quantiles cover the steps fired this recently
QUANTILES = (0.5, 0.9, 0.99, 1.0)
LATENESS_BOUNDS = (0.5, 1.0, 2.0, 3.0, 5.0, 10.0, 30.0, 60.0, 300.0)
RECENT_ROWS = 20_000  # report intake: counted among the newest rows (see intake)


def _quantile(sorted_values: list[float], q: float) -> float:
    if not sorted_values:
        return 0.0
    return sorted_values[min(len(sorted_values) - 1, int(q * len(sorted_values)))]


class DeskCollector:
    def collect(self):
        now = timezone.now()
        due = EscalationState.objects.filter(next_due_at__lte=now)
        backlog = GaugeMetricFamily(
            "aftersales_escalation_due_backlog", "Escalation clocks due now and not yet fired"
        )
        backlog.add_metric([], due.count())
        yield backlog
        oldest = due.order_by("next_due_at").values_list("next_due_at", flat=True).first()
        late = GaugeMetricFamily(
            "aftersales_escalation_oldest_due_late_seconds",
            "How late the oldest due, unfired escalation step is",
        )
        late.add_metric([], (now - oldest).total_seconds() if oldest else 0.0)
        yield late

        fires = EscalationFire.objects.filter(fired_at__gte=now - WINDOW, superseded_by=None)
        lateness = sorted(
            max(0.0, (fired - due_at).total_seconds())
            for fired, due_at in fires.values_list("fired_at", "due_at")[:50_000]
        )
        quantiles = GaugeMetricFamily(
            "aftersales_escalation_lateness_seconds",
            "Lateness of the escalation steps fired in the last 5 minutes (fired - due)",
            labels=["quantile"],
        )
        for q in QUANTILES:
            quantiles.add_metric([str(q)], _quantile(lateness, q))
        yield quantiles
        recent = GaugeMetricFamily(
            "aftersales_escalation_fired_recent", "Escalation steps fired in the last 5 minutes"
        )
        recent.add_metric([], len(lateness))
        yield recent

        sweep = SweepRun.objects.filter(id=1).first()
        duration = GaugeMetricFamily(
            "aftersales_escalation_sweep_duration_seconds", "Duration of the last completed sweep"
        )
        age = GaugeMetricFamily(
            "aftersales_escalation_sweep_age_seconds", "Time since the last completed sweep"
        )
        if sweep:
            duration.add_metric([], sweep.duration_ms / 1000)
            age.add_metric([], (now - sweep.finished_at).total_seconds())
        yield duration
        yield age

        yield self.lateness_histogram(now)
        yield self.intake(now)

    def lateness_histogram(self, now) -> GaugeHistogramMetricFamily:
        family = GaugeHistogramMetricFamily(
            "aftersales_escalation_step_lateness_seconds",
            "Lateness (fired - due) of the escalation steps fired in the last 5 minutes",
        )
        buckets, seconds = histogram_buckets(
            EscalationFire.objects.filter(fired_at__gte=now - WINDOW, superseded_by=None),
            F("fired_at") - F("due_at"),
            LATENESS_BOUNDS,
        )
        family.add_metric([], buckets, seconds)
        return family

    def intake(self, now) -> GaugeMetricFamily:
        """Reports logged in the last minute (created_at: when the desk took it, whatever
        reported_at says). created_at has no index: counted among the newest RECENT_ROWS."""
        family = GaugeMetricFamily(
            "aftersales_reports_received_last_minute",
            "Incident reports taken in the last 60 seconds (web and API)",
        )
        floor = newest_id_floor(Incident.objects.all(), RECENT_ROWS)
        family.add_metric(
            [],
            Incident.objects.filter(pk__gte=floor, created_at__gte=now - timedelta(minutes=1))
            .order_by()
            .count(),
        )
        return family


def _authorised(request) -> bool:
    expected = settings.METRICS_TOKEN
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    return bool(given) and hmac.compare_digest(given.encode(), expected.encode())


@never_cache
@require_GET
def metrics(request):
    if not settings.METRICS_TOKEN:
        raise Http404
    if not _authorised(request):
        return HttpResponse("unauthorised\n", status=401, content_type="text/plain")
    registry = CollectorRegistry(auto_describe=False)
    registry.register(DeskCollector())
    registry.register(OutboxCollector())
    register_http(registry)
    return HttpResponse(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)
