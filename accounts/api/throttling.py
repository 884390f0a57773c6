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


class FailedKeyThrottle(SimpleRateThrottle):
    """Counts wrong API keys per client address (rate ``bad_key``). Authentication fails
    before DRF's throttles run, so ApiKeyAuthentication asks this one itself: while an
    address is over the rate every key it sends waits (429), the right one too, so keys
    cannot be guessed at speed."""

    scope = "bad_key"
    # Set by SimpleRateThrottle.__init__ from the rate (not declared by the DRF stubs).
    num_requests: int
    duration: int

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}

    def _load(self, request) -> None:
        self.key = self.get_cache_key(request, None)
        self.history = self.cache.get(self.key, [])
        self.now = self.timer()
        while self.history and self.history[-1] <= self.now - self.duration:
            self.history.pop()

    def wait_for(self, request) -> float | None:
        """Seconds to wait if the address is over the rate, else None."""
        if self.rate is None:
            return None
        self._load(request)
        if len(self.history) >= self.num_requests:
            return self.wait()
        return None

    def record_failure(self, request) -> None:
        if self.rate is None:
            return
        self._load(request)
        self.history.insert(0, self.now)
        self.cache.set(self.key, self.history, self.duration)
