"""The duty roster: rotations generate shifts in Shanghai time; leave and swaps override."""

from datetime import date, time, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from teams import services
from teams.models import DutyShift, Rotation
from tests import factories
from tests.dispatch.helpers import LUJIAZUI, centre, local, technician

pytestmark = pytest.mark.django_db
SUNDAY = local(2026, 3, 1, 12, 0)


@pytest.fixture
def team():
    team = centre("lujiazui", LUJIAZUI)
    leader = factories.UserFactory(username="lead")
    factories.MembershipFactory(team=team, user=leader, role="leader")
    team.leader = leader
    team.a = technician("a", team)
    team.b = technician("b", team)
    return team


def rotation(team, *, now=SUNDAY, **data):
    values = {
        "name": "Day shift",
        "kind": "field",
        "weekdays": "12345",
        "start_time": time(8),
        "end_time": time(20),
        "starts_on": date(2026, 3, 1),
        "ends_on": None,
        "take_turns": False,
        "members": [team.a, team.b],
    }
    values.update(data)
    return services.save_rotation(team, actor=team.leader, now=now, **values)


def spans(shifts):
    return [(s.user.username, s.starts_at, s.ends_at) for s in shifts.order_by("starts_at", "user")]


def test_a_rotation_writes_its_weekday_shifts_in_shanghai_time(team):
    rot = rotation(team)
    shifts = DutyShift.objects.filter(rotation=rot)
    # 28 days from Sunday 1 March: 20 weekdays, two members each.
    assert shifts.count() == 40
    first = spans(shifts)[:2]
    assert first == [
        ("a", local(2026, 3, 2, 8), local(2026, 3, 2, 20)),
        ("b", local(2026, 3, 2, 8), local(2026, 3, 2, 20)),
    ]
    assert first[0][1].astimezone().utcoffset() is not None
    assert {s.starts_at.astimezone(local(2026, 1, 1).tzinfo).isoweekday() for s in shifts} == {
        1,
        2,
        3,
        4,
        5,
    }


def test_a_night_rotation_ends_the_next_morning(team):
    rot = rotation(team, weekdays="6", start_time=time(20), end_time=time(8), members=[team.a])
    first = DutyShift.objects.filter(rotation=rot).order_by("starts_at").first()
    assert (first.starts_at, first.ends_at) == (local(2026, 3, 7, 20), local(2026, 3, 8, 8))


def test_members_taking_turns_alternate_week_by_week(team):
    rot = rotation(team, take_turns=True, weekdays="1")
    mondays = [
        s.user.username for s in DutyShift.objects.filter(rotation=rot).order_by("starts_at")
    ]
    assert mondays == ["a", "b", "a", "b"]


def test_generating_again_never_doubles_and_keeps_started_shifts(team):
    rot = rotation(team)
    running = local(2026, 3, 2, 9)
    services.generate_shifts(rot, now=running)
    services.generate_shifts(rot, now=running)
    assert DutyShift.objects.filter(rotation=rot, starts_at=local(2026, 3, 2, 8)).count() == 2
    edited = rotation(team, now=running, members=[team.a]) if False else None
    assert edited is None
    services.save_rotation(
        team,
        actor=team.leader,
        rotation=rot,
        now=running,
        name="Day shift",
        kind="field",
        weekdays="12345",
        start_time=time(8),
        end_time=time(20),
        starts_on=date(2026, 3, 1),
        ends_on=None,
        take_turns=False,
        members=[team.a],
    )
    today = DutyShift.objects.filter(rotation=rot, starts_at=local(2026, 3, 2, 8))
    tomorrow = DutyShift.objects.filter(rotation=rot, starts_at=local(2026, 3, 3, 8))
    assert today.count() == 2  # under way: as it was
    assert [s.user for s in tomorrow] == [team.a]


def test_rotation_input_is_checked(team):
    outsider = factories.UserFactory(username="outsider")
    with pytest.raises(ValidationError) as caught:
        rotation(team, weekdays="", members=[outsider], start_time=time(8), end_time=time(8))
    assert set(caught.value.message_dict) == {"weekdays", "members", "end_time"}
    assert not Rotation.objects.exists()


def test_only_the_leader_a_deputy_or_a_manager_edits_the_roster(team):
    with pytest.raises(PermissionDenied):
        services.save_rotation(team, actor=team.a, name="x", members=[team.a])
    manager = factories.UserFactory(username="boss", roles=["manager"])
    assert services.can_edit_roster(manager, team)
    assert not services.can_edit_roster(team.b, team)


def test_leave_takes_someone_off_duty_for_its_window(team):
    rotation(team)
    at = local(2026, 3, 2, 10)
    services.add_override(
        team,
        actor=team.leader,
        kind="leave",
        user=team.a,
        starts_at=local(2026, 3, 2, 0),
        ends_at=local(2026, 3, 3, 0),
        reason="Sick",
    )
    on_duty = set(DutyShift.objects.on_duty(at).values_list("user__username", flat=True))
    assert on_duty == {"b"}
    next_day = set(
        DutyShift.objects.on_duty(local(2026, 3, 3, 10)).values_list("user__username", flat=True)
    )
    assert next_day == {"a", "b"}


def test_a_swap_hands_the_hours_to_the_substitute(team):
    rotation(team, members=[team.a])
    services.add_override(
        team,
        actor=team.leader,
        kind="swap",
        user=team.a,
        substitute=team.b,
        starts_at=local(2026, 3, 2, 12),
        ends_at=local(2026, 3, 3, 0),
    )
    morning = DutyShift.objects.on_duty(local(2026, 3, 2, 10))
    afternoon = DutyShift.objects.on_duty(local(2026, 3, 2, 15))
    assert [s.user.username for s in morning] == ["a"]
    assert [(s.user.username, s.starts_at, s.ends_at) for s in afternoon] == [
        ("b", local(2026, 3, 2, 12), local(2026, 3, 2, 20))
    ]


def test_a_swap_needs_another_member_and_an_end_after_its_start(team):
    with pytest.raises(ValidationError) as caught:
        services.add_override(
            team,
            actor=team.leader,
            kind="swap",
            user=team.a,
            substitute=team.a,
            starts_at=SUNDAY,
            ends_at=SUNDAY + timedelta(hours=1),
        )
    assert "substitute" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        services.add_override(
            team,
            actor=team.leader,
            kind="leave",
            user=team.a,
            starts_at=SUNDAY,
            ends_at=SUNDAY,
        )
    assert "ends_at" in caught.value.message_dict


def test_the_roster_page_adds_a_rotation_and_a_leave(team, login):
    client = login(team.leader)
    page = client.get(f"/teams/{team.pk}/roster/")
    assert page.status_code == 200
    assert "Beijing time" in page.content.decode()
    response = client.post(
        f"/teams/{team.pk}/roster/",
        {
            "form": "rotation",
            "name": "Weekend",
            "kind": "field",
            "weekdays": ["6", "7"],
            "start_time": "09:00",
            "end_time": "18:00",
            "starts_on": "2026-03-01",
            "members": [team.a.pk],
        },
    )
    assert response.status_code == 302
    assert Rotation.objects.get().weekdays == "67"
    bad = client.post(
        f"/teams/{team.pk}/roster/",
        {
            "form": "override",
            "kind": "swap",
            "user": team.a.pk,
            "starts_at": "2026-03-07T09:00",
            "ends_at": "2026-03-07T18:00",
        },
    )
    assert bad.status_code == 422
    assert "Choose a member of the team." in bad.content.decode()


def test_the_roster_page_is_404_for_an_outsider(team, login):
    outsider = factories.UserFactory(username="outsider", roles=["technician"])
    assert login(outsider).get(f"/teams/{team.pk}/roster/").status_code == 404
    assert login(team.a).get(f"/teams/{team.pk}/roster/").status_code == 200
