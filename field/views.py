"""The technician's offline app (manifest, service worker, the one sync endpoint, what the
phone caches) and the dispatcher's map. Thin: read the request, call field.services or
field.map, answer JSON."""

from __future__ import annotations

import hashlib
import json
import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from core.web import safe_next
from field import map as field_map
from field import services
from incidents.models import Incident, IncidentPhoto

# What the service worker keeps from the first visit: the page shell and its scripts.
SHELL_STATIC = (
    "css/app.css",
    "js/app.js",
    "vendor/htmx.min.js",
    "img/favicon.svg",
    "field/jobs.js",
    "field/icon-192.png",
)
JOBS_LIMIT = 30  # as many as My jobs shows


@require_GET
def manifest(request):
    """The web app manifest: My jobs installs on the phone's home screen."""
    data = {
        "name": _("Emergency desk: My jobs"),
        "short_name": _("My jobs"),
        "start_url": reverse("incidents:my_jobs"),
        "scope": "/incidents/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#0b5cad",
        "icons": [
            {"src": static("field/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("field/icon-512.png"), "sizes": "512x512", "type": "image/png"},
            {"src": static("img/favicon.svg"), "sizes": "any", "type": "image/svg+xml"},
        ],
    }
    return JsonResponse(
        data, content_type="application/manifest+json", json_dumps_params={"ensure_ascii": False}
    )


@require_GET
@never_cache
def service_worker(request):
    """The service worker, served from here with a scope over /incidents/ (the header allows
    it), so it answers My jobs and the job pages when the phone has no signal."""
    shell = [static(name) for name in SHELL_STATIC]
    context = {
        "shell_json": json.dumps([reverse("incidents:my_jobs"), *shell]),
        "static_prefix": static(""),
        # A new set of static names (a deploy) is a new cache; the old one is dropped.
        "version": hashlib.sha256("|".join(shell).encode()).hexdigest()[:12],
    }
    response = render(request, "field/sw.js", context, content_type="text/javascript")
    response["Service-Worker-Allowed"] = "/incidents/"
    return response


def _json_error(message: str, status: int) -> JsonResponse:
    return JsonResponse({"detail": message}, status=status)


@require_POST
def sync(request):
    """Apply the phone's queue: ``{"sent_at": ISO, "actions": [...]}`` as JSON, or as the
    ``batch`` field of a multipart body whose files are named ``file:<action key>``.
    Session-authenticated and CSRF-protected like every form of the site. Answers one
    result per action, in order (field.services.sync_actions)."""
    if not request.user.is_authenticated:
        return _json_error(_("Log in again: your queued actions are kept on the phone."), 403)
    try:
        if request.content_type.startswith("multipart/"):
            payload = json.loads(request.POST.get("batch") or "")
        else:
            payload = json.loads(request.body or b"")
    except (ValueError, UnicodeDecodeError):
        return _json_error(_("The queue could not be read."), 400)
    actions = payload.get("actions") if isinstance(payload, dict) else None
    if not isinstance(actions, list):
        return _json_error(_("The queue could not be read."), 400)
    sent_at = None
    if payload.get("sent_at"):
        try:
            sent_at = services.parse_time(payload["sent_at"], "sent_at")
        except ValidationError:
            return _json_error(_("Send the time as ISO 8601 with its UTC offset."), 400)
    received_at = timezone.now()
    answers = services.sync_actions(
        request.user, actions, files=request.FILES, sent_at=sent_at, received_at=received_at
    )
    return JsonResponse(
        {"server_time": received_at.isoformat(), "results": [a.as_json() for a in answers]}
    )


# The job card's arrive and resolve forms (online, one at a time; offline they queue).
ACT_KINDS = {"arrive", "resolve"}


def _posted_position(post) -> dict | None:
    status = post.get("position_status") or ""
    if not status:
        return None
    return {
        "status": status,
        "latitude": post.get("latitude"),
        "longitude": post.get("longitude"),
        "accuracy": post.get("accuracy"),
    }


@login_required
@require_POST
def act(request, pk: int, kind: str):
    """The job card's arrive or resolve, posted as a page form (online, nothing queued), with
    the position jobs.js put in its hidden fields: the same service path as the sync, then
    back to the card (or, after resolving, to ``then``: the sign-off)."""
    if kind not in ACT_KINDS:
        raise Http404
    raw = {
        "key": (request.POST.get("key") or uuid.uuid4().hex)[:64],
        "kind": kind,
        "job": pk,
        "device_at": timezone.now().isoformat(),
        "data": {"resolution": request.POST.get("resolution", "")},
        "position": _posted_position(request.POST),
    }
    (answer,) = services.sync_actions(request.user, [raw])
    back = safe_next(request, reverse("incidents:my_jobs"))
    if answer.errors.get("job"):
        raise Http404
    if answer.status in ("applied", "duplicate"):
        number = Incident.objects.filter(pk=pk).values_list("number", flat=True).first()
        messages.success(request, str(DONE[kind]) % {"number": number})
        if kind == "resolve":
            return redirect(safe_next(request, back, field="then"))
    elif answer.status == "conflict":
        messages.error(request, answer.message)
    else:
        messages.error(request, " ".join(m for ms in answer.errors.values() for m in ms))
    return redirect(back)


# The words of the incident page's own arrive and resolve (incidents/views.py).
DONE = {
    "arrive": gettext_lazy("Arrival on site recorded for %(number)s."),
    "resolve": gettext_lazy("%(number)s resolved."),
}


@login_required
@require_GET
def jobs_data(request):
    """What the phone keeps for offline use: each open job's page and photos."""
    jobs = list(
        Incident.objects.jobs_for(request.user)
        .order_by("next_deadline", "reported_at")
        .values_list("pk", flat=True)[:JOBS_LIMIT]
    )
    photos = IncidentPhoto.objects.filter(incident_id__in=jobs).values_list("incident_id", "pk")
    return JsonResponse(
        {
            "jobs": [{"id": pk, "url": reverse("incidents:detail", args=[pk])} for pk in jobs],
            "photos": [reverse("incidents:photo", args=[i, p]) for i, p in photos],
            "max_accuracy_m": settings.FIELD_MAX_ACCURACY_M,
        }
    )


@login_required
@permission_required("incidents.view_all_incidents", raise_exception=True)
@require_GET
def map_page(request):
    return render(
        request,
        "field/map.html",
        {
            "tile_url": settings.MAP_TILE_URL,
            "tile_attribution": settings.MAP_TILE_ATTRIBUTION,
            "incident_url": reverse("incidents:detail", args=[0]),
        },
    )


@login_required
@permission_required("incidents.view_all_incidents", raise_exception=True)
@require_GET
def map_points(request):
    """Open incidents (cells or points) and technicians' last positions in the viewport."""
    try:
        zoom = int(request.GET.get("zoom", "5"))
    except ValueError:
        zoom = 5
    box = field_map.Box.parse(request.GET.get("bbox"))
    data = field_map.map_data(box, zoom, timezone.now())
    return JsonResponse(data)
