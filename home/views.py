"""The home page: each role lands on its own work.

It lives in its own app at the top of the layers because it is a composition: the desk's
queue (incidents), who is on duty (teams) and logistics' work list (``spareparts.home``)
on one page. From the top it imports what it shows, and no app below knows it exists.

Technicians go to their job list; dispatchers and managers see the desk's queue; logistics
sees the parts work; legal sees disputes, safety accidents and its group's directives; a
partner's contact (no role) sees the jobs of their team. The work part refreshes itself
every few seconds (HTMX asks for ``home`` again and gets only that part).
"""

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.utils import timezone

from assessments.customer_tasks import work_list as customer_work
from core.roles import (
    CUSTOMER_SERVICE,
    DISPATCHER,
    LEGAL,
    LOGISTICS,
    MANAGER,
    TECHNICIAN,
    primary_role,
)
from incidents.models import OPEN_STATUSES, Directive, DirectiveStatus, Incident, Status
from spareparts.home import logistics_work
from teams.models import DutyShift

ROW_LIMIT = 15
# Categories a legal and compliance group follows from the first report.
LEGAL_CATEGORIES = ("complaint", "safety-accident")


@login_required
def home(request):
    role = primary_role(request.user)
    if role == TECHNICIAN:
        return redirect("incidents:my_jobs")
    now = timezone.now()
    context = {"role": role, "now": now, "is_desk": role in (DISPATCHER, MANAGER)}
    if context["is_desk"]:
        context.update(_desk(request.user, now))
    elif role == LOGISTICS:
        context["logistics_work"] = logistics_work(request.user, now)
    elif role == CUSTOMER_SERVICE:
        context["customer_work"] = customer_work(request.user, now, done_limit=0)
    elif role == LEGAL:
        context["disputes"] = _open_rows(request.user, category__slug__in=LEGAL_CATEGORIES)
    else:
        context["team_jobs"] = _open_rows(request.user)
    context["directives"] = _my_directives(request.user)
    if request.htmx:
        return render(request, "home/partials/home_work.html", context)
    context["on_duty"] = DutyShift.objects.on_duty(now).select_related("user", "team")
    return render(request, "home/home.html", context)


def _desk(user, now) -> dict:
    visible = Incident.objects.restrict(user)
    # Counted over a column of the incident_open_reported covering index (not "id",
    # which it does not hold), so PostgreSQL counts from the index alone: 116 -> ~16 ms at
    # 1M incidents, 30k open.
    counts = visible.open().aggregate(
        total=Count("status"),
        reported=Count("status", filter=Q(status=Status.REPORTED)),
        overdue=Count("status", filter=Q(next_deadline__lt=now)),
        escalated=Count("status", filter=Q(escalation_level__gt=0)),
        level_one=Count("status", filter=Q(grade="I")),
    )
    awaiting = (
        visible.filter(status=Status.REPORTED)
        .select_related("category")
        .order_by("confirm_deadline")[:ROW_LIMIT]
    )
    overdue = (
        visible.overdue(now)
        .select_related("category", "assignee")
        .order_by("next_deadline")[:ROW_LIMIT]
    )
    return {"counts": counts, "awaiting": awaiting, "overdue": overdue}


def _open_rows(user, **filters) -> list:
    """The user's open incidents (those ``filters`` keep), newest first, one screenful."""
    return list(
        Incident.objects.restrict(user)
        .open()
        .filter(**filters)
        .select_related("category", "assignee")
        .order_by("-reported_at")[:ROW_LIMIT]
    )


def _my_directives(user) -> list:
    team_ids = user.memberships.values("team_id")
    return list(
        Directive.objects.filter(team_id__in=team_ids, incident__status__in=OPEN_STATUSES)
        .exclude(status__in=[DirectiveStatus.DONE, DirectiveStatus.CANCELLED])
        .select_related("incident", "team")
        .order_by("due_at")[:ROW_LIMIT]
    )
