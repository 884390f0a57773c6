"""Real PostgreSQL, real Redis, real Celery worker and beat processes."""

import contextlib
import shutil
import socket
import subprocess
import time
from collections import Counter
from datetime import timedelta

import pytest
import redis
from django.utils import timezone

from escalation.models import EscalationFire
from incidents.models import EventKind, IncidentEvent
from notifications.models import Notification
from tests import factories
from tests.escalation.procs import Procs, broker_url, flush, wait_for

pytestmark = [
    pytest.mark.integration,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

MIN = timedelta(minutes=1)


@pytest.fixture
def procs(tmp_path):
    flush(broker_url())
    running = Procs(tmp_path)
    yield running
    running.stop_all()


@pytest.fixture
def staff(db):
    return factories.make_org()


def report_ago(minutes: float, grade: str = "III"):
    now = timezone.now()
    return factories.report(grade=grade, reported_at=now - timedelta(minutes=minutes), now=now)


def escalated_steps(incident_ids=None) -> Counter:
    qs = IncidentEvent.objects.filter(kind=EventKind.ESCALATED)
    if incident_ids is not None:
        qs = qs.filter(incident_id__in=incident_ids)
    return Counter((e.incident_id, e.data["target"], e.data["step"]) for e in qs)


def test_incident_reported_31_minutes_ago_is_escalated_to_step_1_within_30_seconds(staff, procs):
    incident = report_ago(31)
    started = time.monotonic()
    procs.worker()
    procs.beat()
    fired = wait_for(lambda: EscalationFire.objects.filter(incident=incident).first(), 30)
    assert fired, procs.log("w1")[-3000:]
    assert time.monotonic() - started < 30
    assert fired.seq == 1 and fired.level == 1
    incident.refresh_from_db()
    assert incident.escalation_level == 1
    assert escalated_steps([incident.pk]) == {(incident.pk, "confirm", 1): 1}
    # Step 2 is not due for another 14 minutes.
    time.sleep(3)
    assert EscalationFire.objects.filter(incident=incident).count() == 1


def ledger(incident_ids) -> Counter:
    """Ledger rows per (incident, target, occurrence): each must be there exactly once."""
    return Counter(
        EscalationFire.objects.filter(incident_id__in=incident_ids).values_list(
            "incident_id", "target", "seq"
        )
    )


def test_two_workers_and_two_beats_racing_fire_each_step_exactly_once(staff, procs):
    incidents = [report_ago(m) for m in (31, 46, 61) for _ in range(10)]
    # 31 min: step 1 due; 46: steps 1-2; 61: steps 1-3. Each clock fires its highest due
    # step once and records the others as superseded.
    total = 10 * (1 + 2 + 3)
    ids = [i.pk for i in incidents]
    procs.worker("w1", concurrency=2, ESCALATION_BATCH_SIZE=5)
    procs.worker("w2", concurrency=2, ESCALATION_BATCH_SIZE=5)
    procs.beat("b1", ESCALATION_SWEEP_SECONDS=1)
    procs.beat("b2", ESCALATION_SWEEP_SECONDS=1)
    assert wait_for(lambda: EscalationFire.objects.count() >= total, 60), procs.log("w1")[-3000:]
    time.sleep(5)  # let the racers run a few more sweeps
    assert sum(ledger(ids).values()) == total and set(ledger(ids).values()) == {1}
    steps = escalated_steps(ids)
    assert sum(steps.values()) == len(incidents) and set(steps.values()) == {1}
    assert {step for _i, _t, step in steps} == {1, 2, 3}
    notes = Counter(Notification.objects.values_list("incident", "step", "recipient", "channel"))
    assert notes and set(notes.values()) == {1}
    # Both workers took part in the race.
    for worker in ("w1", "w2"):
        assert "escalation.tasks.sweep" in procs.log(worker)


def test_killing_the_worker_mid_sweep_loses_and_duplicates_nothing(staff, procs):
    incidents = [report_ago(61) for _ in range(150)]  # 3 occurrences due each: 450 rows
    total = 450
    procs.worker("w1", ESCALATION_BATCH_SIZE=3)
    procs.beat("b1", ESCALATION_SWEEP_SECONDS=1)
    assert wait_for(lambda: EscalationFire.objects.count() >= 15, 60, interval=0.05)
    procs.kill("w1")  # SIGKILL to the whole process group, mid-sweep
    at_kill = EscalationFire.objects.count()
    assert at_kill < total, "the sweep finished before the kill; make it slower"
    procs.worker("w2", ESCALATION_BATCH_SIZE=50)
    assert wait_for(lambda: EscalationFire.objects.count() >= total, 90)
    time.sleep(3)
    ids = [i.pk for i in incidents]
    steps = escalated_steps(ids)
    assert sum(steps.values()) == len(incidents) and set(steps.values()) == {1}
    assert sum(ledger(ids).values()) == total and set(ledger(ids).values()) == {1}
    assert EscalationFire.objects.count() == total


def _free_port() -> int:
    """A port no socket holds now. A fixed one can be taken by any outgoing connection:
    Linux hands out local ports from 32768-60999 to clients."""
    with contextlib.closing(socket.socket()) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def own_redis(tmp_path):
    """A Redis server of this test's own, so stopping it does not disturb anyone else."""
    exe = shutil.which("redis-server")
    if exe is None:
        pytest.fail("redis-server not installed: run scripts/services.sh up (it installs it)")
    port = _free_port()
    log = tmp_path / "redis.log"

    def start():
        subprocess.run(
            [
                exe,
                "--bind",
                "127.0.0.1",
                "--port",
                str(port),
                "--daemonize",
                "yes",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(tmp_path),
                "--pidfile",
                str(tmp_path / "redis.pid"),
                "--logfile",
                str(log),
            ],
            check=True,
        )
        client = redis.Redis(port=port)
        assert wait_for(lambda: _ping(client), 10), (
            f"redis-server did not answer on port {port}:\n"
            + (log.read_text()[-2000:] if log.exists() else "(no log)")
        )

    def stop():
        with contextlib.suppress(redis.ConnectionError):
            redis.Redis(port=port).shutdown(nosave=True)
        assert wait_for(lambda: not _ping(redis.Redis(port=port)), 10)

    start()
    yield {"url": f"redis://127.0.0.1:{port}/0", "start": start, "stop": stop}
    stop()


def _ping(client) -> bool:
    try:
        return client.ping()
    except redis.ConnectionError:
        return False


def test_reports_accepted_while_redis_is_down_are_escalated_once_after_it_restarts(
    staff, procs, own_redis
):
    url = own_redis["url"]
    procs.worker("w1", CELERY_BROKER_URL=url)
    procs.beat("b1", CELERY_BROKER_URL=url)
    own_redis["stop"]()
    # The web tier, in its own process, pointed at the dead broker: the report is saved.
    script = (
        "from datetime import timedelta\n"
        "from django.utils import timezone\n"
        "from tests import factories\n"
        "now = timezone.now()\n"
        "for grade in ('I', 'III'):\n"
        "    for minutes in (31, 61):\n"
        "        i = factories.report(grade=grade, now=now,\n"
        "                             reported_at=now - timedelta(minutes=minutes))\n"
        "        print('REPORTED', i.pk)\n"
    )
    started = time.monotonic()
    web = subprocess.run(
        [procs_python(), "manage.py", "shell", "-c", script],
        cwd=procs_root(),
        env=procs.env(CELERY_BROKER_URL=url),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert web.returncode == 0, web.stderr[-3000:]
    assert time.monotonic() - started < 60
    ids = [int(line.split()[1]) for line in web.stdout.splitlines() if line.startswith("REPORTED")]
    assert len(ids) == 4
    time.sleep(4)
    assert not escalated_steps(ids), "nothing can fire while the broker is down"
    own_redis["start"]()
    # One fire per clock: step 1 for the 31-minute reports; for the 61-minute ones step 3,
    # with steps 1 and 2 superseded in the ledger and never sent.
    assert wait_for(lambda: sum(escalated_steps(ids).values()) >= 4, 60), (
        procs.log("b1")[-2000:] + procs.log("w1")[-2000:]
    )
    time.sleep(3)
    steps = escalated_steps(ids)
    assert sum(steps.values()) == 4 and set(steps.values()) == {1}
    confirm = EscalationFire.objects.filter(incident_id__in=ids, target="confirm")
    assert confirm.count() == 1 + 3 + 1 + 3
    assert sorted(confirm.filter(outcome="superseded").values_list("seq", "superseded_by")) == [
        (1, 3),
        (1, 3),
        (2, 3),
        (2, 3),
    ]
    superseded_steps = [f"confirm:{seq}" for seq in (1, 2)]
    late = confirm.filter(outcome="superseded").values_list("incident_id", flat=True)
    assert not Notification.objects.filter(incident_id__in=late, step__in=superseded_steps)


def procs_python() -> str:
    import sys

    return sys.executable


def procs_root():
    from tests.escalation.procs import ROOT

    return ROOT
