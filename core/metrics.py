"""HTTP latency by view, the one figure /metrics takes from the processes rather than the
database (escalation/metrics.py serves it).

Each process observes its own requests. Under gunicorn with several workers, set
``PROMETHEUS_MULTIPROC_DIR`` (prometheus-client's multiprocess mode; an empty directory
per host, wiped when the server starts, see config/gunicorn.py) so any worker answers for
all the workers of its host; without it each answers for itself. Scrape every host.
"""

import os
from collections.abc import Sequence
from datetime import timedelta

from django.db.models import Count, DurationField, Expression, ExpressionWrapper, Q, QuerySet, Sum
from prometheus_client import CollectorRegistry, Histogram, multiprocess

# Bounds chosen around the pages' goals (p95 < 150 ms) and the API's.
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

HTTP_LATENCY = Histogram(
    "aftersales_http_request_duration_seconds",
    "Time to answer an HTTP request, by view (URL name), method and status class",
    ["view", "method", "status"],
    buckets=BUCKETS,
    registry=None,  # served by escalation.metrics, never by a global registry
)


def multiprocess_dir() -> str:
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR", "")


def register_http(registry: CollectorRegistry) -> None:
    """Add the HTTP figures to ``registry``: every process of this host's (multiprocess
    mode), else this process's."""
    if multiprocess_dir():
        multiprocess.MultiProcessCollector(registry)
    else:
        registry.register(HTTP_LATENCY)


def histogram_buckets(
    queryset: QuerySet, duration: Expression, bounds: Sequence[float]
) -> tuple[list[tuple[str, float]], float]:
    """Cumulative bucket counts and the sum, in seconds, of ``duration`` (an interval
    expression) over ``queryset``, counted by the database in one query: the rows of a
    Prometheus gauge histogram (a histogram of what is in a window now, not a counter)."""
    counts = {
        f"le_{i}": Count("pk", filter=Q(_d__lte=timedelta(seconds=bound)))
        for i, bound in enumerate(bounds)
    }
    row = (
        queryset.annotate(_d=ExpressionWrapper(duration, output_field=DurationField()))
        .order_by()
        .aggregate(total=Count("pk"), seconds=Sum("_d"), **counts)
    )
    buckets = [(str(float(bound)), float(row[f"le_{i}"])) for i, bound in enumerate(bounds)]
    buckets.append(("+Inf", float(row["total"])))
    seconds = row["seconds"].total_seconds() if row["seconds"] else 0.0
    return buckets, seconds


def newest_id_floor(queryset: QuerySet, rows: int) -> int:
    """The id of the ``rows``-th newest row (0 when there are fewer): a cheap lower bound
    (the primary key index) for figures about recent rows of a table whose time columns
    have no index."""
    found = list(queryset.order_by("-pk").values_list("pk", flat=True)[rows - 1 : rows])
    return found[0] if found else 0
