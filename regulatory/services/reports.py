"""Reports owed to a regulator: the case, its due times, its clocks, filing.

A ``RegulatoryCase`` opens on an incident when a ``ReportRule`` applies: its category (at
report, ``regulatory.hooks``), the desk marking it (``open_case`` from the incident page),
or an alarm of one of the rule's types (``regulatory.services.alarms``). Each report owed
is a ``RegulatoryReport`` with its due time, counted from the accident time, and an
escalation clock whose target is the report's kind and whose chain is the active chain of
that target (seeded: legal, then HQ's commander). The engine fires each step once; the
clock's deadline is the due time less the rule's warning lead, so the first step warns
before the report is late. Filing the report stops its clock.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core import refcache
from core.exceptions import Conflict
from core.types import Actor
from escalation import services as engine
from escalation.models import EscalationChain
from incidents import timeline
from incidents.models import Incident
from regulatory.models import RegulatoryCase, RegulatoryReport, ReportKind, ReportRule

FLAG_PERM = "regulatory.add_regulatorycase"
FILE_PERM = "regulatory.file_regulatoryreport"


FILED_MESSAGES: dict[str, str] = {
    ReportKind.FIRST: gettext_noop(
        "First report filed with the regulator (reference %(reference)s)."
    ),
    ReportKind.DETAILED: gettext_noop(
        "Detailed report filed with the regulator (reference %(reference)s)."
    ),
}


def due_times(rule: ReportRule, occurred_at: datetime, *, severe: bool) -> dict[str, datetime]:
    """When each report is due: hours after the accident (the severe figure for the first
    report when there are casualties or a major social impact)."""
    first = rule.first_hours_severe if severe else rule.first_hours
    return {
        ReportKind.FIRST: occurred_at + timedelta(hours=first),
        ReportKind.DETAILED: occurred_at + timedelta(hours=rule.detailed_hours),
    }


def active_rules() -> list[ReportRule]:
    """The active report rules, from the reference-data cache (every intake asks)."""
    return refcache.get(
        ("regulatory-report-rules",),
        lambda: list(ReportRule.objects.filter(is_active=True).order_by("pk")),
    )


def rule_for_category(category_id: int) -> ReportRule | None:
    return next((r for r in active_rules() if r.category_id == category_id), None)


def rule_for_alarm_types(types: list[str]) -> ReportRule | None:
    return next((r for r in active_rules() if set(types) & set(r.alarm_types or [])), None)


def flag_rules():
    """The rules the desk may start by hand (the "NEV fire / smoke" flag)."""
    return ReportRule.objects.filter(is_active=True, on_flag=True)


def _clock_deadline(rule: ReportRule, due_at: datetime) -> datetime:
    return due_at - timedelta(minutes=rule.warn_before_minutes)


def _chain(kind: str) -> EscalationChain | None:
    return EscalationChain.objects.filter(target=kind, is_active=True).order_by("pk").first()


def open_case(
    incident: Incident,
    *,
    rule: ReportRule,
    actor: Actor,
    occurred_at: datetime | None = None,
    severe: bool = False,
    now: datetime | None = None,
) -> RegulatoryCase:
    """Start the reports ``rule`` calls for on ``incident`` (idempotent: an incident that
    has a case keeps it). Preconditions: ``actor`` may flag (None: the system). Effects, in
    one transaction: the case, one report per kind with its due time, a clock per report
    (started on the engine with the kind's chain), a timeline note."""
    now = now or timezone.now()
    if actor is not None and not actor.has_perm(FLAG_PERM):
        raise PermissionDenied(_("You may not start regulatory reports."))
    occurred_at = occurred_at or incident.reported_at
    if occurred_at > now + timedelta(minutes=5):
        raise ValidationError({"occurred_at": [_("The accident time cannot be in the future.")]})
    existing = RegulatoryCase.objects.filter(incident=incident).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            case = RegulatoryCase.objects.create(
                incident=incident,
                rule=rule,
                occurred_at=occurred_at,
                severe=severe,
                severe_set_at=now if severe else None,
                severe_set_by=actor if severe else None,
                started_at=now,
                started_by=actor,
            )
            reports = [
                RegulatoryReport(case=case, kind=kind, due_at=due)
                for kind, due in due_times(rule, occurred_at, severe=severe).items()
            ]
            RegulatoryReport.objects.bulk_create(reports)
            for report in reports:
                engine.start_clock(
                    incident,
                    report.kind,
                    deadline=_clock_deadline(rule, report.due_at),
                    now=now,
                    chain=_chain(report.kind),
                )
            said = timeline.Said(
                gettext_noop("Reports to the regulator owed under “%(rule)s”."), rule=rule.name
            )
            timeline.write([timeline.note(incident, actor=actor, at=now, text=said)])
    except IntegrityError:  # a racing call opened it first
        return RegulatoryCase.objects.get(incident=incident)
    return case


def set_severe(
    case: RegulatoryCase, *, severe: bool, actor: Actor, now: datetime | None = None
) -> RegulatoryCase:
    """Mark (or unmark) casualties or a major social impact: the first report's due time
    is counted again (6 h instead of 12 h by default) and its clock's deadline moves with
    it; steps already fired stay fired. A filed report keeps its time."""
    now = now or timezone.now()
    if actor is not None and not actor.has_perm(FLAG_PERM):
        raise PermissionDenied(_("You may not change this regulatory case."))
    with transaction.atomic():
        case = RegulatoryCase.objects.select_for_update().select_related("rule").get(pk=case.pk)
        if case.severe == severe:
            return case
        case.severe, case.severe_set_at, case.severe_set_by = severe, now, actor
        case.save(update_fields=["severe", "severe_set_at", "severe_set_by"])
        due = due_times(case.rule, case.occurred_at, severe=severe)[ReportKind.FIRST]
        first = RegulatoryReport.objects.get(case=case, kind=ReportKind.FIRST)
        if first.filed_at is None:
            first.due_at = due
            first.save(update_fields=["due_at"])
            engine.move_deadline(
                case.incident, ReportKind.FIRST, deadline=_clock_deadline(case.rule, due)
            )
        msgid = (
            gettext_noop("Marked: casualties or major social impact; first report due %(due)s.")
            if severe
            else gettext_noop(
                "Unmarked: no casualties or major social impact; first report due %(due)s."
            )
        )
        due_text = timezone.localtime(first.due_at).strftime("%Y-%m-%d %H:%M")
        said = timeline.Said(msgid, due=due_text)
        timeline.write([timeline.note(case.incident, actor=actor, at=now, text=said)])
    return case


def file_report(
    report: RegulatoryReport,
    *,
    actor: Actor,
    content: dict,
    reference: str = "",
    filed_at: datetime | None = None,
    now: datetime | None = None,
) -> RegulatoryReport:
    """Record that ``report`` was filed with the regulator (at ``filed_at``, default now)
    by ``actor``, with what was filed; its clock stops. Refuses a report filed already."""
    now = now or timezone.now()
    if actor is None or not actor.has_perm(FILE_PERM):
        raise PermissionDenied(_("You may not file reports to the regulator."))
    filed_at = filed_at or now
    if filed_at > now + timedelta(minutes=5):
        raise ValidationError({"filed_at": [_("The filing time cannot be in the future.")]})
    with transaction.atomic():
        report = (
            RegulatoryReport.objects.select_for_update()
            .select_related("case__incident")
            .get(pk=report.pk)
        )
        if report.filed_at is not None:
            raise Conflict(_("This report was filed already."))
        report.filed_at, report.filed_by = filed_at, actor
        report.reference, report.content = reference.strip(), content
        report.save(update_fields=["filed_at", "filed_by", "reference", "content"])
        incident = report.case.incident
        engine.end_clocks(incident, reason="filed", now=now, targets=[report.kind])
        msgid = FILED_MESSAGES[report.kind]
        said = timeline.Said(msgid, reference=report.reference or "-")
        timeline.write([timeline.note(incident, actor=actor, at=now, text=said)])
    return report


def prefill(report: RegulatoryReport) -> dict[str, str]:
    """The report form's fields from what the desk knows: vehicle, time, place,
    consequences, initial cause (the 信息表's first items). Typed by whoever files it."""
    from vehicles.services import vehicle_for_ref

    case = report.case
    incident = case.incident
    vehicle = vehicle_for_ref(incident.asset_ref) if incident.asset_ref else None
    if vehicle is not None:
        vehicle_text = f"{vehicle.vin} · {vehicle.model.label}"
        if vehicle.battery_serial:
            vehicle_text += f" · {_('battery pack')} {vehicle.battery_serial}"
        if vehicle.production_batch:
            vehicle_text += f" · {_('batch')} {vehicle.production_batch}"
    else:
        vehicle_text = incident.asset_ref
    place = incident.location
    if incident.latitude is not None and incident.longitude is not None:
        place = f"{place} ({incident.latitude}, {incident.longitude})".strip()
    return {
        "vehicle": vehicle_text,
        "occurred_at": timezone.localtime(case.occurred_at).strftime("%Y-%m-%d %H:%M"),
        "place": place,
        "consequences": incident.impact_scope,
        "initial_cause": incident.description,
    }
