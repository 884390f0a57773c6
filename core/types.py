"""Types shared by every app's services.

``Actor`` is who does something: a user, or ``None`` for the system (the escalation sweep,
a Celery task, a management command). Services take it as ``actor: Actor``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeAlias

if TYPE_CHECKING:
    from django.contrib.auth.models import User

Actor: TypeAlias = "User | None"
