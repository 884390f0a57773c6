"""The incident page's regulatory panel: the alarms that opened or joined the incident
(count, first and last time, position, data window) and the reports owed to the
regulator (due times, who filed them), with the forms of the roles that act on them."""

from __future__ import annotations

from django.utils import timezone

from regulatory.models import Alarm, AlarmCase, RegulatoryCase
from regulatory.services import reports


def detail_panel(request, incident):
    user = request.user
    if not user.has_perm("regulatory.view_regulatorycase"):
        return None
    cases = [
        (case, Alarm.objects.filter(case=case).order_by("-occurred_at", "-id").first())
        for case in AlarmCase.objects.filter(incident=incident).order_by("first_at")
    ]
    regulatory = (
        RegulatoryCase.objects.select_related("rule", "severe_set_by")
        .filter(incident=incident)
        .first()
    )
    report_rows = []
    if regulatory is not None:
        report_rows = list(regulatory.reports.select_related("filed_by").order_by("due_at"))
    may_flag = user.has_perm(reports.FLAG_PERM)
    rules = list(reports.flag_rules()) if regulatory is None and may_flag else []
    if not cases and regulatory is None and not rules:
        return None
    return "regulatory/panels/regulatory.html", {
        "incident": incident,
        "alarm_cases": cases,
        "case": regulatory,
        "reports": report_rows,
        "may_flag": may_flag and incident.is_open,
        "may_file": user.has_perm(reports.FILE_PERM),
        "rules": rules,
        "now": timezone.now(),
    }
