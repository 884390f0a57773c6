from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from incidents.forms import DirectiveProgressForm
from incidents.models import Directive, DirectiveStatus
from teams.models import DutyShift, Team


@login_required
def team_list(request):
    teams = Team.objects.active().prefetch_related("memberships__user")
    on_duty = DutyShift.objects.on_duty(timezone.now()).select_related("user", "team")
    # A group's directive list is shown to its members and to those who see every incident;
    # nobody is offered a link that answers 404.
    sees_all = request.user.has_perm("incidents.view_all_incidents")
    mine = set(request.user.memberships.values_list("team_id", flat=True))
    for team in teams:
        team.directives_visible = sees_all or team.pk in mine
    return render(request, "teams/list.html", {"teams": teams, "on_duty": on_duty})


@login_required
def team_directives(request, pk: int):
    """A group's directive list: what HQ has asked of it, open ones first."""
    team = get_object_or_404(Team, pk=pk)
    is_member = request.user.memberships.filter(team=team).exists()
    if not (is_member or request.user.has_perm("incidents.view_all_incidents")):
        raise Http404
    show_all = request.GET.get("all") == "1"
    directives = (
        Directive.objects.filter(team=team)
        .select_related("incident", "team")
        .prefetch_related("notes__author")
    )
    if not show_all:
        directives = directives.exclude(
            status__in=[DirectiveStatus.DONE, DirectiveStatus.CANCELLED]
        )
    return render(
        request,
        "teams/directives.html",
        {
            "team": team,
            "directives": directives.order_by("due_at")[:200],
            "show_all": show_all,
            "now": timezone.now(),
            "progress_form": DirectiveProgressForm(),
            "is_member": is_member,
        },
    )
