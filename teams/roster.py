"""The duty roster page of a team: who is on duty this week, the rotations that generate
the shifts, leave and swaps, and shifts added by hand. Its leader, a deputy or a manager
edits it; every member and whoever may read rosters sees it."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.web import apply_errors, error_text, run_service
from teams import services
from teams.forms import OverrideForm, RotationForm, ShiftForm
from teams.models import DutyShift, RosterOverride, Rotation, Team

DAYS_SHOWN = 7
FORMS = {"rotation": RotationForm, "override": OverrideForm, "shift": ShiftForm}


def roster_team_ids(user) -> set[int] | None:
    """The teams whose roster ``user`` may open: None for every team (the permission to
    view duty shifts), else the teams they belong to."""
    if user.has_perm("teams.view_dutyshift"):
        return None
    return set(user.memberships.values_list("team_id", flat=True))


def may_see_roster(user, team: Team) -> bool:
    ids = roster_team_ids(user)
    return ids is None or team.pk in ids


def _team_for(request, pk: int) -> Team:
    team = get_object_or_404(Team, pk=pk)
    if not may_see_roster(request.user, team):
        raise Http404
    return team


def _rotation_initial(rotation: Rotation | None) -> dict | None:
    if rotation is None:
        return None
    return {
        "name": rotation.name,
        "kind": rotation.kind,
        "weekdays": list(rotation.weekdays),
        "start_time": rotation.start_time,
        "end_time": rotation.end_time,
        "starts_on": rotation.starts_on,
        "ends_on": rotation.ends_on,
        "take_turns": rotation.take_turns,
        "members": list(rotation.members.all()),
    }


@login_required
def roster(request, pk: int):
    team = _team_for(request, pk)
    editing = None
    if request.GET.get("rotation"):
        editing = get_object_or_404(Rotation, pk=request.GET["rotation"], team=team)
    forms = {
        "rotation": RotationForm(team=team, initial=_rotation_initial(editing)),
        "override": OverrideForm(team=team),
        "shift": ShiftForm(team=team),
    }
    status = 200
    if request.method == "POST":
        which = request.POST.get("form", "")
        if which not in FORMS:
            raise Http404
        form = FORMS[which](request.POST, team=team)
        forms[which] = form
        if form.is_valid() and _save(request, team, which, form, editing):
            return redirect("teams:roster", pk=team.pk)
        status = 422
    return render(
        request, "teams/roster.html", _context(request, team, forms, editing), status=status
    )


def _save(request, team, which: str, form, editing) -> bool:
    data = dict(form.cleaned_data)
    try:
        if which == "rotation":
            services.save_rotation(team, actor=request.user, rotation=editing, **data)
            messages.success(request, _("Rotation saved; its shifts are on the roster."))
        elif which == "override":
            services.add_override(team, actor=request.user, **data)
            messages.success(request, _("Override recorded."))
        else:
            services.save_shift(team, actor=request.user, **data)
            messages.success(request, _("Shift added."))
    except ValidationError as exc:
        apply_errors(form, exc)
        return False
    except PermissionDenied as exc:
        form.add_error(None, error_text(exc))
        return False
    return True


def _context(request, team, forms, editing) -> dict:
    now = timezone.now()
    today = timezone.localdate(now)
    start = timezone.make_aware(datetime.combine(today, time()), timezone.get_default_timezone())
    shifts = (
        DutyShift.objects.filter(
            team=team, ends_at__gt=start, starts_at__lt=start + timedelta(DAYS_SHOWN)
        )
        .select_related("user", "rotation", "override")
        .order_by("starts_at", "user__first_name")
    )
    on_duty = set(DutyShift.objects.on_duty(now).filter(team=team).values_list("pk", flat=True))
    return {
        "team": team,
        "shifts": shifts,
        "on_duty_ids": on_duty,
        "rotations": team.rotations.prefetch_related("members"),
        "overrides": RosterOverride.objects.filter(team=team, ends_at__gt=now).select_related(
            "user", "substitute"
        ),
        "forms": forms,
        "editing": editing,
        "may_edit": services.can_edit_roster(request.user, team),
        "now": now,
        "days": DAYS_SHOWN,
    }


@login_required
@require_POST
def delete_rotation(request, pk: int, rotation_id: int):
    team = _team_for(request, pk)
    rotation = get_object_or_404(Rotation, pk=rotation_id, team=team)
    run_service(
        request,
        lambda: services.delete_rotation(rotation, actor=request.user),
        _("Rotation removed with its coming shifts."),
    )
    return redirect("teams:roster", pk=team.pk)


@login_required
@require_POST
def delete_override(request, pk: int, override_id: int):
    team = _team_for(request, pk)
    override = get_object_or_404(RosterOverride, pk=override_id, team=team)
    run_service(
        request,
        lambda: services.delete_override(override, actor=request.user),
        _("Override withdrawn."),
    )
    return redirect("teams:roster", pk=team.pk)


@login_required
@require_POST
def delete_shift(request, pk: int, shift_id: int):
    team = _team_for(request, pk)
    shift = get_object_or_404(DutyShift, pk=shift_id, team=team)
    run_service(
        request, lambda: services.delete_shift(shift, actor=request.user), _("Shift removed.")
    )
    return redirect("teams:roster", pk=team.pk)
