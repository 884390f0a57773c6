"""Views that only the ops tests route to: one logs, one fails."""

import logging

from django.http import HttpResponse
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt

log = logging.getLogger("aftersales.test")


def logs(request):
    log.warning("caller %s asked for news", "+86 138 0013 8000")
    return HttpResponse("ok")


@csrf_exempt  # a form post from an integration, say
def fails(request):
    raise RuntimeError(f"caller {request.POST.get('customer_phone')} could not be saved")


urlpatterns = [
    path("logs/", logs, name="ops-logs"),
    path("fails/", fails, name="ops-fails"),
    path("", include("config.urls")),
]
