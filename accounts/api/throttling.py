"""Rate limits per API key (or session user) and per anonymous address, in the shared cache
(Redis in production, so every gunicorn worker counts together)."""

from rest_framework.throttling import SimpleRateThrottle

from accounts.models import ApiKey


class KeyRateThrottle(SimpleRateThrottle):
    """Counts per API key when one is used, else per session user."""

    scope = "key"

    def get_cache_key(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return None
        key = request.auth if isinstance(request.auth, ApiKey) else None
        ident = f"k{key.pk}" if key else f"u{request.user.pk}"
        return self.cache_format % {"scope": self.scope, "ident": ident}


class AnonAddressThrottle(SimpleRateThrottle):
    """Counts unauthenticated requests per client address."""

    scope = "anon"

    def get_cache_key(self, request, view):
        if request.user and request.user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
