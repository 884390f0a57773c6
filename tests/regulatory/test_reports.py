"""Reports owed to the regulator: due times, the clocks on the escalation engine, filing."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied

from escalation import services as engine
from escalation.models import EscalationFire, EscalationState
from notifications.models import Notification
from regulatory import services
from regulatory.models import RegulatoryReport, ReportRule
from tests import factories

SHANGHAI = ZoneInfo("Asia/Shanghai")
# 23:30 in Shanghai: every due time falls on a later local day.
LATE_EVENING = datetime(2026, 11, 20, 23, 30, tzinfo=SHANGHAI)


@pytest.fixture
def rule(db):
    return ReportRule.objects.get(name="NEV fire / smoke / thermal runaway")


@pytest.fixture
def fire(org, dispatcher, rule):
    """An NEV fire reported at 23:30 local time, flagged by the dispatcher."""
    with time_machine.travel(LATE_EVENING, tick=False):
        incident = factories.report(
            dispatcher, grade="I", title="EV on fire in a car park", category_slug="safety-accident"
        )
        services.open_case(incident, rule=rule, actor=dispatcher)
    return incident


def due(incident) -> dict[str, datetime]:
    rows = RegulatoryReport.objects.filter(case__incident=incident)
    return {k: d.astimezone(SHANGHAI) for k, d in rows.values_list("kind", "due_at")}


def test_due_times_count_from_the_accident_across_local_days(fire):
    assert due(fire) == {
        "reg_first": datetime(2026, 11, 21, 11, 30, tzinfo=SHANGHAI),
        "reg_detail": datetime(2026, 11, 22, 23, 30, tzinfo=SHANGHAI),
    }


def test_casualties_bring_the_first_report_to_six_hours_and_move_its_clock(fire, legal):
    case = fire.regulatory_case
    with time_machine.travel(LATE_EVENING + timedelta(hours=1), tick=False):
        services.set_severe(case, severe=True, actor=legal)
    assert due(fire)["reg_first"] == datetime(2026, 11, 21, 5, 30, tzinfo=SHANGHAI)
    assert due(fire)["reg_detail"] == datetime(2026, 11, 22, 23, 30, tzinfo=SHANGHAI)
    clock = EscalationState.objects.get(incident=fire, target="reg_first")
    # The chain's first step warns 2 h before the due time.
    assert clock.next_due_at == datetime(2026, 11, 21, 3, 30, tzinfo=SHANGHAI)
    services.set_severe(case, severe=False, actor=legal)
    assert due(fire)["reg_first"] == datetime(2026, 11, 21, 11, 30, tzinfo=SHANGHAI)


def test_every_figure_is_the_rules(org, dispatcher, rule):
    rule.first_hours, rule.first_hours_severe, rule.detailed_hours = 24, 4, 72
    rule.save()
    incident = factories.report(dispatcher, grade="II", category_slug="safety-accident")
    case = services.open_case(incident, rule=rule, actor=dispatcher, severe=True)
    assert {r.kind: r.due_at - case.occurred_at for r in case.reports.all()} == {
        "reg_first": timedelta(hours=4),
        "reg_detail": timedelta(hours=72),
    }


def test_each_step_fires_once_through_the_sweep_and_filing_stops_the_clock(fire, legal, org):
    warn = datetime(2026, 11, 21, 9, 30, tzinfo=SHANGHAI)  # due 11:30, 2 h ahead
    engine.escalate_due(now=warn - timedelta(minutes=1))
    assert not EscalationFire.objects.filter(target="reg_first").exists()
    engine.escalate_due(now=warn + timedelta(seconds=5))
    engine.escalate_due(now=warn + timedelta(seconds=30))  # a second sweep: nothing again
    fired = EscalationFire.objects.filter(incident=fire, target="reg_first")
    assert list(fired.values_list("seq", flat=True)) == [1]
    told = Notification.objects.filter(incident=fire, step="reg_first:1", channel="inapp")
    assert set(told.values_list("user__username", flat=True)) == {"counsel"}

    report = RegulatoryReport.objects.get(case__incident=fire, kind="reg_first")
    with time_machine.travel(warn + timedelta(minutes=30), tick=False):
        services.file_report(report, actor=legal, content={"place": "B2"}, reference="Q-17")
    report.refresh_from_db()
    assert report.filed_by == legal and report.reference == "Q-17"
    engine.escalate_due(now=warn + timedelta(hours=5))  # past the HQ step: nothing fires
    assert list(fired.values_list("seq", flat=True)) == [1]
    assert EscalationState.objects.get(incident=fire, target="reg_first").end_reason == "filed"


def test_only_legal_or_a_manager_files(fire, dispatcher):
    report = RegulatoryReport.objects.get(case__incident=fire, kind="reg_first")
    with pytest.raises(PermissionDenied):
        services.file_report(report, actor=dispatcher, content={})


def test_a_category_rule_starts_the_reports_at_intake(org, dispatcher, rule):
    rule.category = factories.category("natural-disaster")
    rule.save()
    incident = factories.report(dispatcher, category_slug="natural-disaster")
    assert set(due(incident)) == {"reg_first", "reg_detail"}
    other = factories.report(dispatcher, category_slug="complaint")
    assert due(other) == {}


def test_a_regrade_keeps_the_report_clocks(fire, manager):
    from incidents import services as incident_services

    incident_services.regrade_incident(fire, actor=manager, grade="II", reason="Contained.")
    targets = EscalationState.objects.filter(incident=fire, ended_at__isnull=True)
    assert {"reg_first", "reg_detail"} <= set(targets.values_list("target", flat=True))
