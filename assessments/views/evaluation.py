"""The periodic evaluation page, its drill-down list of incidents and its exports."""

from __future__ import annotations

import hashlib
from datetime import datetime
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_required, permission_required
from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from assessments import charts, exports
from assessments.evaluation import (
    METRIC_LABELS,
    TARGET_LABELS,
    TARGETS,
    Seconds,
    evaluate,
    grade_times,
    ranks_from,
    resolve_ranks,
)
from assessments.filtersets import EvaluationFilterSet
from assessments.templatetags.assessment_tags import duration, num, pct
from incidents.models import Category, Grade, Incident
from teams.models import Team

PAGE_SIZE = 25  # the drill-down: 11 columns per row, each row ranked in its grade
EVALUATION_PERM = "assessments.view_evaluation"


def _filterset(request) -> EvaluationFilterSet:
    base = Incident.objects.restrict(request.user)
    return EvaluationFilterSet(request.GET, queryset=base)


class Links:
    """URLs of the incidents behind each figure: the drill-down with the page's filters."""

    def __init__(self, params: dict):
        self.params = params
        self.base = reverse("assessments:evaluation_incidents")

    def __call__(self, metric: str = "all", **extra) -> str:
        return f"{self.base}?{urlencode({**self.params, 'metric': metric, **extra})}"


def _cards(total: dict, link: Links, has_parts: bool) -> list[dict]:
    n = total["n_all"]
    cards = [
        {"label": _("Incidents"), "value": n, "href": link("all")},
        {"label": _("Resolved"), "value": total["n_resolved"], "href": link("resolved")},
        {"label": _("Still open"), "value": total["n_open"], "href": link("open")},
        {
            "label": _("Confirmed within %(m)s min") % {"m": _confirm_minutes()},
            "value": pct(total["confirm_share"]),
            "sub": f"{total['n_confirmed_in_window']} / {total['n_confirm_eligible']}",
            "href": link("confirmed_in_window"),
            "alert": _low(total["confirm_share"]),
        },
        {
            "label": _("Escalated"),
            "value": total["n_escalated"],
            "sub": _("%(s)s steps") % {"s": total["steps"]},
            "href": link("escalated"),
        },
        {
            "label": _("Satisfaction (1-5)"),
            "value": num(total["csat"], 2),
            "sub": _("%(a)s of %(s)s answered")
            % {"a": total["n_answered"], "s": total["n_surveyed"]},
            "href": link("answered"),
        },
    ]
    if has_parts:
        cards.append(
            {
                "label": _("Spare parts consumed"),
                "value": total.get("parts_net", 0),
                "sub": _("%(n)s incidents") % {"n": total.get("n_parts", 0)},
                "href": link("parts"),
            }
        )
    return cards


def _confirm_minutes() -> int:
    from django.conf import settings

    return settings.INCIDENT_CONFIRM_MINUTES


def _low(share) -> bool:
    return share is not None and share < 0.9


def _charts(weekly: list, link: Links) -> dict:
    labels = [monday.strftime("%m-%d") for monday, _row in weekly]

    def week_link(monday, metric):
        return link(metric, week=monday.isoformat())

    counts = charts.Series(
        _("Incidents"),
        "#94a3b8",
        [
            charts.Point(
                row["n_all"],
                week_link(m, "all"),
                _("Week of %(d)s: %(n)s incidents") % {"d": m, "n": row["n_all"]},
            )
            for m, row in weekly
        ],
    )
    share = charts.Series(
        _("Confirmed within the window"),
        "#1d4ed8",
        [
            charts.Point(
                row["confirm_share"],
                week_link(m, "confirmed_in_window"),
                f"{m}: {pct(row['confirm_share'])}",
            )
            for m, row in weekly
        ],
    )
    colors = {"confirm": "#b91c1c", "arrive": "#c2410c", "resolve": "#7c3aed"}
    breaches = [
        charts.Series(
            _("%(t)s target breached") % {"t": TARGET_LABELS[t]},
            colors[t],
            [
                charts.Point(
                    row[f"{t}_breach_rate"],
                    week_link(m, f"{t}_breached"),
                    f"{m}: {pct(row[f'{t}_breach_rate'])}",
                )
                for m, row in weekly
            ],
        )
        for t in TARGETS
    ]
    resolve = charts.Series(
        _("Mean time to resolve (hours)"),
        "#0f766e",
        [
            charts.Point(
                None if row["resolve_mean"] is None else row["resolve_mean"] / 3600,
                week_link(m, "resolved"),
                f"{m}: {duration(row['resolve_mean'])}",
            )
            for m, row in weekly
        ],
    )
    csat = charts.Series(
        _("Satisfaction (1-5)"),
        "#ca8a04",
        [
            charts.Point(row["csat"], week_link(m, "answered"), f"{m}: {num(row['csat'], 2)}")
            for m, row in weekly
        ],
    )
    return {
        "volume": charts.chart(
            labels=labels,
            bars=counts,
            lines=[share],
            title=_("Incidents per week and share confirmed in time"),
        ),
        "volume_legend": charts.legend([counts, share]),
        "breaches": charts.chart(
            labels=labels, lines=breaches, title=_("Breach rate per target, per week")
        ),
        "breaches_legend": charts.legend(breaches),
        "resolve": charts.chart(
            labels=labels,
            bars=resolve,
            lines=[csat],
            percent=False,
            title=_("Time to resolve and satisfaction, per week"),
        ),
        "resolve_legend": charts.legend([resolve, csat]),
    }


def _filter_key(prefix: str, request, filterset, ignore=()) -> str:
    """A cache key for what ``request``'s filters select (``ignore``: parameters that only
    page or order it)."""
    params = sorted((k, v) for k, values in request.GET.lists() if k not in ignore for v in values)
    params += [("period", f"{filterset.period.start}/{filterset.period.end}")]
    return f"{prefix}:" + hashlib.sha256(urlencode(params).encode()).hexdigest()


def _evaluate_cached(request, filterset) -> tuple[dict, datetime]:
    """The figures and when they were computed. A quarter at a million incidents takes the
    database about half a second, so each filter's figures are kept for
    EVALUATION_CACHE_SECONDS (the page says how old they are); 0 computes every time."""
    now = timezone.now()
    seconds = settings.EVALUATION_CACHE_SECONDS
    if not seconds:
        return evaluate(filterset.qs, filterset.period, now=now), now
    key = _filter_key("evaluation", request, filterset)
    cached = cache.get(key)
    if cached is None:
        cached = (evaluate(filterset.qs, filterset.period, now=now), now)
        cache.set(key, cached, seconds)
    return cached


def _grade_times_cached(request, filterset):
    """The drill-down's set ranked once (``grade_times``) and kept like the figures, for
    EVALUATION_CACHE_SECONDS: paging through it ranks each page by a binary search instead
    of reading the set again (bench/pages: a quarter at 1M incidents, 192 ms median a page
    with a COUNT and a ranking pass each). None when figures are not kept (0)."""
    seconds = settings.EVALUATION_CACHE_SECONDS
    if not seconds:
        return None
    key = _filter_key("evaluation-times", request, filterset, ignore=("page", "order"))
    times = cache.get(key)
    if times is None:
        times = grade_times(filterset.qs)
        cache.set(key, times, seconds)
    return times


def evaluation_context(request) -> dict:
    filterset = _filterset(request)
    period = filterset.period
    result, computed_at = _evaluate_cached(request, filterset)
    link = Links(filterset.link_params())
    total = result["total"]
    categories = {c.pk: c for c in Category.objects.all()}
    teams = {t.pk: t for t in Team.objects.filter(pk__in=[k for k in result["by_team"] if k])}
    return {
        "filter": filterset,
        "period": period,
        "computed_at": computed_at,
        "cache_minutes": settings.EVALUATION_CACHE_SECONDS // 60,
        "result": result,
        "total": total,
        "cards": _cards(total, link, result["has_parts"]),
        "times": [
            {
                "label": _("Time to confirm"),
                "metric": "confirmed",
                "order": "confirm",
                "mean": total["confirm_mean"],
                "median": total["confirm_median"],
                "p90": total["confirm_p90"],
                "n": total["n_confirmed"],
                "href": link("confirmed", order="confirm"),
            },
            {
                "label": _("Time to resolve"),
                "metric": "resolved",
                "order": "resolve",
                "mean": total["resolve_mean"],
                "median": total["resolve_median"],
                "p90": total["resolve_p90"],
                "n": total["n_resolved"],
                "href": link("resolved", order="resolve"),
            },
        ],
        "targets": [
            {
                "label": TARGET_LABELS[t],
                "key": t,
                "met": total[f"n_{t}_met"],
                "breached": total[f"n_{t}_breached"],
                "applicable": total[f"n_{t}_applicable"],
                "rate": total[f"{t}_breach_rate"],
                "href_met": link(f"{t}_met"),
                "href_breached": link(f"{t}_breached"),
                "href_applicable": link(f"{t}_applicable"),
            }
            for t in TARGETS
        ],
        "by_grade": [
            {
                "grade": g,
                "label": Grade(g).label,
                "row": result["by_grade"][g],
                "href": link("all", grade=g),
            }
            for g in Grade.values
            if g in result["by_grade"]
        ],
        "by_category": [
            {
                "label": getattr(categories.get(pk), "label", "—"),
                "row": row,
                "href": link("all", category=getattr(categories.get(pk), "slug", "")),
            }
            for pk, row in sorted(result["by_category"].items(), key=lambda kv: -kv[1]["n_all"])
        ],
        "by_team": [
            {
                "label": teams[pk].label if pk in teams else _("No team dispatched"),
                "row": row,
                "href": link("all", team=pk) if pk in teams else "",
            }
            for pk, row in sorted(
                result["by_team"].items(),
                key=lambda kv: (kv[0] is None, -kv[1]["n_all"]),
            )
        ],
        "charts": _charts(result["weekly"], link),
        "weekly": [(m, row, link("all", week=m.isoformat())) for m, row in result["weekly"]],
        "link": link,
        "export_query": urlencode(filterset.link_params()),
    }


@require_GET
@login_required
@permission_required(EVALUATION_PERM, raise_exception=True)
def evaluation(request):
    return render(request, "assessments/evaluation.html", evaluation_context(request))


@require_GET
@login_required
@permission_required(EVALUATION_PERM, raise_exception=True)
def evaluation_export(request, fmt: str):
    context = evaluation_context(request)
    if fmt == "csv":
        return exports.evaluation_csv(context)
    if fmt == "xlsx":
        return exports.evaluation_xlsx(context)
    raise Http404


ORDERINGS = {
    "confirm": (Seconds("confirmed_at").desc(nulls_last=True), "-pk"),
    "resolve": (Seconds("resolved_at").desc(nulls_last=True), "-pk"),
}


@require_GET
@login_required
@permission_required(EVALUATION_PERM, raise_exception=True)
def evaluation_incidents(request):
    """The incidents behind one figure of the evaluation, with each one's place among its
    grade's resolve times in the filtered set."""
    filterset = _filterset(request)
    qs = filterset.qs.select_related("category", "team", "assignee", "survey").annotate(
        confirm_s=Seconds("confirmed_at"),
        resolve_s=Seconds("resolved_at"),
    )
    order = ORDERINGS.get(request.GET.get("order", ""), ("-reported_at", "-pk"))
    # Page through the ids first: the filters and orders read only columns of the
    # incident_evaluation_cover index, so PostgreSQL pages without touching the table
    # (ordered by resolve time in a quarter of 1M incidents: 470 ms -> 50 ms); then the page's rows.
    ids = Paginator(qs.order_by(*order).values_list("pk", flat=True), PAGE_SIZE)
    times = _grade_times_cached(request, filterset)
    if times is not None:  # the set's size is known from them: no COUNT
        ids.__dict__["count"] = sum(n for _t, n in times.values())
    page = ids.get_page(request.GET.get("page"))
    rows = qs.in_bulk(list(page.object_list))
    page.object_list = [rows[pk] for pk in page.object_list]
    if times is not None:
        ranks = ranks_from(times, page.object_list)
    else:
        ranks = resolve_ranks(filterset.qs, page.object_list)
    for incident in page.object_list:
        incident.resolve_rank = ranks.get(incident.pk)
    query = request.GET.copy()
    query.pop("page", None)
    back = request.GET.copy()
    for key in ("metric", "week", "page", "order"):
        back.pop(key, None)
    metric = request.GET.get("metric", "all")
    return render(
        request,
        "assessments/evaluation_incidents.html",
        {
            "filter": filterset,
            "period": filterset.period,
            "page": page,
            "metric_label": METRIC_LABELS.get(metric, METRIC_LABELS["all"]),
            "week": filterset._clean_data().get("week"),
            "querystring": query.urlencode(),
            "back_query": back.urlencode(),
        },
    )
