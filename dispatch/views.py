"""Dispatch pages: the ranked candidates in the incident page's dispatch control, the
technicians' skill records, and where each team works (service area, out of action)."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.roles import TECHNICIAN
from core.web import apply_errors, run_service
from dispatch import services
from dispatch.forms import OutOfActionForm, ServiceAreaForm, SkillForm
from dispatch.models import TechnicianSkill
from incidents.access import get_incident_for
from teams import services as team_services
from teams.models import Team, TeamKind
from teams.roster import may_see_roster, roster_team_ids


@login_required
def candidates(request, pk: int):
    """HTMX: the ranked candidates inside the incident page's dispatch control. Each row
    posts to the incident's own dispatch action (incidents.services.dispatch_incident)."""
    incident = get_incident_for(request, pk, "dispatch")
    ranking = services.rank_candidates(incident, limit=8)
    return render(
        request,
        "dispatch/partials/candidates.html",
        {"incident": incident, "ranking": ranking},
    )


@login_required
@permission_required("dispatch.view_technicianskill", raise_exception=True)
def technician_list(request):
    skills = TechnicianSkill.objects.select_related("vehicle_model")
    technicians = services.technicians().prefetch_related(
        Prefetch("skills", queryset=skills), "memberships__team"
    )
    return render(request, "dispatch/technicians.html", {"technicians": technicians})


@login_required
@permission_required("dispatch.view_technicianskill", raise_exception=True)
def technician_skills(request, user_id: int):
    technician = get_object_or_404(
        get_user_model(), pk=user_id, groups__name=TECHNICIAN, is_active=True
    )
    form = SkillForm(request.POST or None)
    if request.method == "POST":
        if not request.user.has_perm(services.skills.PERM):
            messages.error(request, _("Only a manager may change skill records."))
        elif form.is_valid():
            try:
                services.add_skill(technician, actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Skill recorded."))
                return redirect("dispatch:skills", user_id=technician.pk)
    skills = technician.skills.select_related("vehicle_model").order_by("kind", "pk")
    return render(
        request,
        "dispatch/skills.html",
        {"technician": technician, "skills": skills, "form": form, "today": timezone.localdate()},
        status=422 if form.errors else 200,
    )


@login_required
@require_POST
def remove_skill(request, pk: int):
    skill = get_object_or_404(TechnicianSkill, pk=pk)
    run_service(
        request,
        lambda: services.remove_skill(skill, actor=request.user),
        _("Skill removed."),
    )
    return redirect("dispatch:skills", user_id=skill.user_id)


@login_required
@permission_required("teams.view_team", raise_exception=True)
def team_list(request):
    teams = Team.objects.active().of_kind(TeamKind.SERVICE_CENTRE, TeamKind.PARTNER)
    ids = roster_team_ids(request.user)
    for team in teams:  # the roster link only where the roster opens for this user
        team.roster_open = ids is None or team.pk in ids
    return render(request, "dispatch/teams.html", {"teams": teams})


@login_required
@permission_required("teams.view_team", raise_exception=True)
def team_setup(request, pk: int):
    team = get_object_or_404(Team.objects.of_kind(TeamKind.SERVICE_CENTRE, TeamKind.PARTNER), pk=pk)
    may_edit = team_services.can_manage_team(request.user, team)
    area_form = ServiceAreaForm(
        request.POST if request.POST.get("form") == "area" else None,
        initial={
            "latitude": team.latitude,
            "longitude": team.longitude,
            "service_radius_km": team.service_radius_km,
            "service_regions": team.service_regions,
            "partner_service": team.partner_service,
        },
    )
    action_form = OutOfActionForm(request.POST if request.POST.get("form") == "out" else None)
    if request.method == "POST" and may_edit:
        done = _post_setup(request, team, area_form, action_form)
        if done:
            return redirect("dispatch:team", pk=team.pk)
    return render(
        request,
        "dispatch/team.html",
        {
            "team": team,
            "area_form": area_form,
            "action_form": action_form,
            "may_edit": may_edit,
            "roster_url": reverse("teams:roster", args=[team.pk])
            if may_see_roster(request.user, team)
            else None,
        },
        status=422 if area_form.errors or action_form.errors else 200,
    )


def _post_setup(request, team, area_form, action_form) -> bool:
    which = request.POST.get("form")
    if which == "back":
        return run_service(
            request,
            lambda: team_services.back_in_action(team, actor=request.user),
            _("%(team)s is back in action.") % {"team": team.label},
        )
    form = area_form if which == "area" else action_form
    if not form.is_valid():
        return False
    try:
        if which == "area":
            team_services.set_service_area(team, actor=request.user, **form.cleaned_data)
            messages.success(request, _("Saved."))
        else:
            team_services.mark_out_of_action(team, actor=request.user, **form.cleaned_data)
            messages.success(
                request,
                _("%(team)s is out of action; dispatch skips it.") % {"team": team.label},
            )
    except ValidationError as exc:
        apply_errors(form, exc)
        return False
    return True
