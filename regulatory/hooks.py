"""What the regulatory app does when an incident moves (listed in INCIDENT_LIFECYCLE)."""

from __future__ import annotations

from datetime import datetime

from incidents.models import Incident
from regulatory.services import alarms, reports


def start_report_clocks(incident: Incident, *, actor, now: datetime) -> None:
    """report: an incident in a category a report rule names owes its reports (the rule
    starts them, not the reporter: no permission asked)."""
    rule = reports.rule_for_category(incident.category_id)
    if rule is not None:
        reports.open_case(incident, rule=rule, actor=None, now=now)


def free_alarm_keys(incident: Incident, *, actor, now: datetime) -> None:
    """resolve, close, cancel: the incident's alarm keys are free; the next alarm of the
    vehicle and type opens a new incident."""
    alarms.close_cases(incident)
