"""A per-process cache of the small reference tables that nearly every write reads and
only an administrator changes: categories, response policies, teams, escalation chains,
integration webhooks and role permissions.

Reads come from process memory. A change to any registered model bumps one version
number in the database (``core.ReferenceVersion``), inside the transaction that made the
change, so other processes can only see it once it is committed. Each process compares
its copy's version with the database's at most once every ``REFDATA_RECHECK_SECONDS``
(one indexed single-row SELECT) and drops its copy when they differ; the process that
made the change drops its copy at once. A reader elsewhere therefore sees an admin's edit
within that many seconds (1 by default), and never a value that was rolled back for
longer than that.

Register a model with ``invalidate_on(Model)`` (in the owning app's ``ready()``); read
with ``get(key, loader)``, where ``loader`` builds the value from the database. Cached
values are shared between requests and threads: treat them as read-only.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.db.models.signals import m2m_changed, post_delete, post_save

_lock = threading.Lock()
_values: dict[Hashable, Any] = {}
_version: int | None = None
_recheck_at = 0.0


def _db_version() -> int:
    from core.models import ReferenceVersion

    row = ReferenceVersion.objects.filter(pk=1).values_list("n", flat=True).first()
    return row or 0


def get(key: Hashable, loader: Callable[[], Any], *, keep_none: bool = True) -> Any:
    """The cached value of ``key``, loaded with ``loader()`` on a miss. ``keep_none=False``
    does not keep a None (for lookups by untrusted input, which must not fill memory)."""
    global _values, _version, _recheck_at
    now = time.monotonic()
    if now >= _recheck_at:
        version = _db_version()
        with _lock:
            if version != _version:
                _values = {}
                _version = version
            _recheck_at = now + settings.REFDATA_RECHECK_SECONDS
    values = _values
    try:
        return values[key]
    except KeyError:
        value = loader()
        if value is not None or keep_none:
            values[key] = value
        return value


def clear() -> None:
    """Drop this process's copy; the next read checks the database's version first."""
    global _values, _version, _recheck_at
    with _lock:
        _values = {}
        _version = None
        _recheck_at = 0.0


def bump() -> None:
    """Record a change to reference data, in the caller's transaction."""
    from core.models import ReferenceVersion

    if not ReferenceVersion.objects.filter(pk=1).update(n=F("n") + 1):
        ReferenceVersion.objects.get_or_create(pk=1, defaults={"n": 1})
    clear()
    # Values read later in this transaction carry its uncommitted change: read again
    # once it commits.
    transaction.on_commit(clear)


def _changed(sender, **kwargs) -> None:
    bump()


def invalidate_on(*models, ignore: frozenset[str] = frozenset()) -> None:
    """Bump the version whenever a row of ``models`` is saved or deleted, or (for an m2m
    ``through`` model) a relation is added, removed or cleared. A save that names its
    ``update_fields`` and names only fields in ``ignore`` (ones no cached value reads, such
    as a user's ``last_login``) bumps nothing."""
    for model in models:
        uid = f"refcache:{model._meta.label}"
        if model._meta.auto_created:  # an m2m through table
            m2m_changed.connect(_m2m_changed, sender=model, dispatch_uid=uid)
            continue
        receiver = _changed
        if ignore:

            def receiver(sender, update_fields=None, **kwargs):
                if update_fields is None or not update_fields <= ignore:
                    bump()

        post_save.connect(receiver, sender=model, dispatch_uid=uid, weak=False)
        post_delete.connect(_changed, sender=model, dispatch_uid=f"{uid}:delete")


def _m2m_changed(sender, action: str, **kwargs) -> None:
    if action in ("post_add", "post_remove", "post_clear"):
        bump()
