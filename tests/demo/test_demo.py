"""manage.py load_demo: the demo organisation and its incidents, loaded once."""

import importlib
import io
import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.utils import timezone

from core.roles import ALL_ROLES
from demo.data import DEMO_PASSWORD, vin
from incidents.models import Incident, IncidentEvent, Status
from privacy.models import Erasure
from teams.models import DutyShift, Team
from teams.querysets import hq_commander, hq_deputies, team_leader, users_on_duty

User = get_user_model()
VIN = re.compile(r"^[A-HJ-NPR-Z0-9]{17}$")


def load() -> str:
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


@pytest.fixture
def demo(db):
    return load()


def test_one_login_per_role_and_an_admin_with_the_printed_password(demo):
    for role in ALL_ROLES:
        user = User.objects.get(username=role)
        assert user.groups.filter(name=role).exists()
        assert role in demo
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff
    assert admin.check_password(DEMO_PASSWORD)
    assert DEMO_PASSWORD in demo
    assert "DEMO ONLY" in demo


def test_incidents_at_every_stage_over_the_last_ten_days(demo):
    now = timezone.now()
    incidents = Incident.objects.all()

    assert 30 <= incidents.count() <= 40
    assert set(incidents.values_list("status", flat=True)) == set(Status.values)
    assert incidents.filter(reported_at__lt=now - timedelta(days=10, hours=1)).count() == 0
    assert incidents.filter(reported_at__lt=now - timedelta(days=7)).exists()
    assert incidents.filter(status=Status.REPORTED).overdue(now).exists()
    assert incidents.filter(status=Status.REPORTED).not_overdue(now).exists()
    assert set(incidents.values_list("grade", flat=True)) == {"I", "II", "III"}
    # every incident has its report event and every milestone happened in the past
    assert IncidentEvent.objects.filter(kind="reported").count() == incidents.count()
    assert not IncidentEvent.objects.filter(created_at__gt=now).exists()


def test_demo_technician_has_jobs_in_several_stages(demo):
    technician = User.objects.get(username="technician")
    mine = Incident.objects.filter(assignee=technician)
    assert {Status.DISPATCHED, Status.ON_SITE, Status.RESOLVED} <= set(
        mine.values_list("status", flat=True)
    )
    assert Incident.objects.jobs_for(technician).count() >= 3
    assert Incident.objects.filter(assignee__username="xu.jun").exists()


def test_incidents_carry_realistic_customer_and_asset_data(demo):
    incidents = list(Incident.objects.all())
    vins = [i.asset_ref for i in incidents if VIN.match(i.asset_ref)]
    assert len(vins) >= 20
    # One closed incident's customer asked for erasure (demo/privacy.py): no name or phone.
    erased = set(Erasure.objects.values_list("incident_id", flat=True))
    assert len(erased) == 1
    # Incidents a telematics alarm opened (regulatory/) have a position but no caller.
    from regulatory.models import AlarmCase

    by_alarm = set(AlarmCase.objects.values_list("incident_id", flat=True))
    assert by_alarm
    assert all(
        i.customer_name and i.customer_phone and i.location
        for i in incidents
        if i.pk not in erased | by_alarm
    )
    assert all(i.latitude is not None for i in incidents)
    # the same taxi came back: its asset history shows several cases
    assert Incident.objects.for_asset(vin(1)).count() >= 3


def iso3779_valid(value: str) -> bool:
    letters = "ABCDEFGHJKLMNPRSTUVWXYZ"
    values = [1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3, 4, 5, 7, 9, 2, 3, 4, 5, 6, 7, 8, 9]
    table = {**{str(d): d for d in range(10)}, **dict(zip(letters, values, strict=True))}
    weights = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2]
    check = sum(table[c] * w for c, w in zip(value, weights, strict=True)) % 11
    return value[8] == ("X" if check == 10 else str(check))


def test_demo_vins_are_17_characters_with_a_valid_check_digit():
    assert iso3779_valid("1M8GDM9AXKP042788")  # the textbook example
    values = {vin(n) for n in range(30)}
    assert len(values) == 30
    assert all(VIN.match(v) and iso3779_valid(v) for v in values)


def test_command_structure(demo):
    hq = Team.objects.get(kind="hq")
    assert hq.name and hq.name_zh
    assert hq_commander().username == "manager"
    assert {u.username for u in hq_deputies()} == {"chen.zhiqiang", "liu.fang"}
    for kind in ("tech_support", "customer_service", "logistics", "legal"):
        team = Team.objects.get(kind=kind)
        assert team_leader(team) is not None
        assert team.memberships.filter(role="member").exists()
    centres = Team.objects.filter(kind="service_centre")
    assert set(centres.values_list("name_zh", flat=True)) == {
        "华东服务中心",
        "华南服务中心",
        "华北服务中心",
    }
    # The northern centre is out of action (demo/dispatch.py): dispatch skips it.
    north = centres.get(name_zh="华北服务中心")
    assert north.out_of_action_since is not None and north.out_of_action_reason
    for centre in centres.exclude(pk=north.pk):
        assert centre.members.filter(groups__name="technician").count() == 3
    assert Team.objects.filter(kind="partner").exists()
    assert all(t.name_zh for t in Team.objects.all())


def test_duty_roster_covers_the_last_and_next_seven_days(demo):
    now = timezone.now()
    for kind in ("dispatch", "remote_support"):
        shifts = DutyShift.objects.filter(kind=kind)
        assert shifts.filter(starts_at__lte=now - timedelta(days=7)).exists()
        assert shifts.filter(ends_at__gte=now + timedelta(days=7)).exists()
        assert {s.ends_at - s.starts_at for s in shifts} == {timedelta(hours=8)}
        assert users_on_duty(now, kind=kind).count() == 1


def test_second_run_creates_nothing(demo):
    counts = [m.objects.count() for m in (User, Team, DutyShift, Incident, IncidentEvent)]

    out = load()

    assert [m.objects.count() for m in (User, Team, DutyShift, Incident, IncidentEvent)] == counts
    assert "already loaded" in out
    assert DEMO_PASSWORD in out


def test_refuses_production_without_the_explicit_flag(db, settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError):
        call_command("load_demo", stdout=io.StringIO())
    assert not User.objects.filter(username="dispatcher").exists()


def _fake_demo_module(monkeypatch, topic: str, load):
    """Replace ``demo.<topic>.load`` (each app's part of the demo)."""
    monkeypatch.setattr(importlib.import_module(f"demo.{topic}"), "load", load)


def test_passes_the_organisation_to_the_other_apps_demo_loaders(db, monkeypatch):
    received = {}
    _fake_demo_module(monkeypatch, "spareparts", lambda org: received.update(org=org))
    _fake_demo_module(monkeypatch, "assessments", lambda: received.update(assessments=True))

    load()

    org = received["org"]
    assert set(org) == {
        "hq",
        "tech",
        "cs",
        "logistics",
        "legal",
        "service_centre",
        "service_centre_2",
        "commander",
        "deputies",
        "technicians",
    }
    assert org["commander"].username == "manager"
    assert org["service_centre_2"].name_zh == "华南服务中心"
    assert {u.username for u in org["technicians"]} >= {"technician", "xu.jun"}
    assert received["assessments"] is True


def test_an_error_in_another_apps_loader_rolls_everything_back(db, monkeypatch):
    def broken(org):
        raise RuntimeError("spare parts demo failed")

    _fake_demo_module(monkeypatch, "spareparts", broken)
    with pytest.raises(RuntimeError):
        load()
    assert not User.objects.filter(username="dispatcher").exists()
    assert not Incident.objects.exists()


def test_demo_holds_escalations_live_and_caught_up_and_starts_quiet(demo):
    from escalation.models import EscalationFire, Outcome
    from escalation.services import escalate_due
    from notifications.models import Notification

    fired = EscalationFire.objects.filter(outcome=Outcome.FIRED)
    # Escalated while the case was running, then handled: the history shows it.
    assert fired.exclude(incident__status=Status.REPORTED).exists()
    # Still overdue now: escalated, and the missed occurrences superseded, not sent.
    assert Incident.objects.open().filter(escalation_level__gt=0).exists()
    assert EscalationFire.objects.filter(outcome=Outcome.SUPERSEDED).exists()
    # The first sweep after start has nothing to catch up: no storm.
    before = Notification.objects.count()
    assert escalate_due(now=timezone.now() + timedelta(seconds=5)) == 0
    assert Notification.objects.count() == before
