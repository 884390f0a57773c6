"""The chaos soak (issue 14): the production topology as local processes, under fire.

PostgreSQL (the test database) and a Redis server of its own (the broker; stopped for 20 s
once), 2 web processes (gunicorn sharing one port with --reuse-port), 2 escalation workers,
2 delivery workers and 2 beats holding the lease, all under the project's supervisor
(scripts/run.sh with SCALE), which restarts what dies. A client posts reports at a steady
rate through the API, each due to escalate within seconds (its ``reported_at`` is set so the
confirm deadline falls 2-30 s after posting; the chain's second step comes a minute later);
two integration webhooks on 127.0.0.1 receive every "created" and "escalated" event. Every
few seconds a random process is killed with SIGKILL.

Then: every report answered 201 is stored; every occurrence that came due has exactly one
ledger row (0 missed, 0 duplicates) and one timeline event; every notification is delivered,
and the receiver saw each delivery key at least once and never more often than the outbox
made attempts (a repeat is only the retry contract at work: a worker killed after sending
and before recording; the receiver drops it by key). The figures are printed
(docs/high-availability.md says how to read them).
"""

from __future__ import annotations

import contextlib
import os
import random
import signal
import statistics
import sys
import threading
import time
import uuid
from collections import Counter, defaultdict
from datetime import timedelta
from pathlib import Path

import pytest
import requests
from django.utils import timezone

from accounts.services import create_api_key
from escalation.models import EscalationChain, EscalationFire, EscalationState, EscalationStep
from escalation.services import due_of
from incidents.models import EventKind, Incident, IncidentEvent
from incidents.services.rules import policy_for
from notifications.models import Channel, DeliveryStatus, Notification, WebhookEndpoint
from teams.models import DutyShift
from tests import factories
from tests.escalation.procs import ROOT, Procs
from tests.integration.chaos import (
    SCALE,
    Receiver,
    RedisServer,
    percentile,
    program_name,
    programs,
)
from tests.integration.chaos import procfile as chaos_procfile
from tests.integration.stack import Stack, cmdline, free_port, get_json, wait_for

pytestmark = [
    pytest.mark.integration,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# The timeline, in seconds from the moment the whole stack answers (env-tunable for a
# longer run on a quiet machine; the defaults keep the soak near three minutes).
POST_SECONDS = float(os.environ.get("SOAK_POST_SECONDS", "40"))
CLIENTS = int(os.environ.get("SOAK_CLIENTS", "3"))  # each posts one report a second
KILL_EVERY = float(os.environ.get("SOAK_KILL_EVERY", "5"))
CHAOS_SECONDS = float(os.environ.get("SOAK_CHAOS_SECONDS", "100"))
OUTAGE_AT, OUTAGE_SECONDS = 45.0, 20.0
LEAD_SECONDS = (2.0, 20.0)  # a report's confirm deadline falls this long after posting
DRAIN_SECONDS = 120.0  # includes the outbox's 60 s lease on a delivery whose worker died
STARTUP_SECONDS = 180.0  # eight Python processes starting on a busy 2-core machine

# --- the pieces around the stack -------------------------------------------------------------


class Client:
    """Posts reports at a steady rate; retries a failed request with its Idempotency-Key, as
    a real client does."""

    def __init__(self, url: str, key: str, confirm_minutes: int):
        self.url, self.key, self.confirm_minutes = url, key, confirm_minutes
        self.accepted: dict[str, int] = {}  # idempotency key -> incident id
        self.refused: Counter = Counter()
        self.last_refusal = ""
        self.unanswered = 0
        self.lock = threading.Lock()

    def post_one(self, session: requests.Session) -> None:
        key = uuid.uuid4().hex
        lead = random.uniform(*LEAD_SECONDS)
        reported = (
            timezone.now() - timedelta(minutes=self.confirm_minutes) + timedelta(seconds=lead)
        )
        body = {
            "title": "Soak: bus will not start",
            "category": "product-quality",
            "grade": "III",
            "customer_name": "Li Na",
            "asset_ref": "LSVAU2180N2000777",
            "external_ref": key,
            "reported_at": reported.isoformat(),
        }
        headers = {"Authorization": f"Token {self.key}", "Idempotency-Key": key}
        # Until an answer: a timeout or a dead web process is retried with the same key (a
        # 409 says the first try is still in flight), for up to a minute.
        give_up = time.monotonic() + 60
        while time.monotonic() < give_up:
            try:
                answer = session.post(
                    f"{self.url}/api/v1/incidents/", json=body, headers=headers, timeout=20
                )
            except requests.RequestException as exc:
                outcome = type(exc).__name__
            else:
                if answer.status_code == 201:
                    with self.lock:
                        self.accepted[key] = answer.json()["id"]
                    return
                outcome = str(answer.status_code)
                self.last_refusal = answer.text[:500]
                if answer.status_code not in (409, 429, 502, 503):
                    break
            with self.lock:
                self.refused[outcome] += 1
            time.sleep(0.5)
        with self.lock:
            self.unanswered += 1

    def run(self, seconds: float) -> None:
        session = requests.Session()
        started = time.monotonic()
        n = 0
        while time.monotonic() - started < seconds:
            self.post_one(session)
            n += 1
            # Steady: one a second, whatever the answers' times.
            time.sleep(max(0.0, started + n - time.monotonic()))


class Chaos:
    """Every KILL_EVERY seconds a supervised program gets SIGKILL: a random one of a kind
    taken in turn (web, escalation, delivery, beat, in a new random order each round), so
    every kind dies several times in every run."""

    KINDS = ("web", "escalation", "delivery", "beat")

    def __init__(self, stack: Stack):
        self.stack = stack
        self.kills: list[tuple[float, str]] = []

    def run(self, seconds: float, stop: threading.Event) -> None:
        started = time.monotonic()
        turn: list[str] = []
        while not stop.wait(KILL_EVERY) and time.monotonic() - started < seconds:
            self.stack.remember()  # the victim's children are stopped at the end too
            if not turn:
                turn = random.sample(self.KINDS, len(self.KINDS))
            kind = turn.pop()
            # A kind whose copies are both restarting is skipped this time.
            victims = [p for p in programs(self.stack.process.pid) if program_name(p) == kind]
            if not victims:
                continue
            with contextlib.suppress(ProcessLookupError):
                os.kill(random.choice(victims), signal.SIGKILL)
                self.kills.append((time.time(), kind))


# --- the data the soak works on ----------------------------------------------------------------


def prepare(receiver: Receiver) -> tuple[str, int]:
    """The organisation, a desk API key, a dispatcher on duty, two integrations, and a
    grade III confirm chain of two steps a minute apart. Returns (API key, confirm minutes)."""
    factories.make_org()
    desk = factories.UserFactory(username="soak-desk", roles=["dispatcher"])
    now = timezone.now()
    DutyShift.objects.create(
        user=desk,
        kind=DutyShift.Kind.DISPATCH,
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(hours=3),
    )
    _key, raw = create_api_key(desk, name="soak")
    for n in (1, 2):
        WebhookEndpoint.objects.create(
            name=f"soak-{n}",
            url=f"{receiver.url}/hook/{n}",
            secret="soak",
            events=["created", "escalated"],
        )
    steps = EscalationStep.objects.filter(chain__grade="III", chain__target="confirm")
    steps.filter(position=2).update(delay_minutes=1)
    steps.filter(position__gt=2).delete()
    EscalationChain.objects.filter(grade="III", target="confirm").update(repeat_every_minutes=None)
    return raw, policy_for("III").confirm_minutes


def due_occurrences(state: EscalationState, until) -> list[int]:
    seqs, seq = [], 1
    while (at := due_of(state.snapshot, state.deadline, seq)) is not None and at <= until:
        seqs.append(seq)
        seq += 1
    return seqs


def all_due_fired(incident_ids: list[int], until) -> bool:
    states = EscalationState.objects.filter(incident_id__in=incident_ids)
    return not states.filter(next_due_at__lte=until).exists()


# --- the soak ----------------------------------------------------------------------------------


def test_soak_loses_nothing_and_fires_each_due_step_once_under_kills_and_a_broker_outage(
    tmp_path, capsys
):
    broker = RedisServer(tmp_path)
    broker.start()
    receiver = Receiver()
    raw_key, confirm_minutes = prepare(receiver)
    port = free_port()
    var = tmp_path / "var"
    var.mkdir()
    procfile = tmp_path / "Procfile"
    procfile.write_text(chaos_procfile(port, var))
    env = Procs(tmp_path).env(
        PROCFILE=procfile,
        SCALE=SCALE,
        PORT=port,
        SITE_URL=f"http://127.0.0.1:{port}",
        CELERY_BROKER_URL=broker.url,
        WEBHOOK_ALLOWED_HOSTS="127.0.0.1",
        CELERY_WORKER_STUCK_SECONDS=20,
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    )
    stack = Stack(env)
    client = Client(f"http://127.0.0.1:{port}", raw_key, confirm_minutes)
    chaos = Chaos(stack)
    stop = threading.Event()
    try:
        assert wait_for(
            lambda: (
                stack.output.text().count(" ready.") >= 4
                and stack.output.text().count("beat: Starting...") >= 2
                and get_json(f"http://127.0.0.1:{port}/healthz") == (200, {"status": "ok"})
            ),
            STARTUP_SECONDS,
            interval=1,
        ), stack.output.text()[-5000:]
        started = time.monotonic()
        wall_started = time.time()

        threads = [
            threading.Thread(target=client.run, args=(POST_SECONDS,)) for _ in range(CLIENTS)
        ]
        threads.append(threading.Thread(target=chaos.run, args=(CHAOS_SECONDS, stop)))
        for thread in threads:
            thread.start()
        time.sleep(max(0.0, OUTAGE_AT - (time.monotonic() - started)))
        broker.stop()
        outage_started = time.time()
        time.sleep(OUTAGE_SECONDS)
        broker.start()
        outage_ended = time.time()
        for thread in threads:
            thread.join(timeout=CHAOS_SECONDS + 60)
        chaos_ended = time.monotonic() - started

        assert client.accepted, (
            dict(client.refused),
            client.last_refusal,
            stack.output.text()[-5000:],
        )
        # Every report stored, acknowledged or not (a 201 lost with a killed web process).
        ids = list(Incident.objects.values_list("pk", flat=True))
        # The last second step comes due a minute and a half after the last report.
        last_due = max(
            EscalationState.objects.filter(incident_id__in=ids).values_list("deadline", flat=True)
        ) + timedelta(minutes=1)
        settled = wait_for(
            lambda: (
                timezone.now() > last_due + timedelta(seconds=2)
                and all_due_fired(ids, timezone.now())
                and not Notification.objects.filter(incident_id__in=ids)
                .exclude(status=DeliveryStatus.DELIVERED)
                .exists()
            ),
            DRAIN_SECONDS + max(0.0, (last_due - timezone.now()).total_seconds()),
            interval=1,
        )
        checked_at = timezone.now()
        drained = time.monotonic() - started
    finally:
        stop.set()
        left = stack.stop()
        broker.stop()
        receiver.server.shutdown()
    assert settled, stack.output.text()[-8000:]
    assert left == [], [cmdline(pid) for pid in left]

    # 1. Every report that got a 201 is stored, as sent.
    stored = dict(Incident.objects.filter(pk__in=ids).values_list("external_ref", "pk"))
    lost_reports = {k: i for k, i in client.accepted.items() if stored.get(k) != i}
    unacknowledged = len(ids) - len(client.accepted)

    # 2. Every occurrence that came due has exactly one ledger row and one timeline event.
    states = list(EscalationState.objects.filter(incident_id__in=ids, target="confirm"))
    ledger = Counter(
        EscalationFire.objects.filter(incident_id__in=ids).values_list("state_id", "seq")
    )
    expected = {(s.pk, seq) for s in states for seq in due_occurrences(s, checked_at)}
    missed = expected - set(ledger)
    unexpected = set(ledger) - expected
    duplicate_fires = {k: n for k, n in ledger.items() if n > 1}
    events = Counter(
        (e.incident_id, e.data["target"], e.data["step"])
        for e in IncidentEvent.objects.filter(kind=EventKind.ESCALATED, incident_id__in=ids)
    )
    fired = list(
        EscalationFire.objects.filter(incident_id__in=ids, outcome="fired").values_list(
            "incident_id", "target", "seq", "due_at", "fired_at"
        )
    )
    superseded = EscalationFire.objects.filter(incident_id__in=ids, outcome="superseded").count()
    event_mismatch = Counter({(i, t, s): 1 for i, t, s, _d, _f in fired}) - events
    event_mismatch += events - Counter({(i, t, s): 1 for i, t, s, _d, _f in fired})
    lateness = [(f - d).total_seconds() for _i, _t, _s, d, f in fired]

    # 3. Every notification delivered once per recipient and channel.
    outbox = list(
        Notification.objects.filter(incident_id__in=ids).values_list(
            "incident_id", "step", "recipient", "channel", "status", "attempts"
        )
    )
    undelivered = [row for row in outbox if row[4] != DeliveryStatus.DELIVERED]
    hooks = {
        f"{i}:{step}:{recipient}:{channel}": attempts
        for i, step, recipient, channel, _status, attempts in outbox
        if channel == Channel.WEBHOOK
    }
    received = receiver.counts()
    never_received = [key for key in hooks if received[key] == 0]
    unknown = [key for key in received if key not in hooks]
    repeats = sum(n - 1 for n in received.values() if n > 1)
    beyond_contract = {k: (received[k], a) for k, a in hooks.items() if received[k] > max(a, 1)}
    fired_keys = {(i, f"{t}:{s}") for i, t, s, _d, _f in fired}
    expected_hooks = 2 * (len(ids) + len(fired_keys))  # created + escalated, two endpoints
    kills = Counter(name for _at, name in chaos.kills)
    (tmp_path / "stack.log").write_text(stack.output.text())
    buckets: dict[int, list[float]] = defaultdict(list)
    for _i, _t, _s, due, at in fired:
        buckets[int((due.timestamp() - wall_started) // 10) * 10].append((at - due).total_seconds())
    by_due = ", ".join(f"{b}s {max(v):.0f}" for b, v in sorted(buckets.items()))
    timeline = ", ".join(f"{at - wall_started:.0f}s {name}" for at, name in chaos.kills)

    figures = (
        "soak figures:"
        f"\n  run: {chaos_ended:.0f} s of posting and chaos, settled at {drained:.0f} s; "
        f"broker down {outage_ended - outage_started:.0f} s"
        f"\n  reports: {len(client.accepted)} accepted (201), {len(lost_reports)} lost; "
        f"{unacknowledged} stored without a 201 reaching the client, {client.unanswered} "
        f"never answered; failed attempts retried: {dict(client.refused) or 0}"
        f"\n  kills (SIGKILL): {len(chaos.kills)} - {dict(sorted(kills.items()))}"
        f"\n  escalation: {len(expected)} occurrences due, {len(fired)} fired, {superseded} "
        f"superseded (caught up), {len(missed)} missed, {len(duplicate_fires)} duplicates"
        f"\n  lateness (fired - due): p50 {statistics.median(lateness):.1f} s, "
        f"p99 {percentile(lateness, 0.99):.1f} s, max {max(lateness):.1f} s"
        f"\n  worst lateness by due time (10 s buckets from the start): {by_due}"
        f"\n  kills at: {timeline}; broker down at {outage_started - wall_started:.0f}s"
        f"\n  the stack's output: {tmp_path / 'stack.log'}"
        f"\n  notifications: {len(outbox)} in the outbox, {len(undelivered)} undelivered; "
        f"webhooks {len(hooks)} (expected {expected_hooks}), received {sum(received.values())}"
        f", never received {len(never_received)}, repeats dropped by key {repeats} "
        f"(beyond the retry contract: {len(beyond_contract)})"
    )
    # Shown in `make test`'s output too (pytest captures prints) and kept in var/.
    (ROOT / "var").mkdir(exist_ok=True)
    (ROOT / "var" / "soak-figures.txt").write_text(figures + "\n")
    with capsys.disabled():
        print("\n" + figures)
    assert lost_reports == {}
    assert len(client.accepted) >= CLIENTS * POST_SECONDS * 0.3, dict(client.refused)
    assert missed == set(), sorted(missed)[:20]
    assert unexpected == set(), sorted(unexpected)[:20]
    assert duplicate_fires == {}
    assert not event_mismatch, list(event_mismatch.items())[:20]
    assert fired
    assert undelivered == [], undelivered[:20]
    assert len(hooks) == expected_hooks
    assert never_received == [], never_received[:20]
    assert unknown == [], unknown[:20]
    assert beyond_contract == {}, beyond_contract
    assert len(chaos.kills) >= CHAOS_SECONDS / KILL_EVERY / 2
    assert all(kills[kind] >= 2 for kind in Chaos.KINDS), kills
