"""API key authentication: ``Authorization: Token <key>`` or ``Authorization: Bearer <key>``."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from accounts.api.throttling import FailedKeyThrottle
from accounts.services import key_for, touch_key

KEYWORDS = ("token", "bearer")


class ApiKeyAuthentication(authentication.BaseAuthentication):
    """Looks the key up by its SHA-256. Revoked, expired or unknown keys get 401.

    ``request.auth`` is the ``ApiKey`` (the read-only scope is checked by ``KeyScope``).
    """

    def authenticate(self, request):
        parts = authentication.get_authorization_header(request).split()
        if not parts or parts[0].lower().decode(errors="replace") not in KEYWORDS:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(_("Invalid authorization header."))
        try:
            raw = parts[1].decode()
        except UnicodeDecodeError as exc:
            raise exceptions.AuthenticationFailed(_("Invalid authorization header.")) from exc
        throttle = FailedKeyThrottle()
        wait = throttle.wait_for(request)
        if wait is not None:
            raise exceptions.Throttled(wait)
        api_key = key_for(raw)
        now = timezone.now()
        if api_key is None or not api_key.is_usable(now):
            throttle.record_failure(request)
            raise exceptions.AuthenticationFailed(_("Invalid, expired or revoked API key."))
        if not api_key.user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        touch_key(api_key, now=now)
        return (api_key.user, api_key)

    def authenticate_header(self, request):
        return 'Token realm="api"'


class ApiKeyScheme(OpenApiAuthenticationExtension):
    """The OpenAPI security scheme of ``ApiKeyAuthentication`` (found by drf-spectacular
    because this module is imported with the authentication class)."""

    target_class = "accounts.api.authentication.ApiKeyAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Token <key>` or `Bearer <key>`.",
        }
