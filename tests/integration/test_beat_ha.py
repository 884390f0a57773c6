"""Two real beat processes (two "nodes") share the database lease (core/beat.py): one
schedules; when it is killed the other takes over within 30 s; they never schedule in the
same period (issue 14, item 4)."""

import itertools
import re
import signal
import time
from datetime import datetime

import pytest

from core.models import BeatLease
from tests.escalation.procs import Procs, broker_url, flush, wait_for

pytestmark = [
    pytest.mark.integration,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# A send, in Celery's log format or the settings' (core/logging.py): the time leads the line.
SEND = re.compile(
    r"^\[?(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3})[^\n]*?beat lease beat: token (\d+) sends (\S+)",
    re.MULTILINE,
)
# A send every second from whoever leads; sends are logged at INFO, in plain text.
FAST = {"ESCALATION_SWEEP_SECONDS": 1, "LOG_LEVEL": "INFO", "LOG_JSON": "false"}


def sends(procs: Procs, name: str) -> list[tuple[float, int, str]]:
    """(time, token, name) of every message the beat ``name`` sent, from its log."""
    return [
        (datetime.strptime(at, "%Y-%m-%d %H:%M:%S,%f").astimezone().timestamp(), int(token), name)
        for at, token, _entry in SEND.findall(procs.log(name))
    ]


def test_the_standby_beat_takes_over_within_30_seconds_and_they_never_both_schedule(tmp_path):
    flush(broker_url())
    procs = Procs(tmp_path)
    try:
        procs.beat("node1", **FAST)
        assert wait_for(lambda: sends(procs, "node1"), 60), procs.log("node1")[-3000:]
        procs.beat("node2", **FAST)
        assert wait_for(lambda: "beat: Starting..." in procs.log("node2"), 60)
        time.sleep(8)  # node2 tried the lease at least twice
        assert sends(procs, "node2") == [], procs.log("node2")[-3000:]
        assert len(sends(procs, "node1")) >= 5

        # node1's machine dies: no release, the lease must run out.
        procs.kill("node1", signal.SIGKILL)
        killed = time.time()
        assert wait_for(lambda: sends(procs, "node2"), 35), procs.log("node2")[-3000:]
        took_over = sends(procs, "node2")[0][0] - killed
        assert took_over <= 30, took_over

        # node1 comes back: it stands by while node2 leads.
        procs.beat("node1-again", **FAST)
        assert wait_for(lambda: "beat: Starting..." in procs.log("node1-again"), 60)
        time.sleep(8)
        assert sends(procs, "node1-again") == []

        # node2 is stopped cleanly: it releases the lease, node1 takes over at its next try.
        procs.kill("node2", signal.SIGTERM)
        stopped = time.time()
        assert wait_for(lambda: sends(procs, "node1-again"), 30)
        assert sends(procs, "node1-again")[0][0] - stopped <= 10
        time.sleep(2)
    finally:
        procs.stop_all()

    everything = sorted(sends(procs, "node1") + sends(procs, "node2") + sends(procs, "node1-again"))
    # Each token belongs to one process, tokens only grow, and the periods in which each
    # token sent do not overlap: never two schedulers at once.
    owners: dict[int, set[str]] = {}
    for _at, token, name in everything:
        owners.setdefault(token, set()).add(name)
    assert all(len(names) == 1 for names in owners.values()), owners
    tokens = [token for _at, token, _name in everything]
    assert tokens == sorted(tokens), tokens
    assert [next(iter(owners[t])) for t in sorted(owners)] == ["node1", "node2", "node1-again"]
    periods = [
        (
            min(at for at, t, _n in everything if t == token),
            max(at for at, t, _n in everything if t == token),
        )
        for token in sorted(owners)
    ]
    for (_start, end), (next_start, _end) in itertools.pairwise(periods):
        assert end < next_start, periods
    lease = BeatLease.objects.get(name="beat")
    assert lease.token == max(tokens)
