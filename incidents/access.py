"""Who may do what to an incident: the one access policy every app, view and service uses.

``can(user, action, incident)`` answers for one incident; ``Incident.objects.restrict(user,
action)`` answers the same question as a query (NetBox's ``RestrictedQuerySet``), so a list
never shows a row the detail page would refuse; ``get_incident_for(request, pk)`` fetches
one incident through it and answers 404 for one the user may not see (Healthchecks'
``_get_check_for_user``): whether an incident exists is not told to someone who may not
see it. ``require`` and ``require_perm`` raise the one ``PermissionDenied``.

``user`` None is the system (tasks, commands): it may do everything.

The actions:

- ``view``, ``note``: roles that see every incident (``view_all_incidents``), or anyone on
  the job (below).
- ``confirm``, ``dispatch``, ``close``, ``cancel``, ``regrade``, ``update``: the model
  permission in ``ACTION_PERMS``, whatever the incident.
- ``arrive``, ``resolve``: ``work_incident`` (managers), or anyone on the job.
- ``move_parts``: logistics and the desk (``reserve_part``) for any job; a technician
  (``record_parts_used``) on their own jobs.
- ``sign_off`` (the customer signs on the user's phone): ``work_incident`` or
  ``add_signoff``, or anyone on the job.
- ``own_job``: the job is the user's: assigned to them, or to one of their teams with no
  one assigned yet (any member may take it). The technician's job list, and who signs the
  service report as the technician.

"On the job" is the assignee or any member of the incident's team.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _

from core.exceptions import NOT_ALLOWED
from core.logging import bind_incident

if TYPE_CHECKING:
    from incidents.models import Incident
    from incidents.querysets import IncidentQuerySet

# Where a refusal can say more than "not allowed", the one thing it says.
MESSAGES = {
    "move_parts": _("You are not allowed to move parts for this incident."),
    "own_job": _("Only the technician who did the job signs the report."),
}

# The actions a model permission decides alone (the incident does not matter).
ACTION_PERMS = {
    "confirm": "incidents.confirm_incident",
    "dispatch": "incidents.dispatch_incident",
    "close": "incidents.close_incident",
    "cancel": "incidents.close_incident",
    "regrade": "incidents.regrade_incident",
    "update": "incidents.change_incident",
}
# The actions anyone on the job may take, and the permissions that allow them on any job.
ON_JOB_ACTIONS = {
    "view": ("incidents.view_all_incidents",),
    "note": ("incidents.view_all_incidents",),
    "arrive": ("incidents.work_incident",),
    "resolve": ("incidents.work_incident",),
    "sign_off": ("incidents.work_incident", "assessments.add_signoff"),
}
ACTIONS = (*ACTION_PERMS, *ON_JOB_ACTIONS, "move_parts", "own_job")


def _team_ids(user):
    return user.memberships.values("team_id")


def on_job_q(user) -> Q:
    """``is_on_job`` as a filter on incidents."""
    return Q(assignee=user) | Q(team_id__in=_team_ids(user))


def own_job_q(user) -> Q:
    """The ``own_job`` rule as a filter on incidents."""
    return Q(assignee=user) | Q(assignee__isnull=True, team_id__in=_team_ids(user))


def _in_team(user, incident: Incident) -> bool:
    return bool(incident.team_id and user.memberships.filter(team_id=incident.team_id).exists())


def is_on_job(user, incident: Incident) -> bool:
    """The user is assigned to the incident or is a member of its team."""
    return incident.assignee_id == user.pk or _in_team(user, incident)


def is_own_job(user, incident: Incident) -> bool:
    """The assigned technician; with no one assigned, a member of the incident's team."""
    if incident.assignee_id:
        return incident.assignee_id == user.pk
    return _in_team(user, incident)


def _any_perm(user, perms) -> bool:
    return any(user.has_perm(perm) for perm in perms)


def can(user, action: str, incident: Incident) -> bool:
    """May ``user`` take ``action`` on ``incident``? (Its status is the service's business.)"""
    if user is None:
        return True
    if not user.is_active:
        return False
    if action in ACTION_PERMS:
        return user.has_perm(ACTION_PERMS[action])
    if action in ON_JOB_ACTIONS:
        return _any_perm(user, ON_JOB_ACTIONS[action]) or is_on_job(user, incident)
    if action == "move_parts":
        if user.has_perm("spareparts.reserve_part"):
            return True
        return user.has_perm("spareparts.record_parts_used") and is_on_job(user, incident)
    if action == "own_job":
        return is_own_job(user, incident)
    raise ValueError(f"unknown incident action {action!r}")


def restrict(queryset: IncidentQuerySet, user, action: str = "view") -> IncidentQuerySet:
    """The incidents of ``queryset`` on which ``user`` may take ``action``: the query form of
    ``can`` (``Incident.objects.restrict(user, action)`` calls this)."""
    if user is None:
        return queryset
    if not user.is_authenticated or not user.is_active:
        return queryset.none()
    if action in ACTION_PERMS:
        return queryset if user.has_perm(ACTION_PERMS[action]) else queryset.none()
    if action in ON_JOB_ACTIONS:
        if _any_perm(user, ON_JOB_ACTIONS[action]):
            return queryset
        return queryset.filter(on_job_q(user))
    if action == "move_parts":
        if user.has_perm("spareparts.reserve_part"):
            return queryset
        if user.has_perm("spareparts.record_parts_used"):
            return queryset.filter(on_job_q(user))
        return queryset.none()
    if action == "own_job":
        return queryset.filter(own_job_q(user))
    raise ValueError(f"unknown incident action {action!r}")


def denied(action: str = "") -> PermissionDenied:
    """The one refusal, with the message for ``action``."""
    return PermissionDenied(str(MESSAGES.get(action, NOT_ALLOWED)))


def require(user, action: str, incident: Incident) -> None:
    """Raise ``PermissionDenied`` unless ``can(user, action, incident)``."""
    if not can(user, action, incident):
        raise denied(action)


def require_perm(user, perm: str) -> None:
    """Raise the same ``PermissionDenied`` unless ``user`` (None: the system) has ``perm``:
    for what no incident decides (stock moves, purchasing, assessments)."""
    if user is not None and not user.has_perm(perm):
        raise denied()


def get_incident_for(
    request_or_user, pk, action: str = "view", *, lock: bool = False, queryset=None
) -> Incident:
    """The incident ``pk`` if the user may see it, else 404 (not 403: whether it exists is
    not told). With ``action`` other than ``view``, an incident the user may see but not
    act on raises ``PermissionDenied``. ``lock`` selects it FOR UPDATE (inside a
    transaction). ``queryset`` adds ``select_related`` and the like."""
    from incidents.models import Incident

    user = getattr(request_or_user, "user", request_or_user)
    queryset = Incident.objects.all() if queryset is None else queryset
    if lock:
        queryset = queryset.select_for_update()
    incident = get_object_or_404(queryset.restrict(user, "view"), pk=pk)
    bind_incident(incident.number)  # the request's log lines name it from here on
    if action != "view":
        require(user, action, incident)
    return incident
