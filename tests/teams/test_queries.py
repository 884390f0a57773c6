"""Command-structure queries the escalation engine relies on."""

from datetime import UTC, datetime, timedelta

import pytest

from teams.models import DutyShift, Team
from teams.querysets import hq_commander, hq_deputies, team_leader, users_on_duty
from tests import factories

NOW = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
H = timedelta(hours=1)


def shift(user, kind="dispatch", start=NOW - H, end=NOW + 7 * H, team=None):
    return DutyShift.objects.create(user=user, kind=kind, starts_at=start, ends_at=end, team=team)


@pytest.fixture
def people(db):
    return {n: factories.UserFactory(username=n) for n in ("ana", "bo", "cai", "dan")}


def test_on_duty_now_includes_the_start_and_excludes_the_end(people):
    shift(people["ana"], start=NOW, end=NOW + 8 * H)  # starts exactly now
    shift(people["bo"], start=NOW - 8 * H, end=NOW)  # ended exactly now
    shift(people["cai"], start=NOW + H, end=NOW + 9 * H)  # later today

    assert set(users_on_duty(NOW)) == {people["ana"]}
    assert set(users_on_duty(NOW + H - timedelta(seconds=1))) == {people["ana"]}
    assert set(users_on_duty(NOW + H)) == {people["ana"], people["cai"]}
    assert set(users_on_duty(NOW + 8 * H)) == {people["cai"]}


def test_on_duty_filters_by_duty_kind(people):
    shift(people["ana"], kind="dispatch")
    shift(people["bo"], kind="remote_support")

    assert set(users_on_duty(NOW, kind="remote_support")) == {people["bo"]}
    assert set(users_on_duty(NOW, kind="manager")) == set()
    assert DutyShift.objects.on_duty(NOW, kind="dispatch").get().user == people["ana"]


def test_on_duty_skips_inactive_users_and_lists_each_user_once(people):
    shift(people["ana"], kind="dispatch")
    shift(people["ana"], kind="remote_support")
    shift(people["bo"])
    people["bo"].is_active = False
    people["bo"].save()

    assert list(users_on_duty(NOW)) == [people["ana"]]


def test_leader_of_a_team(org):
    assert team_leader(org["tech"]) == org["tech_leader"]
    assert team_leader(org["legal"]) == org["legal_leader"]
    assert team_leader(org["service_centre"]) is None


def test_leader_ignores_members_and_deputies(org):
    factories.MembershipFactory(team=org["cs"], user=factories.UserFactory(), role="member")
    factories.MembershipFactory(team=org["cs"], user=factories.UserFactory(), role="deputy")
    assert team_leader(org["cs"]) == org["cs_leader"]


def test_inactive_leader_is_not_returned(org):
    org["tech_leader"].is_active = False
    org["tech_leader"].save()
    assert team_leader(org["tech"]) is None


def test_hq_commander_and_deputies(org):
    assert hq_commander() == org["commander"]
    assert set(hq_deputies()) == set(org["deputies"])
    assert org["commander"] not in hq_deputies()


def test_deputies_of_other_teams_are_not_hq_deputies(org):
    other = factories.UserFactory(username="cs-deputy")
    factories.MembershipFactory(team=org["cs"], user=other, role="deputy")
    assert other not in hq_deputies()


def test_hq_is_the_first_active_hq_team(org):
    Team.objects.filter(pk=org["hq"].pk).update(is_active=False)
    assert Team.objects.hq() is None
    assert hq_commander() is None


def test_no_commander_without_hq(db):
    assert hq_commander() is None
    assert list(hq_deputies()) == []
