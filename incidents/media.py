"""Uploaded files (incident photos, signatures) go out only to users who may see their
incident: a stored name is mapped back to the record that holds it and its incident is
fetched through the access policy (404 for anything else). In production the view only
decides; the front server sends the file from an ``internal`` location on the view's
``X-Accel-Redirect`` (settings.MEDIA_ACCEL_REDIRECT; the nginx snippet is in the README)."""

import mimetypes
from functools import cache
from urllib.parse import quote

from django.apps import apps
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import FieldDoesNotExist
from django.core.files.storage import default_storage
from django.db import models
from django.http import FileResponse, Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_GET

from incidents.access import get_incident_for


@cache
def _incident_files() -> list[tuple[type[models.Model], str]]:
    """Every (model, file field) whose rows belong to an incident (a foreign key or
    one-to-one named ``incident``): photos here, signatures in assessments. Found through
    the app registry so a higher app's uploads are served without this module importing it."""
    from incidents.models import Incident

    found = []
    for model in apps.get_models():
        try:
            link = model._meta.get_field("incident")
        except FieldDoesNotExist:
            continue
        if link.related_model is not Incident:
            continue
        found += [
            (model, field.name)
            for field in model._meta.get_fields()
            if isinstance(field, models.FileField)
        ]
    return found


def _owning_incident_id(name: str) -> int | None:
    if not name or name.startswith("/") or ".." in name.split("/"):
        return None
    for model, field in _incident_files():
        owner = (
            model._default_manager.filter(**{field: name})
            .values_list("incident_id", flat=True)
            .first()
        )
        if owner is not None:
            return owner
    return None


def send_file(name: str) -> HttpResponseBase:
    """The response carrying a stored upload, for a user already checked. With
    MEDIA_ACCEL_REDIRECT set, an empty body and the internal redirect for the front server;
    else the file streamed by Django (development, tests)."""
    mime = mimetypes.guess_type(name)[0] or "application/octet-stream"
    prefix = settings.MEDIA_ACCEL_REDIRECT
    if prefix:
        response: HttpResponseBase = HttpResponse(content_type=mime)
        response["X-Accel-Redirect"] = prefix.rstrip("/") + "/" + quote(name)
    else:
        if not default_storage.exists(name):
            raise Http404
        response = FileResponse(default_storage.open(name, "rb"), content_type=mime)
    # Customer PII: kept by no cache, not even the browser's on a shared desk computer
    # (like every page, core's NoStoreMiddleware; nginx keeps this header on the redirect).
    response["Cache-Control"] = "private, no-store"
    response["Content-Disposition"] = "inline"
    return response


@login_required
@require_GET
def upload(request, name: str):
    """``MEDIA_URL/<name>``: the upload if its incident is visible to the user, else 404."""
    incident_id = _owning_incident_id(name)
    if incident_id is None:
        raise Http404
    get_incident_for(request, incident_id)
    return send_file(name)


@login_required
@require_GET
def photo(request, pk: int, photo_id: int):
    """A photo of an incident the user may see (customer PII: never a public URL)."""
    incident = get_incident_for(request, pk)
    item = get_object_or_404(incident.photos, pk=photo_id)
    if not item.image.name:
        raise Http404
    return send_file(item.image.name)
