"""Domain error bases shared by every app. The API maps them to status codes in one place:
``Conflict`` → 409 (the current state does not allow the action, or not enough stock)."""

from django.utils.translation import gettext_lazy as _

# The one refusal message: incidents.access raises PermissionDenied with it, and pages say it
# for a bare PermissionDenied.
NOT_ALLOWED = _("You are not allowed to do this.")


class DomainError(Exception):
    """Base of every domain error raised by a service."""


class Conflict(DomainError):
    """The object's current state does not allow the action."""
