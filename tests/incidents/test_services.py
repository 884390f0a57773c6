"""The incident lifecycle in incidents.services: transitions, deadlines, directives, access."""

import threading
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.db import connection

from incidents import services
from incidents.exceptions import DirectiveClosed, InvalidTransition
from incidents.models import (
    Directive,
    DirectiveStatus,
    EventKind,
    Incident,
    IncidentEvent,
    ResponsePolicy,
    Status,
)
from incidents.seed import CATEGORIES
from tests import factories
from tests.factories import report

T0 = datetime(2026, 3, 10, 2, 0, tzinfo=UTC)
MIN = timedelta(minutes=1)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(T0, tick=False):
        yield


def walk(incident, to: str, actor, *, team=None, assignee=None, now=T0):
    """Bring ``incident`` to status ``to`` through the services, one minute per step."""
    steps = {
        "confirmed": lambda t: services.confirm_incident(incident, actor=actor, now=t),
        "dispatched": lambda t: services.dispatch_incident(
            incident, actor=actor, team=team, assignee=assignee, now=t
        ),
        "on_site": lambda t: services.arrive_incident(incident, actor=actor, now=t),
        "resolved": lambda t: services.resolve_incident(
            incident, actor=actor, resolution="Replaced the fuse.", now=t
        ),
        "closed": lambda t: services.close_incident(incident, actor=actor, now=t),
    }
    if to == Status.CANCELLED:
        services.cancel_incident(incident, actor=actor, reason="Duplicate.", now=now + MIN)
        return incident
    order = ["confirmed", "dispatched", "on_site", "resolved", "closed"]
    if to == Status.REPORTED:
        return incident
    for n, status in enumerate(order[: order.index(to) + 1], start=1):
        steps[status](now + n * MIN)
    return incident


@pytest.fixture
def at_status(org, manager):
    def make(status: str, *, grade: str = "III", assignee=None):
        incident = report(manager, grade=grade, now=T0)
        team = None if assignee else org["service_centre"]
        walk(incident, status, manager, team=team, assignee=assignee)
        incident.refresh_from_db()
        assert incident.status == status
        return incident

    return make


def events_of(incident) -> list[str]:
    return list(IncidentEvent.objects.filter(incident=incident).values_list("kind", flat=True))


# --- every transition, allowed and refused ---------------------------------------------

LATER = T0 + timedelta(hours=1)


def _do(action: str, incident, actor, org):
    calls = {
        "confirm": lambda: services.confirm_incident(incident, actor=actor, now=LATER),
        "dispatch": lambda: services.dispatch_incident(
            incident, actor=actor, team=org["service_centre_2"], now=LATER
        ),
        "arrive": lambda: services.arrive_incident(incident, actor=actor, now=LATER),
        "resolve": lambda: services.resolve_incident(
            incident, actor=actor, resolution="Reset the BMS.", now=LATER
        ),
        "close": lambda: services.close_incident(incident, actor=actor, now=LATER),
        "cancel": lambda: services.cancel_incident(
            incident, actor=actor, reason="Customer withdrew.", now=LATER
        ),
        "regrade": lambda: services.regrade_incident(incident, actor=actor, grade="I", now=LATER),
    }
    return calls[action]()


RESULT = {  # action: (status after, event kind, milestone field set to now)
    "confirm": (Status.CONFIRMED, EventKind.CONFIRMED, "confirmed_at"),
    "dispatch": (Status.DISPATCHED, EventKind.DISPATCHED, None),
    "arrive": (Status.ON_SITE, EventKind.ARRIVED, "arrived_at"),
    "resolve": (Status.RESOLVED, EventKind.RESOLVED, "resolved_at"),
    "close": (Status.CLOSED, EventKind.CLOSED, "closed_at"),
    "cancel": (Status.CANCELLED, EventKind.CANCELLED, "cancelled_at"),
    "regrade": (None, EventKind.REGRADED, None),
}
CASES = [(a, s) for a in RESULT for s in Status.values]


@pytest.mark.parametrize(
    ("action", "status"), [c for c in CASES if c[1] in services.TRANSITIONS[c[0]]]
)
def test_allowed_transition_moves_status_and_writes_one_event(
    action, status, at_status, manager, org
):
    incident = at_status(status)
    before = events_of(incident)

    result = _do(action, incident, manager, org)

    incident.refresh_from_db()
    to_status, kind, milestone = RESULT[action]
    assert incident.status == (to_status or status)
    new = events_of(incident)[len(before) :]
    assert new[0] == kind
    assert new.count(kind) == 1
    event = IncidentEvent.objects.filter(incident=incident, kind=kind, created_at=LATER).get()
    assert event.created_at == LATER
    assert event.actor == manager
    if milestone:
        assert getattr(incident, milestone) == LATER
    assert result.pk == incident.pk


@pytest.mark.parametrize(
    ("action", "status"), [c for c in CASES if c[1] not in services.TRANSITIONS[c[0]]]
)
def test_refused_transition_raises_invalid_transition_and_writes_nothing(
    action, status, at_status, manager, org
):
    incident = at_status(status)
    before = events_of(incident)
    row_before = Incident.objects.filter(pk=incident.pk).values().get()

    with pytest.raises(InvalidTransition) as excinfo:
        _do(action, incident, manager, org)

    assert excinfo.value.status == status
    assert Status(status).label.lower() in str(excinfo.value)
    assert events_of(incident) == before
    assert Incident.objects.filter(pk=incident.pk).values().get() == row_before


def test_redispatch_keeps_first_dispatch_time_and_moves_the_job(at_status, manager, org):
    incident = at_status(Status.DISPATCHED)
    first = incident.dispatched_at

    services.dispatch_incident(incident, actor=manager, team=org["service_centre_2"], now=LATER)

    incident.refresh_from_db()
    assert incident.dispatched_at == first
    assert incident.team == org["service_centre_2"]
    assert events_of(incident).count(EventKind.DISPATCHED) == 2


def test_next_deadline_follows_the_open_milestone(at_status, manager, technician):
    incident = at_status(Status.REPORTED)
    assert incident.next_deadline == incident.confirm_deadline
    services.confirm_incident(incident, actor=manager, now=T0 + MIN)
    assert incident.next_deadline == incident.arrive_deadline
    services.dispatch_incident(incident, actor=manager, assignee=technician, now=T0 + 2 * MIN)
    assert incident.next_deadline == incident.arrive_deadline
    services.arrive_incident(incident, actor=manager, now=T0 + 3 * MIN)
    assert incident.next_deadline == incident.resolve_deadline
    services.resolve_incident(incident, actor=manager, resolution="Done.", now=LATER)
    assert incident.next_deadline is None


def test_confirm_records_how_late_it_was(at_status, manager):
    incident = at_status(Status.REPORTED)

    services.confirm_incident(incident, actor=manager, now=incident.confirm_deadline + 90 * MIN)

    event = incident.events.get(kind=EventKind.CONFIRMED)
    assert event.data["late_seconds"] == 90 * 60


def test_resolve_requires_a_resolution_and_writes_nothing_without_one(at_status, manager):
    incident = at_status(Status.ON_SITE)
    before = events_of(incident)
    with pytest.raises(ValidationError) as excinfo:
        services.resolve_incident(incident, actor=manager, resolution="   ", now=LATER)
    assert "resolution" in excinfo.value.message_dict
    incident.refresh_from_db()
    assert incident.status == Status.ON_SITE
    assert events_of(incident) == before


def test_cancel_requires_a_reason(at_status, manager):
    incident = at_status(Status.CONFIRMED)
    with pytest.raises(ValidationError):
        services.cancel_incident(incident, actor=manager, reason="", now=LATER)
    incident.refresh_from_db()
    assert incident.status == Status.CONFIRMED


def test_dispatch_requires_a_technician_or_a_team(at_status, manager):
    incident = at_status(Status.CONFIRMED)
    with pytest.raises(ValidationError):
        services.dispatch_incident(incident, actor=manager, now=LATER)
    assert EventKind.DISPATCHED not in events_of(incident)


def test_dispatch_to_a_technician_takes_their_team(at_status, manager, technician, org):
    incident = at_status(Status.CONFIRMED)
    services.dispatch_incident(incident, actor=manager, assignee=technician, now=LATER)
    incident.refresh_from_db()
    assert (incident.assignee, incident.team) == (technician, org["service_centre"])


def test_cancel_ends_the_open_directives(at_status, manager):
    incident = at_status(Status.CONFIRMED, grade="I")
    assert incident.directives.count() == 5

    services.cancel_incident(incident, actor=manager, reason="False alarm.", now=LATER)

    assert set(incident.directives.values_list("status", flat=True)) == {DirectiveStatus.CANCELLED}
    assert incident.next_deadline is None


def needs_assessment(inc):
    """A close guard for the tests (INCIDENT_CLOSE_GUARDS takes dotted paths)."""
    raise ValidationError("Assessment first.")


def broken_hook(incident, *, actor, now):
    raise RuntimeError("hook failed after the event was written")


HERE = "tests.incidents.test_services"


def test_close_guard_refuses_the_close_and_nothing_is_written(at_status, manager, settings):
    incident = at_status(Status.RESOLVED)
    before = events_of(incident)
    settings.INCIDENT_CLOSE_GUARDS = [f"{HERE}.needs_assessment"]
    with pytest.raises(ValidationError):
        services.close_incident(incident, actor=manager, now=LATER)
    incident.refresh_from_db()
    assert incident.status == Status.RESOLVED
    assert events_of(incident) == before


# --- the status is checked before the action's own guards -----------------------------
# An action the status does not allow is refused as such (409 in the API), whatever else is
# wrong with the request: a missing resolution, a close guard, nobody to dispatch to.


def _refuses_for_status(call, incident):
    before = events_of(incident)
    with pytest.raises(InvalidTransition):
        call()
    incident.refresh_from_db()
    assert events_of(incident) == before
    return incident


def test_close_of_a_reported_incident_is_refused_for_its_status_before_the_guards(
    at_status, manager, settings
):
    incident = at_status(Status.REPORTED, grade="I")
    settings.INCIDENT_CLOSE_GUARDS = [f"{HERE}.needs_assessment"]
    call = lambda: services.close_incident(incident, actor=manager, now=LATER)  # noqa: E731
    assert _refuses_for_status(call, incident).status == Status.REPORTED


@pytest.mark.parametrize(
    ("status", "action", "kwargs"),
    [
        (Status.CONFIRMED, "confirm_incident", {"note": ""}),
        (Status.REPORTED, "dispatch_incident", {}),  # nobody to dispatch to, and too early
        (Status.CONFIRMED, "arrive_incident", {}),
        (Status.REPORTED, "resolve_incident", {"resolution": "  "}),
        (Status.CANCELLED, "cancel_incident", {"reason": ""}),
        (Status.CLOSED, "regrade_incident", {"grade": "IV"}),
        (Status.CLOSED, "update_incident", {"customer_phone": "not a phone"}),
    ],
)
def test_every_action_checks_the_status_before_its_input(
    at_status, manager, status, action, kwargs
):
    incident = at_status(status)
    service = getattr(services, action)
    _refuses_for_status(lambda: service(incident, actor=manager, **kwargs), incident)


# --- one transaction per transition ------------------------------------------------------


def test_transition_and_its_event_commit_or_roll_back_together(at_status, manager, settings):
    incident = at_status(Status.REPORTED)
    settings.INCIDENT_LIFECYCLE = {
        **settings.INCIDENT_LIFECYCLE,
        "confirm": [f"{HERE}.broken_hook"],
    }
    with pytest.raises(RuntimeError):
        services.confirm_incident(incident, actor=manager, now=LATER)

    row = Incident.objects.get(pk=incident.pk)
    assert row.status == Status.REPORTED
    assert row.confirmed_at is None
    assert EventKind.CONFIRMED not in events_of(incident)


ran: list = []


def first_hook(incident, *, actor, now):
    ran.append(("first", incident.status, list(events_of(incident))[-1:]))


def second_hook(incident, *, actor, now):
    ran.append(("second", incident.status, connection.in_atomic_block))


def test_a_transition_runs_the_hooks_of_the_table_in_order_after_its_event(
    at_status, manager, settings
):
    incident = at_status(Status.ON_SITE)
    settings.INCIDENT_LIFECYCLE = {
        **settings.INCIDENT_LIFECYCLE,
        "resolve": [f"{HERE}.first_hook", f"{HERE}.second_hook"],
    }
    ran.clear()
    services.resolve_incident(incident, actor=manager, resolution="Fuse replaced", now=LATER)
    assert ran == [
        ("first", Status.RESOLVED, [EventKind.RESOLVED]),
        ("second", Status.RESOLVED, True),
    ]


def test_the_lifecycle_table_names_importable_hooks_for_known_transitions(settings):
    from incidents.services.hooks import ACTIONS, close_guards, transition_hooks

    for action in (*ACTIONS, "update"):
        assert all(callable(hook) for hook in transition_hooks(action))
    assert [g.__name__ for g in close_guards()] == ["assessment_submitted"]
    settings.INCIDENT_LIFECYCLE = {"resolved": []}  # a typo is refused, not ignored
    with pytest.raises(ImproperlyConfigured):
        transition_hooks("resolve")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_racing_confirms_exactly_one_wins(manager, org):
    incident = report(manager, grade="II", now=T0)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def confirm():
        try:
            barrier.wait(timeout=10)
            services.confirm_incident(
                Incident.objects.get(pk=incident.pk), actor=manager, now=T0 + MIN
            )
            outcomes.append("ok")
        except InvalidTransition:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=confirm) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == ["ok", "refused"]
    assert incident.events.filter(kind=EventKind.CONFIRMED).count() == 1
    assert Incident.objects.get(pk=incident.pk).status == Status.CONFIRMED


# --- deadlines -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("grade", "arrive", "resolve"), [("I", 120, 480), ("II", 240, 1440), ("III", 480, 4320)]
)
def test_report_sets_deadlines_from_the_grade_policy(org, dispatcher, grade, arrive, resolve):
    incident = report(dispatcher, grade=grade, now=T0)

    assert incident.reported_at == T0
    assert incident.confirm_deadline == T0 + 30 * MIN
    assert incident.arrive_deadline == T0 + arrive * MIN
    assert incident.resolve_deadline == T0 + resolve * MIN
    assert incident.next_deadline == incident.confirm_deadline
    assert incident.status == Status.REPORTED
    assert incident.reporter == dispatcher
    assert events_of(incident)[0] == EventKind.REPORTED


def test_edited_policy_applies_to_new_reports(org, dispatcher):
    ResponsePolicy.objects.filter(grade="III").update(confirm_minutes=15, arrive_minutes=60)

    incident = report(dispatcher, grade="III", now=T0)

    assert incident.confirm_deadline == T0 + 15 * MIN
    assert incident.arrive_deadline == T0 + 60 * MIN


def test_late_report_keeps_the_customers_time(org, dispatcher):
    called = T0 - timedelta(hours=2)

    incident = report(dispatcher, grade="II", reported_at=called, now=T0)

    assert incident.reported_at == called
    assert incident.confirm_deadline == called + 30 * MIN
    assert incident.is_overdue(T0)
    assert Incident.objects.overdue(T0).filter(pk=incident.pk).exists()
    event = incident.events.get(kind=EventKind.REPORTED)
    assert event.created_at == T0
    assert event.data["reported_at"] == called.isoformat()


def test_future_report_time_is_refused_and_nothing_is_stored(org, dispatcher):
    with pytest.raises(ValidationError) as excinfo:
        report(dispatcher, reported_at=T0 + timedelta(minutes=10), now=T0)
    assert "reported_at" in excinfo.value.message_dict
    assert not Incident.objects.exists()


def test_report_time_a_little_ahead_is_accepted_as_clock_skew(org, dispatcher):
    incident = report(dispatcher, reported_at=T0 + 2 * MIN, now=T0)
    assert incident.reported_at == T0 + 2 * MIN


@pytest.mark.parametrize("tz", ["Asia/Shanghai", "America/New_York", "UTC"])
def test_deadlines_are_absolute_whatever_the_time_zone(org, dispatcher, settings, tz):
    """Reported just before New York's DST change: 24 hours later is 24 real hours later,
    stored in UTC, whatever TIME_ZONE is and whatever zone the input came in."""
    settings.TIME_ZONE = tz
    called = datetime(2026, 3, 8, 1, 30, tzinfo=ZoneInfo("America/New_York"))  # 06:30 UTC
    with time_machine.travel(called + timedelta(minutes=5), tick=False):
        incident = report(dispatcher, grade="II", reported_at=called, now=called + 5 * MIN)

    incident.refresh_from_db()
    assert incident.reported_at == datetime(2026, 3, 8, 6, 30, tzinfo=UTC)
    assert incident.resolve_deadline == datetime(2026, 3, 9, 6, 30, tzinfo=UTC)
    assert incident.resolve_deadline - incident.reported_at == timedelta(hours=24)
    assert incident.arrive_deadline - incident.reported_at == timedelta(hours=4)


def test_incident_number_uses_the_local_day(org, dispatcher, settings):
    settings.TIME_ZONE = "Asia/Shanghai"
    evening_utc = datetime(2026, 3, 9, 17, 0, tzinfo=UTC)  # 01:00 on the 10th in Shanghai
    with time_machine.travel(evening_utc, tick=False):
        incident = report(dispatcher, now=evening_utc)
    assert incident.number == f"AS-20260310-{incident.pk:06d}"


def test_regrade_recomputes_the_open_deadline_from_the_report_time(at_status, manager):
    incident = at_status(Status.CONFIRMED, grade="III")
    confirmed_at = incident.confirmed_at

    services.regrade_incident(incident, actor=manager, grade="I", reason="Fire risk", now=LATER)

    incident.refresh_from_db()
    assert incident.grade == "I"
    assert incident.arrive_deadline == incident.reported_at + 120 * MIN
    assert incident.resolve_deadline == incident.reported_at + 480 * MIN
    assert incident.next_deadline == incident.arrive_deadline
    assert incident.confirmed_at == confirmed_at
    event = incident.events.get(kind=EventKind.REGRADED)
    assert event.data == {"from": "III", "to": "I"}
    assert event.text == "Fire risk"


def test_regrade_to_level_one_issues_the_missing_directives(at_status, manager, org):
    incident = at_status(Status.REPORTED, grade="III")
    assert list(incident.directives.values_list("team", flat=True)) == [org["tech"].pk]

    services.regrade_incident(incident, actor=manager, grade="I", now=LATER)

    teams = set(incident.directives.values_list("team", flat=True))
    assert teams == {org[k].pk for k in ("hq", "tech", "cs", "logistics", "legal")}
    assert incident.directives.filter(created_at=LATER).count() == 4
    assert incident.events.filter(kind=EventKind.DIRECTIVE).count() == 5


def test_regrade_to_the_same_grade_changes_nothing(at_status, manager):
    incident = at_status(Status.REPORTED, grade="II")
    before = events_of(incident)
    services.regrade_incident(incident, actor=manager, grade="II", now=LATER)
    assert events_of(incident) == before


def test_regrade_refuses_an_unknown_grade(at_status, manager):
    incident = at_status(Status.REPORTED)
    with pytest.raises(ValidationError):
        services.regrade_incident(incident, actor=manager, grade="IV", now=LATER)


# --- directives by grade ---------------------------------------------------------------


def _directive_kinds(incident) -> set[str]:
    return set(incident.directives.values_list("team__kind", flat=True))


def test_level_one_directs_hq_and_every_response_group(org, dispatcher):
    incident = report(dispatcher, grade="I", now=T0)

    directives = {d.team.kind: d for d in incident.directives.select_related("team")}
    assert set(directives) == {"hq", "tech_support", "customer_service", "logistics", "legal"}
    assert directives["hq"].due_at == incident.confirm_deadline
    assert directives["customer_service"].due_at == incident.confirm_deadline
    assert directives["tech_support"].due_at == incident.arrive_deadline
    assert directives["logistics"].due_at == incident.arrive_deadline
    assert directives["legal"].due_at == incident.resolve_deadline
    assert all(d.status == DirectiveStatus.OPEN for d in directives.values())
    assert all(incident.number in d.instruction for d in directives.values())
    assert incident.events.filter(kind=EventKind.DIRECTIVE).count() == 5


@pytest.mark.parametrize(("slug", "owner", "concerned"), [c[0:1] + c[3:5] for c in CATEGORIES])
def test_level_two_directs_the_groups_the_category_concerns(
    org, dispatcher, slug, owner, concerned
):
    incident = report(dispatcher, grade="II", category_slug=slug, now=T0)
    assert _directive_kinds(incident) == set(concerned)


@pytest.mark.parametrize(("slug", "owner"), [(c[0], c[3]) for c in CATEGORIES])
def test_level_three_directs_only_the_owning_group(org, dispatcher, slug, owner):
    incident = report(dispatcher, grade="III", category_slug=slug, now=T0)
    assert _directive_kinds(incident) == {owner}


def test_level_two_without_concerned_groups_falls_back_to_the_owner(org, dispatcher):
    category = factories.category("complaint")
    category.concerned_team_kinds = []
    category.save()
    incident = report(dispatcher, grade="II", category_slug="complaint", now=T0)
    assert _directive_kinds(incident) == {"customer_service"}


def test_inactive_groups_get_no_directive(org, dispatcher):
    org["legal"].is_active = False
    org["legal"].save()
    incident = report(dispatcher, grade="I", now=T0)
    assert "legal" not in _directive_kinds(incident)


def test_group_member_reports_directive_progress(org, dispatcher):
    incident = report(dispatcher, grade="I", now=T0)
    directive = incident.directives.get(team=org["logistics"])

    services.report_directive_progress(
        directive,
        actor=org["logistics_leader"],
        text="Truck on the way.",
        status="in_progress",
        now=LATER,
    )

    directive.refresh_from_db()
    assert directive.status == DirectiveStatus.IN_PROGRESS
    assert directive.notes.get().text == "Truck on the way."
    assert incident.events.filter(kind=EventKind.DIRECTIVE_UPDATED).count() == 1


def test_outsider_cannot_report_directive_progress(org, dispatcher, technician):
    directive = report(dispatcher, grade="I", now=T0).directives.get(team=org["legal"])
    with pytest.raises(PermissionDenied):
        services.report_directive_progress(directive, actor=technician, text="x", now=LATER)
    assert not directive.notes.exists()


def test_finished_directive_refuses_more_progress(org, dispatcher):
    directive = report(dispatcher, grade="I", now=T0).directives.get(team=org["cs"])
    leader = org["cs_leader"]
    services.report_directive_progress(directive, actor=leader, status="done", now=LATER)
    with pytest.raises(DirectiveClosed, match="already done"):
        services.report_directive_progress(directive, actor=leader, text="more", now=LATER)
    assert Directive.objects.get(pk=directive.pk).completed_at == LATER


# --- role access at the service level ----------------------------------------------------


def test_technician_cannot_report(org, technician):
    with pytest.raises(PermissionDenied):
        report(technician, now=T0)
    assert not Incident.objects.exists()


@pytest.mark.parametrize("action", ["confirm", "dispatch", "close", "cancel", "regrade"])
def test_technician_cannot_run_desk_actions(action, at_status, technician, org):
    status = {"confirm": "reported", "close": "resolved"}.get(action, "confirmed")
    incident = at_status(status, assignee=technician)
    before = events_of(incident)
    with pytest.raises(PermissionDenied):
        _do(action, incident, technician, org)
    assert events_of(incident) == before
    assert Incident.objects.get(pk=incident.pk).status == status


def test_technician_arrives_and_resolves_their_own_job(at_status, technician):
    incident = at_status(Status.DISPATCHED, assignee=technician)

    services.arrive_incident(incident, actor=technician, now=LATER)
    services.resolve_incident(incident, actor=technician, resolution="Fuse.", now=LATER + MIN)

    incident.refresh_from_db()
    assert incident.status == Status.RESOLVED
    assert incident.events.get(kind=EventKind.ARRIVED).actor == technician


def test_technician_works_a_job_dispatched_to_their_team(at_status, technician, org):
    incident = at_status(Status.DISPATCHED)  # to org["service_centre"], no assignee
    assert incident.assignee is None

    services.arrive_incident(incident, actor=technician, now=LATER)

    assert Incident.objects.get(pk=incident.pk).status == Status.ON_SITE


@pytest.mark.parametrize("action", ["arrive", "resolve"])
def test_technician_cannot_work_another_teams_job(
    action, at_status, technician, other_technician, org
):
    incident = at_status(Status.DISPATCHED, assignee=technician)
    before = events_of(incident)
    with pytest.raises(PermissionDenied):
        _do(action, incident, other_technician, org)
    assert events_of(incident) == before
    assert Incident.objects.get(pk=incident.pk).status == Status.DISPATCHED


def test_dispatcher_cannot_mark_arrival(at_status, dispatcher, technician):
    incident = at_status(Status.DISPATCHED, assignee=technician)
    with pytest.raises(PermissionDenied):
        services.arrive_incident(incident, actor=dispatcher, now=LATER)


def test_inactive_user_is_refused(at_status, manager):
    incident = at_status(Status.REPORTED)
    manager.is_active = False
    manager.save()
    with pytest.raises(PermissionDenied):
        services.confirm_incident(incident, actor=manager, now=LATER)


def test_technician_notes_only_their_own_jobs(at_status, technician, other_technician):
    incident = at_status(Status.DISPATCHED, assignee=technician)
    services.add_note(incident, actor=technician, text="Parts ordered.", now=LATER)
    with pytest.raises(PermissionDenied):
        services.add_note(incident, actor=other_technician, text="Hi", now=LATER)
    assert list(incident.events.filter(kind=EventKind.NOTE).values_list("text", flat=True)) == [
        "Parts ordered."
    ]


def test_system_actor_may_run_every_transition(org):
    incident = report(None, grade="III", now=T0)
    walk(incident, Status.CLOSED, None, team=org["service_centre"])
    incident.refresh_from_db()
    assert incident.status == Status.CLOSED
    assert incident.reporter is None


def test_permission_is_judged_on_the_stored_row_not_a_stale_copy(org, dispatcher):
    """A technician holding an old copy of a job re-dispatched to someone else cannot work it."""
    from tests.factories import MembershipFactory, UserFactory

    first = UserFactory(username="first-tech", roles=["technician"])
    second = UserFactory(username="second-tech", roles=["technician"])
    MembershipFactory(team=org["service_centre"], user=first)
    MembershipFactory(team=org["service_centre_2"], user=second)
    incident = report(dispatcher, now=T0)
    services.confirm_incident(incident, actor=dispatcher, now=T0)
    stale = services.dispatch_incident(incident, actor=dispatcher, assignee=first, now=T0)
    stale_copy = Incident.objects.get(pk=stale.pk)
    services.dispatch_incident(incident, actor=dispatcher, assignee=second, now=T0)
    with pytest.raises(PermissionDenied):
        services.arrive_incident(stale_copy, actor=first, now=LATER)
    assert Incident.objects.get(pk=incident.pk).status == Status.DISPATCHED


def test_team_jobs_without_an_assignee_show_in_my_jobs(org, dispatcher, technician):
    incident = report(dispatcher, now=T0)
    services.confirm_incident(incident, actor=dispatcher, now=T0)
    services.dispatch_incident(incident, actor=dispatcher, team=org["service_centre"], now=T0)
    assert list(Incident.objects.jobs_for(technician)) == [incident]


def test_closing_marks_the_remaining_directives_done(org, dispatcher, manager):
    incident = report(dispatcher, grade="III", now=T0)
    services.confirm_incident(incident, actor=dispatcher, now=T0)
    services.resolve_incident(incident, actor=manager, resolution="Reset the BMS", now=T0)
    assert incident.directives.filter(status="open").count() == 1
    services.close_incident(incident, actor=dispatcher, now=LATER)
    directive = incident.directives.get()
    assert (directive.status, directive.completed_at) == ("done", LATER)


# --- the report's write ------------------------------------------------------------------


seen: list = []


def report_hook(incident, *, actor, now):
    seen.append(
        (
            connection.in_atomic_block,
            Incident.objects.filter(pk=incident.pk, number=incident.number).exists(),
            incident.events.filter(kind=EventKind.REPORTED).exists(),
        )
    )


@pytest.mark.django_db(transaction=True)
def test_a_report_runs_its_hooks_in_its_transaction_after_its_rows(org, dispatcher, settings):
    settings.INCIDENT_LIFECYCLE = {**settings.INCIDENT_LIFECYCLE, "report": [f"{HERE}.report_hook"]}
    seen.clear()
    report(actor=dispatcher, grade="III")
    assert seen == [(True, True, True)]


@pytest.mark.django_db(transaction=True)
def test_a_report_whose_hook_fails_writes_nothing(org, dispatcher, settings):
    settings.INCIDENT_LIFECYCLE = {**settings.INCIDENT_LIFECYCLE, "report": [f"{HERE}.broken_hook"]}
    before = Incident.objects.count(), IncidentEvent.objects.count()
    with pytest.raises(RuntimeError):
        report(actor=dispatcher, grade="III")
    assert (Incident.objects.count(), IncidentEvent.objects.count()) == before
