"""The live escalation dashboard (managers) and its one-click actions. Thin: services do
the work; the page re-renders its board fragment every few seconds through HTMX."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from core.web import SERVICE_ERRORS, error_text
from escalation import querysets, services
from escalation.forms import DashboardFilterForm
from incidents import services as incident_services
from incidents.access import get_incident_for
from incidents.models import Grade

POLL_SECONDS = 5
WALL_POLL_SECONDS = 5

OPEN_STATUSES = ("reported", "confirmed", "dispatched", "on_site")


def _context(request, now) -> dict:
    """The board's data for the filters in ``request.GET`` (invalid ones filter nothing)."""
    form = DashboardFilterForm(request.GET or None)
    filters = form.filters() if request.GET else {"team": None, "grades": []}
    query = _filter_query(filters, wall=request.GET.get("wall") == "1")
    rows = querysets.board(now, **filters)
    counts = querysets.open_counts(now, **filters)
    links = _drill_down(filters)
    return {
        "now": now,
        "rows": rows,
        "new_grade_i": [r for r in rows if r.is_new_grade_i],
        "counts": counts,
        "links": links,
        "grid": [
            (grade, [(n, links["cells"][f"{grade}:{status}"]) for status, n in cells.items()])
            for grade, cells in counts["grid"].items()
        ],
        "today": querysets.today(now),
        "on_duty": querysets.on_duty(now),
        "poll_seconds": POLL_SECONDS,
        "poll_url": f"{reverse('escalation:dashboard')}?{query}" if query else "",
        "query": query,
        "form": form,
        "wall": request.GET.get("wall") == "1",
    }


def _filter_query(filters: dict, *, wall: bool = False) -> str:
    params: list[tuple[str, str]] = []
    if filters["team"] is not None:
        params.append(("team", str(filters["team"].pk)))
    params += [("grade", g) for g in filters["grades"]]
    if wall:
        params.append(("wall", "1"))
    return urlencode(params)


def _drill_down(filters: dict) -> dict:
    """Links from each count to the incident list filtered the same way."""
    base: list[tuple[str, str]] = [("status", s) for s in OPEN_STATUSES]
    if filters["team"] is not None:
        base.append(("team", str(filters["team"].pk)))
    grades = [("grade", g) for g in filters["grades"]]
    url = reverse("incidents:list")

    def link(*extra) -> str:
        return f"{url}?{urlencode([*base, *grades, *extra])}"

    cells = {}
    for grade in Grade.values:
        for status in OPEN_STATUSES:
            params = [("status", status), ("grade", grade)]
            if filters["team"] is not None:
                params.append(("team", str(filters["team"].pk)))
            cells[f"{grade}:{status}"] = f"{url}?{urlencode(params)}"
    return {
        "open": link(),
        "overdue": link(("overdue", "true")),
        "escalated": link(("escalated", "true")),
        "cells": cells,
    }


@login_required
@permission_required("incidents.view_all_incidents", raise_exception=True)
def dashboard(request):
    context = _context(request, timezone.now())
    if request.htmx:
        return render(request, "escalation/partials/board.html", context)
    if context["wall"]:
        return render(request, "escalation/wall.html", context)
    return render(request, "escalation/dashboard.html", context)


def _after_action(request):
    if request.htmx:
        return render(request, "escalation/partials/board.html", _context(request, timezone.now()))
    url = reverse("escalation:dashboard")
    return redirect(f"{url}?{request.GET.urlencode()}" if request.GET else url)


@login_required
@require_POST
def confirm(request, pk: int):
    incident = get_incident_for(request, pk)
    try:
        incident_services.confirm_incident(incident, actor=request.user)
        messages.success(request, incident.number)
    except SERVICE_ERRORS as exc:
        messages.error(request, error_text(exc))
    return _after_action(request)


@login_required
@require_POST
def acknowledge(request, pk: int):
    incident = get_incident_for(request, pk)
    try:
        services.acknowledge(incident, actor=request.user)
        messages.success(request, incident.number)
    except SERVICE_ERRORS as exc:
        messages.error(request, error_text(exc))
    return _after_action(request)
