"""A beat that survives its machine: several beat processes run, one schedules.

Each beat (``celery -A config beat``; config/celery.py makes ``LeaseScheduler`` the
scheduler) claims the ``beat`` row of ``BeatLease`` with one conditional UPDATE, the way
Healthchecks claims work: the row count decides. The holder renews it every third of
BEAT_LEASE_SECONDS; another beat takes it over only once it has expired, and each takeover
increments the row's ``token`` (the fencing token). A renewal names the token it holds, so
a beat that was paused past its lease and then wakes up cannot renew a lease someone else
took in the meantime: it sees zero rows and stands by.

A leader sends nothing once its own clock says its lease may have run out (the claim's
start plus the lease, minus CLOCK_MARGIN_SECONDS for clock skew between machines), which is
before any other beat may take the lease over (expiry, as written by the leader's clock).
So two beats never send in the same period; a standby takes over within BEAT_LEASE_SECONDS
plus one renewal interval of the leader's death (20 s by default), or at once when the
leader stops cleanly (it releases the lease).

The sweep is harmless when it does run twice anyway (a manual `escalate_overdue`, a
message redelivered after a worker died): it claims due clocks with SKIP LOCKED and the
ledger's unique (clock, occurrence) refuses a second fire (docs/high-availability.md).
"""

from __future__ import annotations

import logging
import os
import socket
import time
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta

from celery.beat import PersistentScheduler
from django.db import DatabaseError, close_old_connections, connection, transaction
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone

log = logging.getLogger("aftersales.beat")

LEASE_NAME = "beat"
# How far apart two machines' clocks may be before a standby could take over early.
CLOCK_MARGIN_SECONDS = 2.0


def new_holder() -> str:
    """This process's name in the lease: host, pid and a random part (a restarted process
    with a recycled pid is someone else)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def claim(
    holder: str,
    *,
    token: int | None,
    seconds: float,
    name: str = LEASE_NAME,
    now: datetime | None = None,
) -> int | None:
    """Take or renew lease ``name`` for ``seconds`` from ``now``; return the fencing token
    held, or None when another holder's lease is still running.

    ``token``: the one this holder already holds (renewal), or None (take it only if it
    expired). A takeover increments the token; a renewal keeps it. One conditional UPDATE
    decides, so two claimers racing for an expired lease cannot both win: the second's
    WHERE no longer matches once the first committed (PostgreSQL re-checks it on the
    updated row; SQLite has one writer at a time)."""
    from core.models import BeatLease

    now = now or timezone.now()
    until = now + timedelta(seconds=seconds)
    BeatLease.objects.bulk_create(
        [BeatLease(name=name, holder="", token=0, expires_at=now - timedelta(days=1))],
        ignore_conflicts=True,
    )
    expired = Q(expires_at__lt=now)
    if token is None:
        changes = {"token": F("token") + 1, "acquired_at": Value(now)}
        claimable = expired
    else:
        mine = Q(holder=holder, token=token)
        changes = {
            "token": Case(When(mine, then=F("token")), default=F("token") + 1),
            "acquired_at": Case(When(mine, then=F("acquired_at")), default=Value(now)),
        }
        claimable = mine | expired
    with transaction.atomic():
        won = (
            BeatLease.objects.filter(name=name)
            .filter(claimable)
            .update(holder=holder, expires_at=until, **changes)
        )
        if not won:
            return None
        return BeatLease.objects.filter(name=name).values_list("token", flat=True).get()


def release(holder: str, token: int, *, name: str = LEASE_NAME, now: datetime | None = None):
    """End our lease now so a standby takes over at its next try. Returns whether we held it."""
    from core.models import BeatLease

    now = now or timezone.now()
    return bool(
        BeatLease.objects.filter(name=name, holder=holder, token=token).update(
            expires_at=now - timedelta(microseconds=1)
        )
    )


class Lease:
    """One process's view of the lease: whether it may send now (by its monotonic clock),
    and when to claim again."""

    def __init__(
        self,
        seconds: float,
        *,
        holder: str | None = None,
        name: str = LEASE_NAME,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.clock = clock  # the tests pass time.time, which time-machine moves
        self.seconds = float(seconds)
        self.renew_every = self.seconds / 3
        self.holder = holder or new_holder()
        self.name = name
        self.token: int | None = None
        self.valid_until = 0.0  # monotonic
        self.next_claim = 0.0  # monotonic

    def leading(self) -> bool:
        return self.token is not None and self.clock() < self.valid_until

    def refresh(self) -> bool:
        """Claim or renew when it is time; return whether this process leads now."""
        started = self.clock()
        if started < self.next_claim:
            return self.leading()
        self.next_claim = started + self.renew_every
        before = self.token
        try:
            self.token = claim(self.holder, token=self.token, seconds=self.seconds, name=self.name)
        except DatabaseError:
            # The database is unreachable: we cannot know who leads; stop when ours runs out.
            log.warning("beat lease: cannot reach the database; retrying", exc_info=True)
            connection.close()
            return self.leading()
        if self.token is None:
            self.valid_until = 0.0
            if before is not None:
                log.warning("beat lease %s: lost (token %s); standing by", self.name, before)
            return False
        self.valid_until = started + self.seconds - CLOCK_MARGIN_SECONDS
        if before != self.token:
            log.warning(
                "beat lease %s: leading as %s (token %s)", self.name, self.holder, self.token
            )
        return True

    def give_up(self) -> None:
        if self.token is None:
            return
        try:
            release(self.holder, self.token, name=self.name)
            log.warning("beat lease %s: released (token %s)", self.name, self.token)
        except DatabaseError:
            log.warning("beat lease: could not release; it expires by itself", exc_info=True)
        self.token, self.valid_until = None, 0.0

    def wait(self) -> float:
        return max(0.1, self.next_claim - self.clock())


class LeaseScheduler(PersistentScheduler):
    """Celery beat's file-backed scheduler that sends only while it holds the lease."""

    def __init__(self, *args, **kwargs):
        import django
        from django.apps import apps
        from django.conf import settings

        if not apps.ready:
            django.setup()
        self.lease = Lease(settings.BEAT_LEASE_SECONDS)
        super().__init__(*args, **kwargs)

    def tick(self, *args, **kwargs):
        close_old_connections()  # a connection broken by a database restart is replaced
        if not self.lease.refresh():
            return self.lease.wait()
        return min(super().tick(*args, **kwargs), self.lease.wait())

    def apply_entry(self, entry, producer=None):
        # The lease may have run out since this tick began (a slow broker, a pause).
        if not self.lease.leading():
            log.warning("beat lease: not leading; %s not sent", entry.name)
            return
        log.info("beat lease %s: token %s sends %s", self.lease.name, self.lease.token, entry.name)
        super().apply_entry(entry, producer=producer)

    def close(self):
        try:
            self.lease.give_up()
        finally:
            super().close()

    @property
    def info(self):
        return f"{super().info}\n    . lease -> {self.lease.holder} ({self.lease.seconds:.0f} s)"
