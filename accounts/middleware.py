"""Desk sessions: the idle timeout, and the second factor the roles in MFA_REQUIRED_ROLES
must pass before they see any page."""

import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpResponse
from django.shortcuts import redirect, resolve_url
from django.urls import reverse
from django.utils.translation import gettext as _

LAST_ACTIVITY = "last_activity"
# The last-activity stamp is written at most this often, so a busy desk does not save its
# session on every click.
RECORD_EVERY_SECONDS = 60


def start_idle_clock(sender, request, user, **kwargs) -> None:
    """On login (user_logged_in)."""
    if request is not None and hasattr(request, "session"):
        request.session[LAST_ACTIVITY] = int(time.time())


def is_activity(request) -> bool:
    """What a person did, as opposed to what the page did by itself: every full page load
    and every POST is activity; an HTMX GET (the lists' and boards' polling, refreshes and
    in-page loads) is not, so a desk left open on a polling page still times out."""
    return not (request.htmx and request.method in ("GET", "HEAD"))


def _to(request, url: str):
    """A redirect a browser follows, whether the request came from HTMX or not."""
    if request.htmx:
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


class IdleTimeoutMiddleware:
    """Logs a session out after SESSION_IDLE_MINUTES without activity (see is_activity)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated and hasattr(request, "session"):
            now = int(time.time())
            last = request.session.get(LAST_ACTIVITY)
            if last is not None and now - last > settings.SESSION_IDLE_MINUTES * 60:
                logout(request)
                messages.info(
                    request,
                    _("You were logged out after %(minutes)s minutes without activity.")
                    % {"minutes": settings.SESSION_IDLE_MINUTES},
                )
                if request.path.startswith("/api/"):
                    return self.get_response(request)
                next_url = request.get_full_path() if not request.htmx else "/"
                login = resolve_url(settings.LOGIN_URL)
                return _to(request, f"{login}?{urlencode({'next': next_url})}")
            if last is None or (is_activity(request) and now - last >= RECORD_EVERY_SECONDS):
                request.session[LAST_ACTIVITY] = now
        return self.get_response(request)


# Pages a user who still owes the second factor may open.
MFA_EXEMPT = {"mfa_enrol", "mfa_verify", "logout", "set_language", "javascript-catalog"}


class MfaRequiredMiddleware:
    """A superuser, or a user of a role in MFA_REQUIRED_ROLES, whose session has not passed
    a TOTP code goes to the code page (or to enrolment if they have no device yet)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        from accounts import services

        if not settings.MFA_ENABLED or not request.user.is_authenticated:
            return None
        if request.user.is_verified() or not services.needs_second_factor(request.user):
            return None
        match = request.resolver_match
        if match is not None and match.url_name in MFA_EXEMPT:
            return None
        target = "mfa_verify" if services.has_totp_device(request.user) else "mfa_enrol"
        next_url = request.get_full_path() if not request.htmx else "/"
        return _to(request, f"{reverse(target)}?{urlencode({'next': next_url})}")


class NoStoreMiddleware:
    """Pages and API answers carry customer names, phones and places, and the profile page
    shows a new API key once: no browser cache or proxy keeps a copy (``no-store``). A view
    that sets its own Cache-Control (the upload view, the admin's never_cache) keeps it;
    static files never reach this far (WhiteNoise answers them above)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not response.has_header("Cache-Control"):
            response["Cache-Control"] = "no-store, private"
        return response
