from functools import wraps

from django.core.exceptions import PermissionDenied
from django.urls import reverse

from incidents.access import get_incident_for
from incidents.models import Incident

DETAIL_RELATIONS = ("category", "assignee", "team", "reporter")


def incident_page(perm: str | None = None):
    """The view gets the incident the user may see, or the page answers 404 as for an id
    that does not exist (it must not reveal that the incident is there). Only then is
    ``perm`` checked: 403 for a user who sees the incident but may not do this."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, pk: int, *args, **kwargs):
            queryset = Incident.objects.select_related(*DETAIL_RELATIONS)
            incident = get_incident_for(request, pk, queryset=queryset)
            if perm and not request.user.has_perm(perm):
                raise PermissionDenied
            return view(request, incident, *args, **kwargs)

        return wrapped

    return decorator


def incident_url(incident) -> str:
    return reverse("incidents:detail", args=[incident.pk])
