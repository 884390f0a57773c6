from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.utils import timezone

from core.roles import DISPATCHER, MANAGER, TECHNICIAN, primary_role
from incidents.models import OPEN_STATUSES, Directive, DirectiveStatus, Incident, Status
from teams.models import DutyShift


@login_required
def home(request):
    """A home page that fits the role: technicians go to their jobs, the desk sees its queue."""
    role = primary_role(request.user)
    if role == TECHNICIAN:
        return redirect("incidents:my_jobs")
    now = timezone.now()
    visible = Incident.objects.visible_to(request.user)
    counts = visible.open().aggregate(
        total=Count("id"),
        reported=Count("id", filter=Q(status=Status.REPORTED)),
        overdue=Count("id", filter=Q(next_deadline__lt=now)),
        escalated=Count("id", filter=Q(escalation_level__gt=0)),
        level_one=Count("id", filter=Q(grade="I")),
    )
    awaiting = (
        visible.filter(status=Status.REPORTED)
        .select_related("category")
        .order_by("confirm_deadline")[:15]
    )
    overdue = (
        visible.overdue(now).select_related("category", "assignee").order_by("next_deadline")[:15]
    )
    team_ids = request.user.memberships.values("team_id")
    directives = (
        Directive.objects.filter(team_id__in=team_ids, incident__status__in=OPEN_STATUSES)
        .exclude(status__in=[DirectiveStatus.DONE, DirectiveStatus.CANCELLED])
        .select_related("incident", "team")
        .order_by("due_at")[:15]
    )
    on_duty = DutyShift.objects.on_duty(now).select_related("user", "team")
    return render(
        request,
        "core/home.html",
        {
            "role": role,
            "counts": counts,
            "awaiting": awaiting,
            "overdue": overdue,
            "directives": directives,
            "on_duty": on_duty,
            "now": now,
            "is_desk": role in (DISPATCHER, MANAGER),
        },
    )
