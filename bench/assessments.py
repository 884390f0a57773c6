"""Assessments benchmark (``make bench``): the quarterly evaluation page with 1,000,000
incidents on file renders in under 1 s.

Uses the shared bench data set (``bench/dataset.py``: 1M incidents over two years, by COPY,
in ``aftersales_bench``) and adds satisfaction surveys for half of the resolved incidents
(a third of those answered) so that the CSAT join has real rows. Then renders, through the
full Django stack (middleware, session, template, SVG charts), as a manager:

* the default page (the current quarter, which is partly over),
* the last full quarter,
* the last full quarter filtered by grade,
* the last full quarter filtered by its busiest team,
* the last full quarter's CSV export,

one warm-up and ``BENCH_RUNS`` (default 5) timed runs each; prints median and max.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.dataset import bench_database_url, ensure_incidents  # noqa: E402

INCIDENTS = int(os.environ.get("BENCH_INCIDENTS", "1000000"))
RUNS = int(os.environ.get("BENCH_RUNS", "5"))
GOAL_SECONDS = 1.0

SURVEYS_SQL = """
INSERT INTO assessments_survey (incident_id, token, language, created_at, expires_at,
                                sent_at, answered_at, rating, comment)
SELECT id, md5(id::text) || md5((id * 7)::text), 'zh-hans', resolved_at,
       resolved_at + interval '14 days', NULL,
       CASE WHEN id % 6 = 0 THEN resolved_at + interval '1 day' END,
       CASE WHEN id % 6 = 0 THEN 1 + (id / 6) % 5 END, ''
FROM incidents_incident
WHERE resolved_at IS NOT NULL AND id % 2 = 0
ON CONFLICT DO NOTHING
"""


def _setup(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_ENV"] = "test"
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def _surveys() -> None:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT EXISTS (SELECT 1 FROM assessments_survey)")
        if cur.fetchone()[0]:
            return
        started = time.perf_counter()
        cur.execute(SURVEYS_SQL)
        cur.execute("ANALYZE assessments_survey")
        print(f"  surveys added in {time.perf_counter() - started:.1f} s")


def _client():
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.test import Client

    user, _ = get_user_model().objects.get_or_create(username="bench-assessments-manager")
    user.groups.add(Group.objects.get(name="manager"))
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    return client


def _time(client, url: str, params: dict) -> tuple[float, float, int]:
    response = client.get(url, params)  # warm-up
    if response.status_code != 200:
        raise SystemExit(f"{url} answered {response.status_code}")
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        response = client.get(url, params)
        times.append(time.perf_counter() - started)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
    return statistics.median(times), max(times), _count(params)


def _count(params: dict) -> int:
    from assessments.filtersets import EvaluationFilterSet
    from incidents.models import Incident

    return EvaluationFilterSet(params, queryset=Incident.objects.all()).qs.count()


def _by_team(params: dict) -> dict:
    """The last full quarter's breakdown by team / service centre, as the page computes it;
    printed so the figures can be checked by eye, with the time the two passes took."""
    from django.utils import timezone

    from assessments.evaluation import evaluate
    from assessments.filtersets import EvaluationFilterSet
    from incidents.models import Incident
    from teams.models import Team

    fs = EvaluationFilterSet(params, queryset=Incident.objects.all())
    started = time.perf_counter()
    by_team = evaluate(fs.qs, fs.period, now=timezone.now())["by_team"]
    took = time.perf_counter() - started
    names = dict(Team.objects.values_list("pk", "name"))
    rows = sorted(by_team.items(), key=lambda kv: -kv[1]["n_all"])
    print(f"  by team / service centre, {fs.period.label()} (evaluate: {took * 1000:.0f} ms):")
    print(f"    {'team':<34} {'incidents':>9} {'resolve breached':>16} {'CSAT':>5}")
    for pk, row in rows[:12]:
        rate = row["resolve_breach_rate"]
        csat = row["csat"]
        print(
            f"    {names.get(pk, '(no team dispatched)')[:34]:<34} {row['n_all']:>9,} "
            f"{'—' if rate is None else f'{rate:.1%}':>16} "
            f"{'—' if csat is None else f'{csat:.2f}':>5}"
        )
    if len(rows) > 12:
        print(f"    … and {len(rows) - 12} more")
    return by_team


def main() -> int:
    url = bench_database_url()
    started = time.perf_counter()
    total = ensure_incidents(url, INCIDENTS)
    print(f"  data set: {total:,} incidents ({time.perf_counter() - started:.1f} s)")
    _setup(url)
    _surveys()
    from django.urls import reverse

    from assessments.evaluation import current_quarter, quarter_of

    page = reverse("assessments:evaluation")
    export = reverse("assessments:evaluation_export", args=["csv"])
    last = quarter_of(current_quarter().start - timedelta(days=1))
    full = {"start": last.start.isoformat(), "end": last.end.isoformat()}
    client = _client()
    worst = 0.0
    by_team = _by_team(full)
    busiest = max((pk for pk in by_team if pk), key=lambda pk: by_team[pk]["n_all"], default="")
    cases = [
        ("evaluation page, current quarter (default)", page, {}),
        (f"evaluation page, last full quarter {last.label()}", page, full),
        ("evaluation page, last full quarter, grade I", page, {**full, "grade": "I"}),
        ("evaluation page, last full quarter, busiest team", page, {**full, "team": busiest}),
        ("evaluation CSV export, last full quarter", export, full),
    ]
    for label, target, params in cases:
        median, slowest, count = _time(client, target, params)
        worst = max(worst, median)
        print(
            f"  {label}: median {median * 1000:.0f} ms, max {slowest * 1000:.0f} ms "
            f"({count:,} incidents in the period, {total:,} on file)"
        )
    ok = worst < GOAL_SECONDS
    print(
        f"assessments: slowest median {worst * 1000:.0f} ms "
        f"(goal < {GOAL_SECONDS * 1000:.0f} ms): {'OK' if ok else 'TOO SLOW'}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
