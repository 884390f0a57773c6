"""The live escalation dashboard (managers) and its one-click actions. Thin: services do
the work; the page re-renders its board fragment every few seconds through HTMX."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from core.exceptions import Conflict
from escalation import querysets, services
from incidents import services as incident_services
from incidents.models import Incident

POLL_SECONDS = 5


def _context(now) -> dict:
    return {
        "now": now,
        "rows": querysets.board(now),
        "counts": querysets.open_counts(now),
        "today": querysets.today(now),
        "on_duty": querysets.on_duty(now),
        "poll_seconds": POLL_SECONDS,
    }


@login_required
@permission_required("incidents.view_all_incidents", raise_exception=True)
def dashboard(request):
    context = _context(timezone.now())
    if request.htmx:
        return render(request, "escalation/partials/board.html", context)
    return render(request, "escalation/dashboard.html", context)


def _after_action(request):
    if request.htmx:
        return render(request, "escalation/partials/board.html", _context(timezone.now()))
    return redirect("escalation:dashboard")


@login_required
@require_POST
def confirm(request, pk: int):
    incident = get_object_or_404(Incident.objects.visible_to(request.user), pk=pk)
    try:
        incident_services.confirm_incident(incident, actor=request.user)
        messages.success(request, incident.number)
    except (Conflict, ValidationError, PermissionDenied) as exc:
        messages.error(request, _message(exc))
    return _after_action(request)


@login_required
@require_POST
def acknowledge(request, pk: int):
    incident = get_object_or_404(Incident.objects.visible_to(request.user), pk=pk)
    try:
        services.acknowledge(incident, actor=request.user)
        messages.success(request, incident.number)
    except (Conflict, ValidationError, PermissionDenied) as exc:
        messages.error(request, _message(exc))
    return _after_action(request)


def _message(exc) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc) or exc.__class__.__name__


def incident_panel(request, incident):
    """incidents.extensions.detail_panels: steps due vs fired, with their lateness."""
    data = querysets.incident_escalation(incident)
    if not data["states"]:
        return None
    return "escalation/panel.html", data
