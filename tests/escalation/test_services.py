"""Every rule of the chains, with a moved clock."""

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from escalation import services
from escalation.models import EscalationChain, EscalationFire, EscalationState
from incidents import services as incidents
from incidents.models import EventKind, Incident
from notifications.models import Notification, NotificationPreference
from tests import factories

pytestmark = pytest.mark.django_db

MIN = timedelta(minutes=1)


def sweep(at):
    with time_machine.travel(at, tick=False):
        return services.escalate_due(now=at)


def escalations(incident, target=None):
    qs = incident.events.filter(kind=EventKind.ESCALATED).order_by("id")
    rows = [(e.data["target"], e.data["step"], e.data["level"]) for e in qs]
    return [r for r in rows if target is None or r[0] == target]


def told(incident, step):
    return set(
        Notification.objects.filter(incident=incident, step=step, channel="inapp").values_list(
            "user__username", flat=True
        )
    )


def reach(incident, target, at, actor):
    """Move ``incident`` to the milestone before ``target``'s clock starts."""
    with time_machine.travel(at, tick=False):
        if target in ("arrive", "resolve"):
            incidents.confirm_incident(incident, actor=actor, now=at)
            # Jobs go to technicians only; the manager (actor) still arrives and resolves.
            technician = factories.UserFactory(username="reach-tech", roles=["technician"])
            incidents.dispatch_incident(incident, actor=actor, assignee=technician, now=at)
        if target == "resolve":
            incidents.arrive_incident(incident, actor=actor, now=at)
    incident.refresh_from_db()
    return incident


@pytest.mark.parametrize("grade", ["I", "II", "III"])
@pytest.mark.parametrize("target", ["confirm", "arrive", "resolve"])
def test_chain_steps_fire_at_deadline_then_15_and_30_min_then_every_30(
    grade, target, reported, manager, t0, write_path
):
    incident = reported(grade)
    incident = reach(incident, target, t0 + MIN, manager)
    deadline = getattr(incident, f"{target}_deadline")

    assert sweep(deadline - timedelta(seconds=1)) == 0
    assert sweep(deadline) == 1
    incident.refresh_from_db()
    assert incident.escalation_level == 1
    assert sweep(deadline + 14 * MIN) == 0
    assert sweep(deadline + 15 * MIN) == 1
    assert sweep(deadline + 30 * MIN) == 1
    assert sweep(deadline + 59 * MIN) == 0
    assert sweep(deadline + 60 * MIN) == 1  # first reminder
    assert sweep(deadline + 90 * MIN) == 1  # second reminder
    assert escalations(incident, target) == [
        (target, 1, 1),
        (target, 2, 2),
        (target, 3, 3),
        (target, 4, 3),
        (target, 5, 3),
    ]
    incident.refresh_from_db()
    assert incident.escalation_level == 3
    fires = EscalationFire.objects.filter(incident=incident, target=target).order_by("seq")
    assert [f.due_at - deadline for f in fires] == [
        timedelta(0),
        15 * MIN,
        30 * MIN,
        60 * MIN,
        90 * MIN,
    ]
    assert [f.is_reminder for f in fires] == [False, False, False, True, True]


def test_each_step_tells_its_audience(reported, t0, on_duty):
    incident = reported("III")
    deadline = incident.confirm_deadline
    sweep(deadline)
    sweep(deadline + 15 * MIN)
    sweep(deadline + 30 * MIN)
    sweep(deadline + 60 * MIN)
    assert told(incident, "confirm:1") == {"tech-leader", on_duty.username}
    assert told(incident, "confirm:2") == {"deputy1", "deputy2"}
    assert told(incident, "confirm:3") == {"commander"}
    assert told(incident, "confirm:4") == {"commander", "deputy1", "deputy2"}


def test_level_one_report_alerts_hq_at_once(reported, t0, write_path):
    incident = reported("I")
    notified = incident.events.filter(kind=EventKind.NOTIFIED)
    assert notified.count() == 1
    assert told(incident, "report:1") == {"commander", "deputy1", "deputy2"}
    assert escalations(incident) == []
    incident.refresh_from_db()
    assert incident.escalation_level == 0
    assert sweep(t0 + 29 * MIN) == 0  # the HQ alert is not repeated


def test_level_two_and_three_reports_do_not_alert_hq(reported):
    for grade in ("II", "III"):
        incident = reported(grade)
        assert not incident.events.filter(kind=EventKind.NOTIFIED).exists()


def test_confirm_between_steps_ends_the_confirm_chain_and_starts_arrive(reported, manager, t0):
    incident = reported("II")
    sweep(incident.confirm_deadline)
    at = incident.confirm_deadline + 5 * MIN
    with time_machine.travel(at, tick=False):
        incidents.confirm_incident(incident, actor=manager, now=at)
    incident.refresh_from_db()
    assert incident.escalation_level == 0
    assert sweep(incident.confirm_deadline + 3 * 60 * MIN) == 0
    assert escalations(incident) == [("confirm", 1, 1)]
    state = EscalationState.objects.get(incident=incident, target="confirm")
    assert state.next_due_at is None and state.end_reason == "confirm"
    arrive = EscalationState.objects.get(incident=incident, target="arrive")
    assert arrive.next_due_at == incident.arrive_deadline


def test_cancel_ends_every_chain(reported, manager, t0):
    incident = reported("I")
    with time_machine.travel(t0 + MIN, tick=False):
        incidents.cancel_incident(incident, actor=manager, reason="duplicate", now=t0 + MIN)
    assert sweep(t0 + 24 * 60 * MIN) == 0
    assert not EscalationState.objects.filter(incident=incident, next_due_at__isnull=False)


def test_resolve_ends_every_chain(reported, manager, t0, write_path):
    incident = reach(reported("II"), "arrive", t0 + MIN, manager)
    with time_machine.travel(t0 + 2 * MIN, tick=False):
        incidents.resolve_incident(incident, actor=manager, resolution="Reset", now=t0 + 2 * MIN)
    assert sweep(t0 + 10 * 24 * 60 * MIN) == 0


def test_regrade_recomputes_the_running_chain_from_the_new_deadlines(reported, manager, t0):
    incident = reach(reported("III"), "arrive", t0 + MIN, manager)
    old_deadline = incident.arrive_deadline
    at = t0 + 5 * MIN
    with time_machine.travel(at, tick=False):
        incident = incidents.regrade_incident(incident, actor=manager, grade="I", now=at)
    assert incident.arrive_deadline < old_deadline
    state = EscalationState.objects.get(incident=incident, target="arrive")
    assert state.deadline == incident.arrive_deadline
    assert state.next_due_at == incident.arrive_deadline
    assert state.snapshot["name"].startswith("Level I")
    assert told(incident, "report:1") == {"commander", "deputy1", "deputy2"}  # upgrade to I
    assert sweep(incident.arrive_deadline) == 1


def test_regrade_after_a_step_keeps_fired_steps_and_moves_the_next(reported, manager, t0):
    incident = reach(reported("I"), "arrive", t0 + MIN, manager)
    sweep(incident.arrive_deadline)  # step 1 fired at the Level I deadline (2 h)
    at = incident.arrive_deadline + MIN
    with time_machine.travel(at, tick=False):
        incident = incidents.regrade_incident(incident, actor=manager, grade="III", now=at)
    state = EscalationState.objects.get(incident=incident, target="arrive")
    assert state.next_seq == 2
    assert state.next_due_at == incident.arrive_deadline + 15 * MIN  # Level III: 8 h
    assert sweep(at + 60 * MIN) == 0
    assert escalations(incident) == [("arrive", 1, 1)]


def test_running_incidents_follow_the_chain_as_it_was_when_their_clock_started(reported, t0):
    before = reported("III")
    chain = EscalationChain.objects.get(grade="III", target="confirm", is_active=True)
    step = chain.steps.get(position=2)
    step.delay_minutes = 5
    step.save()  # as the admin does; the chain cache (core.refcache) sees the change
    after = reported("III")
    sweep(before.confirm_deadline)
    sweep(before.confirm_deadline + 5 * MIN)
    assert escalations(before) == [("confirm", 1, 1)]
    assert escalations(after) == [("confirm", 1, 1), ("confirm", 2, 2)]


def test_sweep_twice_at_the_same_time_fires_once(reported, write_path):
    incident = reported("III")
    assert sweep(incident.confirm_deadline) == 1
    assert sweep(incident.confirm_deadline) == 0
    assert EscalationFire.objects.filter(incident=incident).count() == 1
    assert Notification.objects.filter(incident=incident, step="confirm:1").count() == 4


def test_late_sweep_fires_the_highest_missed_step_once_and_supersedes_the_rest(
    reported, on_duty, write_path
):
    incident = reported("III")
    # Down from before the deadline until 61 minutes after it: steps 1-3 and reminder 4 missed.
    fired = sweep(incident.confirm_deadline + 61 * MIN)
    assert fired == 1
    assert escalations(incident) == [("confirm", 3, 3)]
    ledger = list(
        EscalationFire.objects.filter(incident=incident)
        .order_by("seq")
        .values_list("seq", "outcome", "superseded_by")
    )
    assert ledger == [
        (1, "superseded", 3),
        (2, "superseded", 3),
        (3, "fired", None),
        (4, "superseded", 3),
    ]
    incident.refresh_from_db()
    assert incident.escalation_level == 3
    # Everyone the missed occurrences addressed is told once, by the one that fired.
    assert told(incident, "confirm:3") == {
        "tech-leader",
        on_duty.username,
        "deputy1",
        "deputy2",
        "commander",
    }
    assert not Notification.objects.filter(incident=incident).exclude(step="confirm:3").exists()
    # Nothing is left to catch up: the next occurrence is the reminder due at +90 min.
    assert sweep(incident.confirm_deadline + 62 * MIN) == 0
    assert sweep(incident.confirm_deadline + 90 * MIN) == 1
    assert escalations(incident)[-1] == ("confirm", 5, 3)


def test_catch_up_after_a_long_outage_sends_at_most_one_reminder(reported, on_duty):
    """The demo's storm: 38 occurrences missed (3 steps + 35 reminders) fired in one second."""
    incident = reported("III")
    deadline = incident.confirm_deadline
    at = deadline + (30 + 35 * 30) * MIN + 5 * MIN
    with time_machine.travel(at, tick=False):
        assert services.escalate_due() == 1
    assert EscalationFire.objects.filter(incident=incident).count() == 38
    assert EscalationFire.objects.filter(incident=incident, outcome="fired").count() == 1
    inbox = Notification.objects.filter(incident=incident, user__username="commander")
    assert inbox.filter(channel="inapp").count() == 1
    # Later the steps are all fired: a second outage with only reminders missed fires one.
    later = at + 95 * MIN
    assert sweep(later) == 1
    latest = EscalationFire.objects.filter(incident=incident, outcome="fired").latest("seq")
    assert latest.is_reminder and latest.seq == 41
    superseded = EscalationFire.objects.filter(incident=incident, seq__in=[39, 40])
    assert {(f.outcome, f.superseded_by, f.reason) for f in superseded} == {
        ("superseded", 41, "catch_up")
    }


def test_a_sweep_on_time_fires_every_step_in_order(reported):
    incident = reported("III")
    for minutes in (0, 15, 30, 60):
        assert sweep(incident.confirm_deadline + minutes * MIN + 2 * timedelta(seconds=1)) == 1
    assert [s for _t, s, _l in escalations(incident)] == [1, 2, 3, 4]
    assert not EscalationFire.objects.filter(incident=incident, outcome="superseded").exists()


def test_escalated_event_records_due_fired_and_lateness(reported, write_path):
    incident = reported("III")
    at = incident.confirm_deadline + timedelta(seconds=7)
    sweep(at)
    event = incident.events.get(kind=EventKind.ESCALATED)
    assert event.data["level"] == 1
    assert event.data["due_at"] == incident.confirm_deadline.isoformat()
    assert event.data["fired_at"] == at.isoformat()
    assert event.data["step_late_seconds"] == 7


def test_sweep_query_count_does_not_grow_with_due_steps(reported, t0):
    first = [reported("III") for _ in range(3)]
    with CaptureQueriesContext(connection) as small:
        assert sweep(first[0].confirm_deadline) == 3
    for _ in range(20):
        reported("III")
    with CaptureQueriesContext(connection) as big:
        assert sweep(first[0].confirm_deadline + MIN) == 20
    assert len(big) == len(small)


def test_sweep_reads_only_due_clocks(reported, t0):
    reported("III")
    with CaptureQueriesContext(connection) as ctx:
        assert sweep(t0 + MIN) == 0
    assert len(ctx) <= 3  # savepoint/transaction + one indexed SELECT


def test_messages_use_the_recipients_language(reported, org):
    NotificationPreference.objects.create(user=org["tech_leader"], language="zh-hans")
    incident = reported("III")
    sweep(incident.confirm_deadline + 10 * MIN)
    mine = Notification.objects.get(incident=incident, user=org["tech_leader"], channel="inapp")
    assert mine.language == "zh-hans"
    assert "升级" in mine.title
    theirs = (
        Notification.objects.filter(incident=incident, channel="inapp")
        .exclude(user=org["tech_leader"])
        .first()
    )
    assert "escalated to level 1" in theirs.title
    assert "10 min late" in theirs.body
    assert f"/incidents/{incident.pk}/" in theirs.body


def test_acknowledge_stops_the_arrive_chain(reported, manager, t0):
    incident = reach(reported("II"), "arrive", t0 + MIN, manager)
    sweep(incident.arrive_deadline)
    at = incident.arrive_deadline + MIN
    services.acknowledge(incident, actor=manager, now=at)
    assert sweep(incident.arrive_deadline + 5 * 60 * MIN) == 0
    assert incident.events.filter(kind=EventKind.NOTE, data__acknowledged="arrive").exists()


def test_acknowledge_refuses_a_confirm_clock(reported, manager):
    from core.exceptions import Conflict

    incident = reported("II")
    sweep(incident.confirm_deadline)
    with pytest.raises(Conflict):
        services.acknowledge(incident, actor=manager)


def test_escalate_overdue_command_runs_one_sweep(reported, t0):
    from io import StringIO

    from django.core.management import call_command

    incident = reported("III")
    out = StringIO()
    with time_machine.travel(incident.confirm_deadline + MIN, tick=False):
        call_command("escalate_overdue", stdout=out)
    assert "fired 1" in out.getvalue()
    assert Incident.objects.get(pk=incident.pk).escalation_level == 1
