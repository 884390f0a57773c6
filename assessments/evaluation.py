"""The periodic evaluation: KPIs over the incidents reported in a period, computed by the
database in two passes (one aggregate with the percentiles, one GROUP BY week x grade x
category x team whose additive sums give the weekly trend and the breakdowns).

Definitions (each figure's drill-down uses the same ``metric_q``):

* An incident belongs to the period when it was *reported* in it (local dates of
  TIME_ZONE, end date inclusive).
* Confirmed within the window: ``confirmed_at - reported_at <= INCIDENT_CONFIRM_MINUTES``;
  out of the incidents not cancelled before confirmation.
* A target (confirm, arrive, resolve) is *met* when its milestone came by its deadline and
  *breached* when it came later, or has not come and the incident is still waiting for it
  past the deadline. Incidents for which neither holds (cancelled first, resolved remotely
  without an arrival, still inside the deadline) are not counted for that target.
* Times are from the report to the milestone; incidents without the milestone are left out.
* CSAT: mean rating of the answered surveys; response rate = answered / surveys created.
"""

from __future__ import annotations

import statistics
from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import (
    Aggregate,
    Count,
    Exists,
    F,
    FloatField,
    Func,
    OuterRef,
    Q,
    Sum,
)
from django.db.models.functions import TruncWeek
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.db import accelerated
from incidents.models import OPEN_STATUSES, Status

TARGETS = ("confirm", "arrive", "resolve")
EVALUATION_WORK_MEM = "64MB"
MILESTONE = {"confirm": "confirmed_at", "arrive": "arrived_at", "resolve": "resolved_at"}
WAITING = {
    "confirm": (Status.REPORTED,),
    "arrive": (Status.REPORTED, Status.CONFIRMED, Status.DISPATCHED),
    "resolve": OPEN_STATUSES,
}


class Seconds(Func):
    """Seconds from ``reported_at`` to ``field`` (NULL when the milestone is missing)."""

    output_field = FloatField()

    def __init__(self, field: str, start: str = "reported_at"):
        super().__init__(F(field), F(start))

    def as_postgresql(self, compiler, conn, **extra):
        return self.as_sql(
            compiler,
            conn,
            template="EXTRACT(EPOCH FROM (%(expressions)s))::double precision",
            arg_joiner=" - ",
            **extra,
        )

    def as_sqlite(self, compiler, conn, **extra):
        return self.as_sql(
            compiler,
            conn,
            template="((julianday(%(expressions)s)) * 86400.0)",
            arg_joiner=") - julianday(",
            **extra,
        )


class Percentile(Aggregate):
    """PostgreSQL's ordered-set ``percentile_cont(p) WITHIN GROUP (ORDER BY expr)``."""

    function = "PERCENTILE_CONT"
    name = "Percentile"
    output_field = FloatField()
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"

    def __init__(self, expression, fraction: float, **extra):
        if not 0 <= fraction <= 1:
            raise ValueError("fraction must be within 0..1")
        super().__init__(expression, fraction=repr(float(fraction)), **extra)

    def as_sqlite(self, compiler, conn, **extra):
        # SQLite (the embedded demo) has no ordered-set aggregates; see _fill_percentiles.
        return "NULL", []


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive

    @property
    def start_at(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.start, time.min))

    @property
    def end_at(self) -> datetime:
        """Exclusive upper bound: midnight after the last day, in the current time zone."""
        return timezone.make_aware(datetime.combine(self.end + timedelta(days=1), time.min))

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def label(self) -> str:
        q = (self.start.month - 1) // 3 + 1
        if self == quarter_of(self.start):
            return f"{self.start.year} Q{q}"
        return f"{self.start.isoformat()} ~ {self.end.isoformat()}"


def quarter_of(day: date) -> Period:
    first_month = 3 * ((day.month - 1) // 3) + 1
    start = date(day.year, first_month, 1)
    next_start = date(day.year + (first_month + 3 > 12), (first_month + 2) % 12 + 1, 1)
    return Period(start, next_start - timedelta(days=1))


def current_quarter(now: datetime | None = None) -> Period:
    """The quarter containing today in the configured time zone."""
    return quarter_of(timezone.localdate(now or timezone.now()))


def confirm_window() -> timedelta:
    return timedelta(minutes=settings.INCIDENT_CONFIRM_MINUTES)


def _parts_exists():
    """Incidents that consumed parts, from the spare-parts ledger when it exists."""
    try:
        from spareparts.models import StockMove
    except ImportError:
        return None
    kind_field = next((f for f in ("kind", "type", "move_type") if _has_field(StockMove, f)), None)
    if kind_field is None or not _has_field(StockMove, "incident"):
        return None
    return StockMove.objects.filter(incident=OuterRef("pk"), **{kind_field: "issue"})


def _has_field(model, name: str) -> bool:
    try:
        model._meta.get_field(name)
    except Exception:
        return False
    return True


def metric_q(name: str, now: datetime) -> Q:
    """The incidents behind one figure. Unknown names raise KeyError."""
    window = confirm_window()
    eligible = ~Q(status=Status.CANCELLED, confirmed_at__isnull=True)
    in_window = Q(confirmed_at__isnull=False, confirmed_at__lte=F("reported_at") + window)
    metrics = {
        "all": Q(),
        "resolved": Q(resolved_at__isnull=False),
        "closed": Q(status=Status.CLOSED),
        "cancelled": Q(status=Status.CANCELLED),
        "open": Q(status__in=OPEN_STATUSES),
        "confirmed": Q(confirmed_at__isnull=False),
        "confirm_eligible": eligible,
        "confirmed_in_window": in_window,
        "confirmed_late": eligible & ~in_window,
        "escalated": Q(escalation_level__gt=0),
        "surveyed": Q(survey__isnull=False),
        "answered": Q(survey__answered_at__isnull=False),
    }
    for target in TARGETS:
        at, deadline = MILESTONE[target], f"{target}_deadline"
        met = Q(**{f"{at}__isnull": False, f"{at}__lte": F(deadline)})
        breached = Q(**{f"{at}__gt": F(deadline)}) | Q(
            **{f"{at}__isnull": True, "status__in": WAITING[target], f"{deadline}__lt": now}
        )
        metrics[f"{target}_met"] = met
        metrics[f"{target}_breached"] = breached
        metrics[f"{target}_applicable"] = met | breached
    parts = _parts_exists()
    if parts is not None:
        metrics["parts"] = Q(Exists(parts))
    return metrics[name]


METRIC_NAMES = (
    "all",
    "resolved",
    "closed",
    "cancelled",
    "open",
    "confirmed",
    "confirm_eligible",
    "confirmed_in_window",
    "confirmed_late",
    "escalated",
    "surveyed",
    "answered",
    *(f"{t}_{k}" for t in TARGETS for k in ("met", "breached", "applicable")),
    "parts",
)

TARGET_LABELS = {
    "confirm": _("Confirm"),
    "arrive": _("Arrive on site"),
    "resolve": _("Resolve"),
}

METRIC_LABELS = {
    "all": _("All incidents"),
    "resolved": _("Resolved"),
    "closed": _("Closed"),
    "cancelled": _("Cancelled"),
    "open": _("Still open"),
    "confirmed": _("Confirmed"),
    "confirm_eligible": _("Counted for the confirmation window"),
    "confirmed_in_window": _("Confirmed within the window"),
    "confirmed_late": _("Not confirmed within the window"),
    "escalated": _("Escalated"),
    "surveyed": _("Survey sent"),
    "answered": _("Survey answered"),
    "confirm_met": _("Confirm target met"),
    "confirm_breached": _("Confirm target breached"),
    "confirm_applicable": _("Counted for the confirm target"),
    "arrive_met": _("Arrival target met"),
    "arrive_breached": _("Arrival target breached"),
    "arrive_applicable": _("Counted for the arrival target"),
    "resolve_met": _("Resolve target met"),
    "resolve_breached": _("Resolve target breached"),
    "resolve_applicable": _("Counted for the resolve target"),
    "parts": _("Consumed spare parts"),
}

# Additive figures: summed per week, grade, category and team, then added up in Python per
# group (a quarter has at most weeks x grades x categories x teams of them: a few thousand).
COUNTED = (
    "all",
    "resolved",
    "closed",
    "cancelled",
    "open",
    "confirmed",
    "confirm_eligible",
    "confirmed_in_window",
    "escalated",
    *(f"{t}_{k}" for t in TARGETS for k in ("met", "breached")),
)
SURVEY_KEYS = ("n_surveyed", "n_answered", "sum_rating")
# The team an incident was dispatched to (a service centre, a partner or a response group);
# covered by the index of migration 0002, so the pass stays index-only.
GROUP_BY = ("week", "grade", "category_id", "team_id")


def _additive(now: datetime) -> dict:
    exprs = {f"n_{m}": Count("pk", filter=metric_q(m, now) or None) for m in COUNTED}
    exprs["n_all"] = Count("pk")
    exprs["sum_confirm"] = Sum(Seconds("confirmed_at"))
    exprs["sum_resolve"] = Sum(Seconds("resolved_at"))
    exprs["steps"] = Sum("escalation_level")
    return exprs


def _percentile_exprs() -> dict:
    """Medians and p90s: not additive, so computed over the whole set (PostgreSQL shares
    one sort between the two fractions of the same ordering)."""
    exprs = {}
    for key, field in (("confirm", "confirmed_at"), ("resolve", "resolved_at")):
        exprs[f"{key}_median"] = Percentile(Seconds(field), 0.5)
        exprs[f"{key}_p90"] = Percentile(Seconds(field), 0.9)
    return exprs


def _ratio(num, den) -> float | None:
    return None if not den else num / den


def derive(row: dict) -> dict:
    """Rates from the counts of one group (summary, week, grade or category)."""
    row = {f"n_{m}": 0 for m in COUNTED} | {k: 0 for k in SURVEY_KEYS} | dict(row)
    out = dict(row)
    out["confirm_share"] = _ratio(row["n_confirmed_in_window"], row["n_confirm_eligible"])
    for t in TARGETS:
        met, breached = row[f"n_{t}_met"] or 0, row[f"n_{t}_breached"] or 0
        out[f"n_{t}_applicable"] = met + breached
        out[f"{t}_breach_rate"] = _ratio(breached, met + breached)
    out["steps"] = row.get("steps") or 0
    out["steps_per_incident"] = _ratio(out["steps"], row["n_all"])
    out["response_rate"] = _ratio(row["n_answered"], row["n_surveyed"])
    out["csat"] = _ratio(row["sum_rating"] or 0, row["n_answered"])
    out["confirm_mean"] = _ratio(row.get("sum_confirm") or 0, row["n_confirmed"])
    out["resolve_mean"] = _ratio(row.get("sum_resolve") or 0, row["n_resolved"])
    return out


def percentiles(qs) -> dict:
    row = qs.aggregate(**_percentile_exprs())
    if connection.vendor != "postgresql":
        _fill_percentiles(qs, row)
    return row


def parts_consumed(qs) -> dict:
    """Parts issued to (less returned from) the incidents of ``qs``, from the spare-parts
    ledger: one semi-join over the ledger, which is far smaller than the incidents."""
    try:
        from spareparts.models import StockMove
    except ImportError:
        return {}
    moves = StockMove.objects.filter(incident__in=qs.values("pk"), kind__in=["issue", "return"])
    row = moves.aggregate(
        n_parts=Count("incident", distinct=True, filter=Q(kind="issue")),
        parts_issued=Sum("quantity", filter=Q(kind="issue"), default=0),
        parts_returned=Sum("quantity", filter=Q(kind="return"), default=0),
    )
    row["parts_net"] = row["parts_issued"] - row["parts_returned"]
    return row


def _fill_percentiles(qs, row: dict) -> None:
    """SQLite fallback for the embedded demo only: PostgreSQL computes these in SQL."""
    for key, field in (("confirm", "confirmed_at"), ("resolve", "resolved_at")):
        values = sorted(
            v for v in qs.annotate(s=Seconds(field)).values_list("s", flat=True) if v is not None
        )
        if values:
            row[f"{key}_median"] = statistics.median(values)
            deciles = (
                statistics.quantiles(values, n=10, method="inclusive")
                if len(values) > 1
                else values
            )
            row[f"{key}_p90"] = deciles[-1]


def survey_grouped(qs) -> list[dict]:
    """Survey figures per (week, grade, category, team): a separate, smaller pass so that
    the two big passes over the incidents need no join."""
    return list(
        qs.filter(survey__isnull=False)
        .annotate(week=TruncWeek("reported_at"))
        .values(*GROUP_BY)
        .annotate(
            n_surveyed=Count("pk"),
            n_answered=Count("pk", filter=Q(survey__answered_at__isnull=False)),
            sum_rating=Sum("survey__rating"),
        )
        .order_by()
    )


def grouped(qs, now: datetime) -> list[dict]:
    """One row per (week, grade, category, team) with the additive figures."""
    return list(
        qs.annotate(week=TruncWeek("reported_at"))
        .values(*GROUP_BY)
        .annotate(**_additive(now))
        # No ORDER BY: the rows are added up into dicts. Without one PostgreSQL hashes the
        # groups instead of sorting the quarter's rows first (~30% faster at 1M on file).
        .order_by()
    )


def _add_up(rows: list[dict], key) -> dict:
    totals: dict = {}
    for row in rows:
        acc = totals.setdefault(key(row), {})
        for name, value in row.items():
            if name.startswith(("n_", "sum_")) or name == "steps":
                acc[name] = (acc.get(name) or 0) + (value or 0)
    return totals


def rollup(rows: list[dict], key) -> dict:
    """Add up grouped rows by ``key(row)`` and derive the rates of each group."""
    return {k: derive(v) for k, v in _add_up(rows, key).items()}


def weeks_of(period: Period) -> list[date]:
    """Mondays of the weeks that overlap ``period``."""
    first = period.start - timedelta(days=period.start.weekday())
    return [first + timedelta(weeks=i) for i in range((period.end - first).days // 7 + 1)]


def evaluate(qs, period: Period, *, now: datetime | None = None) -> dict:
    """Every figure of the evaluation page for the incidents of ``qs`` (already limited to
    the period and the filters)."""
    now = now or timezone.now()
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # The estimated cost of these one-pass aggregates triggers PostgreSQL's JIT,
            # whose compile time (~300 ms) is more than the query itself takes.
            # Enough memory to group and join a quarter in memory rather than on disk.
            with connection.cursor() as cursor:
                # set_config(): SET takes no bound parameters (server-side binding).
                cursor.execute(
                    "SELECT set_config('jit', 'off', true), set_config('work_mem', %s, true)",
                    [EVALUATION_WORK_MEM],
                )
        rows = grouped(qs, now) + survey_grouped(qs)
        extra = percentiles(qs) | parts_consumed(qs)
    total = derive(_add_up(rows, lambda r: 0).get(0, {}) | extra)
    by_week = rollup(
        rows,
        lambda r: timezone.localtime(r["week"]).date() if settings.USE_TZ else r["week"].date(),
    )
    empty = derive({})
    weekly = [(monday, by_week.get(monday, empty)) for monday in weeks_of(period)]
    return {
        "total": total,
        "weekly": weekly,
        "by_grade": rollup(rows, lambda r: r["grade"]),
        "by_category": rollup(rows, lambda r: r["category_id"]),
        "by_team": rollup(rows, lambda r: r["team_id"]),
        "has_parts": "n_parts" in total,
    }


def resolve_ranks(qs, incidents) -> dict[int, float]:
    """Each resolved incident's place among its grade's resolve times in ``qs``, as SQL's
    ``PERCENT_RANK() OVER (PARTITION BY grade ORDER BY resolve time NULLS LAST)`` would give
    it: the share of the grade's other incidents that resolved faster. One aggregate for a
    page of incidents, instead of ranking the whole filtered set to show 25 of them
    (on PostgreSQL, one pass with a binary search per row: assessments/ranks_pg.py)."""
    rows = [i for i in incidents if i.resolved_at is not None]
    if not rows:
        return {}
    seconds = {i.pk: (i.resolved_at - i.reported_at).total_seconds() for i in rows}
    thresholds = {
        grade: sorted({seconds[i.pk] for i in rows if i.grade == grade})
        for grade in {i.grade for i in rows}
    }
    if accelerated():
        from assessments import ranks_pg

        below, totals = ranks_pg.faster_counts(qs, Seconds("resolved_at"), thresholds)
    else:
        below, totals = _faster_counts(qs, thresholds)
    ranks = {}
    for i in rows:
        n = totals[i.grade]
        faster = below[i.grade][thresholds[i.grade].index(seconds[i.pk])]
        ranks[i.pk] = faster / (n - 1) if n > 1 else 0.0
    return ranks


def grade_times(qs) -> dict[str, tuple[list[float], int]]:
    """Per grade of ``qs``: its resolve times, sorted, and how many incidents it holds
    (resolved or not); what ``ranks_from`` ranks any page of ``qs`` with."""
    times: dict[str, list[float]] = defaultdict(list)
    totals: dict[str, int] = defaultdict(int)
    rows = qs.order_by().annotate(_s=Seconds("resolved_at")).values_list("grade", "_s")
    for grade, seconds in rows.iterator(chunk_size=10_000):
        totals[grade] += 1
        if seconds is not None:
            times[grade].append(seconds)
    return {grade: (sorted(times[grade]), n) for grade, n in totals.items()}


def ranks_from(times: dict[str, tuple[list[float], int]], incidents) -> dict[int, float]:
    """``resolve_ranks`` from ``grade_times`` of the same set: a binary search per incident."""
    ranks = {}
    for i in incidents:
        if i.resolved_at is None or i.grade not in times:
            continue
        sorted_times, n = times[i.grade]
        faster = bisect_left(sorted_times, (i.resolved_at - i.reported_at).total_seconds())
        ranks[i.pk] = faster / (n - 1) if n > 1 else 0.0
    return ranks


def _faster_counts(qs, thresholds: dict[str, list[float]]):
    """The portable path of ``ranks_pg.faster_counts``: a COUNT ... FILTER per threshold."""
    qs = qs.order_by().annotate(_resolve_s=Seconds("resolved_at"))
    sums = {f"n_{g}": Count("pk", filter=Q(grade=g)) for g in thresholds}
    for g, ts in thresholds.items():
        for k, t in enumerate(ts):
            sums[f"lt_{g}_{k}"] = Count("pk", filter=Q(grade=g, _resolve_s__lt=t))
    counts = qs.aggregate(**sums)
    below = {g: [counts[f"lt_{g}_{k}"] for k in range(len(ts))] for g, ts in thresholds.items()}
    return below, {g: counts[f"n_{g}"] for g in thresholds}
