"""The beat lease (core/beat.py): one holder at a time, renewed, taken over only after it
expired, each takeover with a higher fencing token."""

import time
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from core.beat import Lease, LeaseScheduler, claim, release
from core.models import BeatLease

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)
S = timedelta(seconds=1)


def test_first_claim_takes_the_lease_with_token_1():
    assert claim("a", token=None, seconds=15, now=T0) == 1
    lease = BeatLease.objects.get()
    assert (lease.holder, lease.token, lease.acquired_at) == ("a", 1, T0)
    assert lease.expires_at == T0 + 15 * S


def test_a_running_lease_is_refused_to_another_holder():
    claim("a", token=None, seconds=15, now=T0)
    assert claim("b", token=None, seconds=15, now=T0 + 14 * S) is None
    # Even naming the current token does not make b the holder.
    assert claim("b", token=1, seconds=15, now=T0 + 14 * S) is None
    assert BeatLease.objects.get().holder == "a"


def test_renewal_keeps_the_token_and_moves_the_expiry():
    claim("a", token=None, seconds=15, now=T0)
    assert claim("a", token=1, seconds=15, now=T0 + 5 * S) == 1
    assert claim("b", token=None, seconds=15, now=T0 + 16 * S) is None  # renewed at T0+5
    lease = BeatLease.objects.get()
    assert (lease.token, lease.acquired_at, lease.expires_at) == (1, T0, T0 + 20 * S)


def test_an_expired_lease_is_taken_over_with_the_next_token():
    claim("a", token=None, seconds=15, now=T0)
    assert claim("b", token=None, seconds=15, now=T0 + 15 * S) is None  # not yet past expiry
    assert claim("b", token=None, seconds=15, now=T0 + 16 * S) == 2
    lease = BeatLease.objects.get()
    assert (lease.holder, lease.token, lease.acquired_at) == ("b", 2, T0 + 16 * S)


def test_a_holder_that_slept_past_its_lease_cannot_renew_after_a_takeover():
    """Fencing: a paused leader wakes up with token 1; b took the lease over as 2."""
    claim("a", token=None, seconds=15, now=T0)
    claim("b", token=None, seconds=15, now=T0 + 16 * S)
    assert claim("a", token=1, seconds=15, now=T0 + 17 * S) is None
    assert BeatLease.objects.get().holder == "b"
    # When b's lease expires in turn, a may take it over, but only as a new token.
    assert claim("a", token=1, seconds=15, now=T0 + 40 * S) == 3


def test_an_expired_lease_nobody_took_is_renewed_by_its_holder_with_the_same_token():
    claim("a", token=None, seconds=15, now=T0)
    assert claim("a", token=1, seconds=15, now=T0 + 30 * S) == 1


def test_release_lets_a_standby_take_over_at_once():
    claim("a", token=None, seconds=15, now=T0)
    assert release("b", 1, now=T0 + S) is False
    assert release("a", 1, now=T0 + S) is True
    assert claim("b", token=None, seconds=15, now=T0 + 2 * S) == 2


def test_leases_of_different_names_are_independent():
    assert claim("a", token=None, seconds=15, now=T0, name="beat") == 1
    assert claim("b", token=None, seconds=15, now=T0, name="other") == 1


def test_process_lease_leads_until_its_own_clock_says_it_may_have_run_out():
    """Lease.refresh claims on the wall clock (time-machine) and leads by the monotonic one:
    it stops sending CLOCK_MARGIN_SECONDS before anyone else may take over."""
    with time_machine.travel(T0, tick=False) as traveller:
        a, b = Lease(15, holder="a", clock=time.time), Lease(15, holder="b", clock=time.time)
        assert a.refresh() is True and a.token == 1
        assert b.refresh() is False and b.token is None
        assert a.renew_every == 5
        # a's process hangs (no renewal) for 13.5 s: past lease minus margin, it stops.
        traveller.shift(13.5)
        assert a.leading() is False
        traveller.shift(2)  # T0 + 15.5: expired
        b.next_claim = 0
        assert b.refresh() is True and b.token == 2
        # a wakes up and tries to renew: refused, it stands by.
        assert a.refresh() is False and a.token is None


def test_process_lease_renews_only_every_third_of_the_lease():
    with time_machine.travel(T0, tick=False) as traveller:
        a = Lease(15, holder="a", clock=time.time)
        assert a.refresh()
        first = BeatLease.objects.get().expires_at
        traveller.shift(4)
        assert a.refresh()
        assert BeatLease.objects.get().expires_at == first  # not renewed yet
        traveller.shift(1.5)
        assert a.refresh()
        assert BeatLease.objects.get().expires_at == T0 + timedelta(seconds=20.5)


def test_process_lease_stops_leading_when_the_database_is_unreachable(monkeypatch):
    from django.db import OperationalError

    import core.beat

    with time_machine.travel(T0, tick=False) as traveller:
        a = Lease(15, holder="a", clock=time.time)
        assert a.refresh()

        def down(*args, **kwargs):
            raise OperationalError("the database is down")

        monkeypatch.setattr(core.beat, "claim", down)
        monkeypatch.setattr(core.beat.connection, "close", lambda: None)
        traveller.shift(6)
        assert a.refresh() is True  # ours has not run out yet
        traveller.shift(8)
        assert a.refresh() is False  # 14 s since the last claim: past 15 - margin


class _Entry:
    name = "escalation-sweep"


def test_scheduler_sends_nothing_while_another_beat_leads(monkeypatch, tmp_path):
    from config.celery import app

    claim("elsewhere", token=None, seconds=60)
    # Beat replaces broken connections before each tick; the test's must stay open.
    monkeypatch.setattr("core.beat.close_old_connections", lambda: None)
    sent = []
    monkeypatch.setattr(
        "celery.beat.PersistentScheduler.apply_entry",
        lambda self, entry, producer=None: sent.append(entry.name),
    )
    scheduler = LeaseScheduler(app=app, schedule_filename=str(tmp_path / "schedule"), lazy=True)
    assert scheduler.tick() > 0
    scheduler.apply_entry(_Entry())
    assert sent == []
    BeatLease.objects.update(expires_at=T0)  # the other beat died long ago
    scheduler.lease.next_claim = 0
    scheduler.lease.refresh()
    scheduler.apply_entry(_Entry())
    assert sent == ["escalation-sweep"]
    assert BeatLease.objects.get().holder == scheduler.lease.holder
