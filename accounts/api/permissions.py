from django.utils.translation import gettext_lazy as _
from rest_framework import permissions

from accounts.models import ApiKey


class KeyScope(permissions.BasePermission):
    """An authenticated user; a read-only API key may only use safe methods.

    DRF checks permissions before throttles, so a refused anonymous request would never be
    counted; this counts it against the per-address limit first (429 before 401).
    """

    message = _("This API key is read-only.")

    def has_permission(self, request, view):
        if not (request.user and request.user.is_authenticated):
            for throttle in view.get_throttles():
                if not throttle.allow_request(request, view):
                    view.throttled(request, throttle.wait())
            return False
        if isinstance(request.auth, ApiKey) and request.auth.read_only:
            return request.method in permissions.SAFE_METHODS
        return True
