from functools import wraps

from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from incidents.models import Incident


def visible_incident(request, pk: int) -> Incident:
    return get_object_or_404(
        Incident.objects.visible_to(request.user).select_related(
            "category", "assignee", "team", "reporter"
        ),
        pk=pk,
    )


def incident_page(perm: str | None = None):
    """The view gets the incident the user may see, or the page answers 404 as for an id
    that does not exist (it must not reveal that the incident is there). Only then is
    ``perm`` checked: 403 for a user who sees the incident but may not do this."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, pk: int, *args, **kwargs):
            incident = visible_incident(request, pk)
            if perm and not request.user.has_perm(perm):
                raise PermissionDenied
            return view(request, incident, *args, **kwargs)

        return wrapped

    return decorator


def apply_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def next_url(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


def incident_url(incident) -> str:
    return reverse("incidents:detail", args=[incident.pk])
