"""Password guessing (django-axes): the client address counted, and the page a locked-out
login gets. The same page answers for a known and an unknown username, so it tells an
attacker nothing about which accounts exist."""

from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.shortcuts import render
from django.utils.translation import gettext as _
from rest_framework.settings import api_settings


def client_address(request) -> str:
    """The client's address as the API throttles see it: REMOTE_ADDR, or, behind
    ``API_NUM_PROXIES`` trusted proxies, the address they forwarded."""
    proxies = api_settings.NUM_PROXIES or 0
    remote = request.META.get("REMOTE_ADDR", "")
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies and forwarded:
        addresses = [a.strip() for a in forwarded.split(",") if a.strip()]
        if addresses:
            return addresses[-min(proxies, len(addresses))]
    return remote


def lockout_message() -> str:
    minutes = round(settings.AXES_COOLOFF_TIME * 60)
    return _(
        "Too many failed logins. Logging in is blocked for %(minutes)s minutes for this "
        "account and this address. Try again later, or ask an administrator to unlock it."
    ) % {"minutes": minutes}


def locked_out(request, credentials=None, *args, **kwargs):
    """The login page with the lockout message (HTTP 429), for /login/ and /admin/login/."""
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    form = AuthenticationForm(request, initial={"username": username})
    return render(
        request,
        "registration/login.html",
        {"form": form, "lockout_message": lockout_message(), "next": request.GET.get("next", "")},
        status=429,
    )
