"""The lifecycle table of settings, resolved: what each transition runs besides its own
status change and event (``settings.INCIDENT_LIFECYCLE``) and what may refuse a close
(``settings.INCIDENT_CLOSE_GUARDS``). Both are dotted paths, in Django's ``MIDDLEWARE``
idiom: the order written there is the order they run in. Read the table to know what a
transition does; nothing registers hooks at import time.
"""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import TYPE_CHECKING, Protocol, TypeAlias

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.module_loading import import_string

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from incidents.models import Incident

# Who acts: a user, or None for the system (tasks, commands, the sweep).
Actor: TypeAlias = "User | None"

ACTIONS = ("report", "confirm", "dispatch", "arrive", "resolve", "close", "cancel", "regrade")


class TransitionHook(Protocol):
    """Runs inside the transition's transaction, after the incident's row and event are
    written; raising rolls the whole transition back. It must do nothing (and cost no
    query, where it can tell) when the incident does not concern it."""

    def __call__(self, incident: Incident, *, actor: Actor, now: datetime) -> None: ...


class CloseGuard(Protocol):
    """Judges the locked row before a close; raises ValidationError to refuse it."""

    def __call__(self, incident: Incident) -> None: ...


@cache
def transition_hooks(action: str) -> tuple[TransitionHook, ...]:
    """The hooks of ``action``, in the table's order (imported once per process)."""
    table = settings.INCIDENT_LIFECYCLE
    unknown = set(table) - {*ACTIONS, "update"}
    if unknown:
        raise ImproperlyConfigured(f"INCIDENT_LIFECYCLE: unknown transitions {sorted(unknown)}")
    return tuple(import_string(path) for path in table.get(action, ()))


@cache
def close_guards() -> tuple[CloseGuard, ...]:
    return tuple(import_string(path) for path in settings.INCIDENT_CLOSE_GUARDS)


def run_hooks(action: str, incident: Incident, *, actor: Actor, now: datetime) -> None:
    """Run ``action``'s hooks in order (inside the caller's transaction)."""
    for hook in transition_hooks(action):
        hook(incident, actor=actor, now=now)


@receiver(setting_changed)
def _forget(*, setting: str, **_kwargs) -> None:
    if setting in ("INCIDENT_LIFECYCLE", "INCIDENT_CLOSE_GUARDS"):
        transition_hooks.cache_clear()
        close_guards.cache_clear()
