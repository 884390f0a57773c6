"""Domain error bases shared by every app. The API maps them to status codes in one place:
``Conflict`` → 409 (the current state does not allow the action, or not enough stock)."""


class DomainError(Exception):
    """Base of every domain error raised by a service."""


class Conflict(DomainError):
    """The object's current state does not allow the action."""
