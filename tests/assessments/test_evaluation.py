"""Every KPI against a small hand-computed set of incidents.

TIME_ZONE is Asia/Shanghai (+08:00). Q1 2026 runs from 2025-12-31 16:00 UTC to
2026-03-31 16:00 UTC. Policy targets (minutes): I 30/120/480, III 30/480/4320.

in the period:
  A  I    2025-12-31 17:00Z (Jan 1 01:00 local)  confirm 10, arrive 100, resolve 400; 5 stars
  B  III  2026-03-31 15:59Z (Mar 31 23:59 local) confirm 45, resolve 5000 (remote, no arrival)
  E  I    2026-02-15 17:00Z (Mon Feb 16 01:00)   never confirmed, still reported; 2 steps
  F  III  2026-02-11 02:00Z                       cancelled before confirmation
  G  III  2026-03-01 00:00Z                       confirm 30, arrive 500, resolve 600; 4 stars;
                                                  1 step
outside: C (2026-03-31 16:00Z = Apr 1 local), D (2025-12-31 15:59Z = Dec 31 local)
"""

import re
from datetime import date

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from assessments import services
from assessments.evaluation import Period, current_quarter, evaluate, quarter_of
from assessments.filtersets import EvaluationFilterSet
from assessments.models import Survey
from incidents.models import Incident
from tests.assessments.conftest import utc, walk

NOW = utc(2026, 4, 9, 16, 0)
Q1 = Period(date(2026, 1, 1), date(2026, 3, 31))


@pytest.fixture
def cases(org, settings):
    settings.TIME_ZONE = "Asia/Shanghai"
    sc = org["service_centre"]
    made = {
        "A": walk(
            "I", utc(2025, 12, 31, 17, 0), confirm=10, dispatch=20, arrive=100, resolve=400, team=sc
        ),
        "B": walk("III", utc(2026, 3, 31, 15, 59), confirm=45, resolve=5000),
        "C": walk("III", utc(2026, 3, 31, 16, 0), confirm=5),
        "D": walk("III", utc(2025, 12, 31, 15, 59), confirm=5),
        "E": walk("I", utc(2026, 2, 15, 17, 0), escalation=2),
        "F": walk("III", utc(2026, 2, 11, 2, 0), cancel=20),
        "G": walk(
            "III",
            utc(2026, 3, 1, 0, 0),
            confirm=30,
            dispatch=40,
            arrive=500,
            resolve=600,
            team=sc,
            escalation=1,
            category_slug="service-quality",
        ),
    }
    for key, rating in (("A", 5), ("G", 4)):
        survey = Survey.objects.get(incident=made[key])
        services.answer_survey(survey.token, rating=rating, now=survey.created_at)
    return made


def _evaluate(period=Q1, **filters):
    data = {"start": period.start.isoformat(), "end": period.end.isoformat(), **filters}
    fs = EvaluationFilterSet(data, queryset=Incident.objects.all(), now=NOW)
    return fs, evaluate(fs.qs, fs.period, now=NOW)


def test_period_takes_local_dates_so_edge_incidents_fall_in_the_right_quarter(cases):
    fs, _result = _evaluate()
    numbers = set(fs.qs.values_list("number", flat=True))
    assert numbers == {cases[k].number for k in "ABEFG"}


def test_counts(cases):
    total = _evaluate()[1]["total"]
    assert total["n_all"] == 5
    assert total["n_resolved"] == 3
    assert total["n_cancelled"] == 1
    assert total["n_open"] == 1
    assert total["n_closed"] == 0


def test_share_confirmed_within_30_minutes_leaves_out_cancelled_before_confirmation(cases):
    total = _evaluate()[1]["total"]
    assert total["n_confirm_eligible"] == 4  # A B E G
    assert total["n_confirmed_in_window"] == 2  # A (10 min) and G (exactly 30)
    assert total["confirm_share"] == pytest.approx(0.5)


def test_mean_median_p90_time_to_confirm(cases):
    total = _evaluate()[1]["total"]
    # A 600 s, G 1800 s, B 2700 s; p90 interpolates 1800 + 0.8 * 900.
    assert total["confirm_mean"] == pytest.approx(1700)
    assert total["confirm_median"] == pytest.approx(1800)
    assert total["confirm_p90"] == pytest.approx(2520)


def test_mean_median_p90_time_to_resolve(cases):
    total = _evaluate()[1]["total"]
    # A 24000 s, G 36000 s, B 300000 s.
    assert total["resolve_mean"] == pytest.approx(120000)
    assert total["resolve_median"] == pytest.approx(36000)
    assert total["resolve_p90"] == pytest.approx(36000 + 0.8 * 264000)


def test_breach_rate_per_target(cases):
    total = _evaluate()[1]["total"]
    # confirm: met A G, breached B (45 > 30) and E (never, deadline passed)
    assert (total["n_confirm_met"], total["n_confirm_breached"]) == (2, 2)
    assert total["confirm_breach_rate"] == pytest.approx(0.5)
    # arrive: met A; breached G (500 > 480) and E (still waiting); B resolved remotely: n/a
    assert (total["n_arrive_met"], total["n_arrive_breached"]) == (1, 2)
    assert total["arrive_breach_rate"] == pytest.approx(2 / 3)
    # resolve: met A G, breached B (5000 > 4320) and E (open past its deadline)
    assert (total["n_resolve_met"], total["n_resolve_breached"]) == (2, 2)
    assert total["resolve_breach_rate"] == pytest.approx(0.5)


def test_escalation_steps(cases):
    total = _evaluate()[1]["total"]
    assert total["n_escalated"] == 2
    assert total["steps"] == 3
    assert total["steps_per_incident"] == pytest.approx(3 / 5)


def test_csat_average_and_response_rate(cases):
    total = _evaluate()[1]["total"]
    assert total["n_surveyed"] == 3  # A B G were resolved, each got a survey
    assert total["n_answered"] == 2
    assert total["csat"] == pytest.approx(4.5)
    assert total["response_rate"] == pytest.approx(2 / 3)


def test_weekly_trend_buckets_by_local_monday(cases):
    weekly = dict(_evaluate()[1]["weekly"])
    assert len(weekly) == 14
    counts = {m: row["n_all"] for m, row in weekly.items() if row["n_all"]}
    # E is Monday Feb 16 01:00 in Shanghai but still Sunday Feb 15 in UTC.
    assert counts == {
        date(2025, 12, 29): 1,
        date(2026, 2, 9): 1,
        date(2026, 2, 16): 1,
        date(2026, 2, 23): 1,
        date(2026, 3, 30): 1,
    }


def test_breakdowns_by_grade_and_category(cases):
    result = _evaluate()[1]
    assert result["by_grade"]["I"]["n_all"] == 2
    assert result["by_grade"]["III"]["n_all"] == 3
    assert result["by_grade"]["I"]["confirm_share"] == pytest.approx(0.5)
    by_cat = {k: v["n_all"] for k, v in result["by_category"].items()}
    assert sorted(by_cat.values()) == [1, 4]


def test_filters_narrow_every_figure(cases, org):
    total = _evaluate(grade="III")[1]["total"]
    assert total["n_all"] == 3
    assert total["n_confirmed_in_window"] == 1
    team_total = _evaluate(team=org["service_centre"].pk)[1]["total"]
    assert team_total["n_all"] == 2  # A and G were dispatched to the centre
    centre_total = _evaluate(service_centre=org["service_centre"].pk)[1]["total"]
    assert centre_total["n_all"] == 2
    cat_total = _evaluate(category="service-quality")[1]["total"]
    assert cat_total["n_all"] == 1


def test_empty_period_gives_zeros_and_no_rates(cases):
    empty = Period(date(2024, 1, 1), date(2024, 3, 31))
    result = _evaluate(empty)[1]
    total = result["total"]
    assert total["n_all"] == 0
    assert total["confirm_share"] is None
    assert total["confirm_median"] is None
    assert total["resolve_p90"] is None
    assert total["csat"] is None
    assert all(row["n_all"] == 0 for _m, row in result["weekly"])


def test_current_quarter_is_taken_in_the_configured_time_zone(settings):
    instant = utc(2026, 4, 1, 3, 0)  # Apr 1 11:00 in Shanghai, Mar 31 23:00 in New York
    settings.TIME_ZONE = "Asia/Shanghai"
    assert current_quarter(instant) == Period(date(2026, 4, 1), date(2026, 6, 30))
    settings.TIME_ZONE = "America/New_York"
    assert current_quarter(instant) == Period(date(2026, 1, 1), date(2026, 3, 31))
    assert quarter_of(date(2026, 12, 5)) == Period(date(2026, 10, 1), date(2026, 12, 31))


def test_period_bounds_follow_a_time_zone_with_daylight_saving(settings, db):
    settings.TIME_ZONE = "America/New_York"
    timezone.activate("America/New_York")
    try:
        period = Period(date(2026, 3, 1), date(2026, 3, 31))
        assert period.start_at == utc(2026, 3, 1, 5, 0)  # EST
        assert period.end_at == utc(2026, 4, 1, 4, 0)  # EDT
    finally:
        timezone.deactivate()


def test_default_period_of_the_page_is_the_current_quarter(manager_client, cases):
    with time_machine.travel(utc(2026, 2, 20, 4, 0), tick=False):
        response = manager_client.get(reverse("assessments:evaluation"))
    assert response.status_code == 200
    assert response.context["period"] == Q1
    assert response.context["total"]["n_all"] == 5


def test_every_figure_links_to_the_incidents_behind_it(manager_client, cases):
    with time_machine.travel(NOW, tick=False):
        response = manager_client.get(
            reverse("assessments:evaluation"), {"start": "2026-01-01", "end": "2026-03-31"}
        )
        card = next(
            c for c in response.context["cards"] if c["href"].endswith("metric=confirmed_in_window")
        )
        listed = manager_client.get(card["href"])
        breached = next(t for t in response.context["targets"] if t["key"] == "arrive")
        arrive = manager_client.get(breached["href_breached"])
    assert listed.status_code == 200
    assert {i.number for i in listed.context["page"]} == {cases["A"].number, cases["G"].number}
    assert {i.number for i in arrive.context["page"]} == {cases["E"].number, cases["G"].number}
    for monday, row, href in response.context["weekly"]:
        if row["n_all"]:
            with time_machine.travel(NOW, tick=False):
                week = manager_client.get(href)
            assert week.context["page"].paginator.count == row["n_all"], monday


def test_evaluation_page_renders_charts_and_is_for_managers(
    manager_client, technician_client, cases
):
    response = manager_client.get(
        reverse("assessments:evaluation"), {"start": "2026-01-01", "end": "2026-03-31"}
    )
    body = response.content.decode()
    assert body.count('<svg class="chart"') == 3
    assert "metric=all&amp;week=2026-02-16" in body
    assert technician_client.get(reverse("assessments:evaluation")).status_code == 403


def test_evaluation_page_query_count_does_not_grow_with_incidents(
    manager_client, cases, django_assert_max_num_queries
):
    with django_assert_max_num_queries(20):
        manager_client.get(
            reverse("assessments:evaluation"), {"start": "2026-01-01", "end": "2026-03-31"}
        )


def test_exports_csv_and_xlsx(manager_client, cases):
    params = {"start": "2026-01-01", "end": "2026-03-31"}
    csv = manager_client.get(reverse("assessments:evaluation_export", args=["csv"]), params)
    assert csv["Content-Type"].startswith("text/csv")
    text = csv.content.decode("utf-8-sig")
    assert "Incidents,5" in text
    assert "Share confirmed within the window,0.5" in text
    xlsx = manager_client.get(reverse("assessments:evaluation_export", args=["xlsx"]), params)
    assert xlsx.status_code == 200
    from io import BytesIO

    from openpyxl import load_workbook

    book = load_workbook(BytesIO(xlsx.content))
    rows = {r[0]: r[1] for r in book["Summary"].iter_rows(values_only=True)}
    assert rows["Incidents"] == 5
    assert rows["Satisfaction (1-5)"] == 4.5
    assert len(list(book["Weekly"].iter_rows())) == 15


def _sections(text: str) -> dict[str, list[list[str]]]:
    """The CSV export's sections: title -> rows (header row first)."""
    import csv
    import io

    sections: dict[str, list[list[str]]] = {}
    current = None
    for row in csv.reader(io.StringIO(text)):
        if row and row[0].startswith("# "):
            current = sections.setdefault(row[0][2:], [])
        elif row and current is not None:
            current.append(row)
    return sections


ENGLISH_WORD = re.compile(r"[A-Za-z]{3,}")


def test_breakdown_by_team(cases, org):
    by_team = _evaluate()[1]["by_team"]
    assert by_team[org["service_centre"].pk]["n_all"] == 2  # A and G
    assert by_team[org["service_centre"].pk]["csat"] == 4.5
    assert by_team[None]["n_all"] == 3  # never dispatched to a team


def test_evaluation_page_in_chinese_has_the_team_breakdown_and_period_labels(
    manager_client, cases, org
):
    manager_client.cookies["django_language"] = "zh-hans"
    page = manager_client.get(
        reverse("assessments:evaluation"), {"start": "2026-01-01", "end": "2026-03-31"}
    ).content.decode()
    assert "调出库" not in page and "调入库" not in page  # spare-parts transfer words
    assert "开始日期" in page and "结束日期" in page
    assert "按服务组" in page
    team = org["service_centre"]
    assert f"team={team.pk}" in page


def test_chinese_exports_have_chinese_labels(manager_client, cases):
    manager_client.cookies["django_language"] = "zh-hans"
    params = {"start": "2026-01-01", "end": "2026-03-31"}
    response = manager_client.get(reverse("assessments:evaluation_export", args=["csv"]), params)
    sections = _sections(response.content.decode("utf-8-sig"))
    assert {"概览", "按周", "按等级", "按类别", "按服务组"} <= set(sections)
    labels = [c for rows in sections.values() for c in rows[0]]
    labels += [row[0] for row in sections["概览"]]
    assert [c for c in labels if ENGLISH_WORD.search(c)] == []
    xlsx = manager_client.get(reverse("assessments:evaluation_export", args=["xlsx"]), params)
    from io import BytesIO

    from openpyxl import load_workbook

    book = load_workbook(BytesIO(xlsx.content))
    assert "按服务组" in book.sheetnames
    header = next(book["按服务组"].iter_rows(values_only=True))
    assert [c for c in header if c and ENGLISH_WORD.search(str(c))] == []


@pytest.mark.parametrize("accelerated", [True, False], ids=["width_bucket", "portable"])
def test_resolve_ranks_agree_with_sql_percent_rank(org, settings, accelerated):
    """The drill-down ranks a page of incidents with one aggregate; the reference is SQL's
    PERCENT_RANK window over the whole set (ties, unresolved rows and a grade of one), on
    PostgreSQL's accelerated path (assessments/ranks_pg.py) and on the portable one."""
    settings.WRITE_ACCELERATORS = accelerated
    from django.db.models import F, Window
    from django.db.models.functions import PercentRank

    from assessments.evaluation import Seconds, resolve_ranks

    start = utc(2026, 2, 2, 1, 0)
    for minutes in (300, 120, 120, 900, 60):
        walk("III", start, confirm=5, resolve=minutes)
    walk("III", start, confirm=5)  # not resolved: ranks last, shows no rank itself
    walk("II", start, confirm=5, resolve=200)  # alone in its grade
    walk("I", start, confirm=5, resolve=100)
    walk("I", start, confirm=5, resolve=50)
    qs = Incident.objects.all()
    reference = {
        i.pk: i.rank
        for i in qs.annotate(
            rank=Window(
                PercentRank(),
                partition_by=[F("grade")],
                order_by=Seconds("resolved_at").asc(nulls_last=True),
            )
        )
        if i.resolved_at
    }
    ranks = resolve_ranks(qs, list(qs))
    assert ranks == pytest.approx(reference)
    assert sorted(set(ranks.values())) == [0.0, 0.2, 0.6, 0.8, 1.0]
    page = [i for i in qs.order_by("pk") if i.grade == "III"][:3]  # a page: part of the set
    assert resolve_ranks(qs, page) == pytest.approx({i.pk: reference[i.pk] for i in page})


def test_evaluation_figures_are_kept_per_filter_and_say_when_computed(
    manager_client, cases, settings
):
    """With EVALUATION_CACHE_SECONDS set, a filter's figures are computed once and kept;
    the page says when they were computed; another filter computes its own."""
    from django.core.cache import cache

    cache.clear()
    settings.EVALUATION_CACHE_SECONDS = 300
    url = reverse("assessments:evaluation") + "?start=2026-01-01&end=2026-03-31"
    first = manager_client.get(url)
    assert "Figures as of" in first.text
    total = first.context["total"]["n_all"]
    walk("III", utc(2026, 2, 3, 1, 0), confirm=5)  # a new incident in the period
    kept = manager_client.get(url)
    assert kept.context["total"]["n_all"] == total
    assert kept.context["computed_at"] == first.context["computed_at"]
    narrowed = manager_client.get(url + "&grade=III")
    # computed now: Level III in Q1 is B, F, G and the new one
    assert narrowed.context["total"]["n_all"] == 4
    settings.EVALUATION_CACHE_SECONDS = 0
    assert manager_client.get(url).context["total"]["n_all"] == total + 1
    cache.clear()


def test_drill_down_pages_rank_from_the_kept_set_as_from_the_database(
    manager_client, org, settings
):
    """With figures kept (EVALUATION_CACHE_SECONDS), the drill-down ranks its pages from
    the set's resolve times read once: the same ranks and count as reading the database
    for each page, and a second page reads neither the count nor the ranks again."""
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from assessments.views import evaluation as views

    settings.EVALUATION_CACHE_SECONDS = 0
    settings.TIME_ZONE = "Asia/Shanghai"
    start = utc(2026, 2, 2, 1, 0)
    for k, minutes in enumerate((300, 120, 120, 900, 60, 45, 700, 30)):
        walk("III" if k % 3 else "II", start, confirm=5, resolve=minutes)
    walk("III", start, confirm=5)  # not resolved
    url = reverse("assessments:evaluation_incidents")
    params = {"start": "2026-01-01", "end": "2026-03-31", "metric": "all"}

    def pages():
        found, counts = {}, []
        for number in (1, 2, 3):
            response = manager_client.get(url, {**params, "page": number})
            found.update({i.pk: i.resolve_rank for i in response.context["page"].object_list})
            counts.append(response.context["page"].paginator.count)
        return found, counts

    views.PAGE_SIZE, size = 4, views.PAGE_SIZE
    try:
        plain, plain_counts = pages()
        cache.clear()
        settings.EVALUATION_CACHE_SECONDS = 300
        kept, kept_counts = pages()
        with CaptureQueriesContext(connection) as queries:
            manager_client.get(url, {**params, "page": 2})
    finally:
        views.PAGE_SIZE = size
    assert kept == pytest.approx(plain) and len(kept) == 9
    assert kept_counts == plain_counts == [9, 9, 9]
    read_again = [
        q["sql"]
        for q in queries
        if "width_bucket" in q["sql"]
        or ("COUNT(" in q["sql"] and 'FROM "incidents_incident"' in q["sql"])
    ]
    assert read_again == []
