"""Django's ModelBackend with each user's permission set kept in core.refcache: a user's
permissions come from their groups and direct grants, which change only when an admin
edits them, yet every request that writes asks for them."""

from axes.backends import AxesStandaloneBackend
from django.contrib.auth.backends import ModelBackend

from core import refcache
from core.roles import is_system_account


class LockoutBackend(AxesStandaloneBackend):
    """django-axes' lockout check, first in AUTHENTICATION_BACKENDS: a locked-out account or
    address is refused before its password is checked. A call with no request (the test
    client's ``login``, a shell) has no address to count and is left to the next backend;
    the login pages always pass the request."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


class CachedModelBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        """Passwords log people in; a system account (the integration role) uses API keys
        only, so its password, if it has one, opens neither the desk nor the admin."""
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is not None and is_system_account(user):
            return None
        return user

    def get_all_permissions(self, user_obj, obj=None):
        if obj is not None or not user_obj.is_active or user_obj.is_anonymous:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            user_obj._perm_cache = refcache.get(
                ("perms", user_obj.pk, user_obj.is_superuser),
                lambda: frozenset(super(CachedModelBackend, self).get_all_permissions(user_obj)),
            )
        return user_obj._perm_cache
