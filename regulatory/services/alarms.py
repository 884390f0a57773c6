"""Telematics alarms in: recorded always, deduplicated into incidents by rule.

``ingest_alarm`` records every alarm. For a vehicle on file it asks the alarm rules what
the alarm's types call for at its level; the strongest wins and its type is the alarm's
dedup key with the vehicle. The first alarm of a key that calls for an incident reports
one through ``incidents.services.report_incident`` (the intake's rules, numbering, clocks
and hooks, never a copy of them) in the safety category, with the position and the data
window; later alarms of the key, while that incident is open, are counted on its
``AlarmCase``. An alarm of a type a report rule names (thermal runaway by default) opens
the regulatory case of its incident.

Racing duplicates: a repeat joins the open case of its key with a conditional UPDATE;
when there is none, the ingest locks the vehicle's row (``SELECT ... FOR UPDATE``) and
reads again, so two first alarms of one vehicle take turns and the second finds the case
the first opened. The partial unique index ``regulatory_alarm_case_open_once`` is
the guarantee underneath: a second open case for a key cannot commit.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import F
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.translation import gettext as _

from core import refcache
from core.types import Actor
from incidents import services as incident_services
from incidents.models import OPEN_STATUSES, Category, Channel, Grade, Incident
from incidents.services.rules import active_category
from regulatory.codes import alarm_type_label
from regulatory.models import (
    ACTION_STRENGTH,
    Action,
    Alarm,
    AlarmCase,
    AlarmRule,
    Outcome,
)
from regulatory.services import reports
from vehicles.models import Vehicle
from vehicles.vin import normalize

SAFETY_CATEGORY = "safety-accident"
GRADE_OF: dict[str, str] = {Action.INCIDENT_I: Grade.I, Action.INCIDENT_III: Grade.III}


@dataclass(frozen=True)
class AlarmIn:
    """An alarm as the API validated it."""

    vin: str
    level: int
    alarm_types: list[str]
    occurred_at: datetime
    latitude: Decimal | float | None = None
    longitude: Decimal | float | None = None
    data_window: object = None
    data_ref: str = ""


def _coordinate(value) -> Decimal | None:
    """A coordinate to the 6 decimal places stored (the API rounds already; callers of the
    service may pass floats)."""
    return None if value is None else Decimal(str(round(float(value), 6)))


def default_action(level: int) -> str:
    return Action.INCIDENT_I if level == 3 else Action.RECORD


def alarm_rules() -> dict[str, AlarmRule]:
    """Every alarm rule by type, from the reference-data cache (an edit is seen within
    REFDATA_RECHECK_SECONDS)."""
    return refcache.get(
        ("regulatory-alarm-rules",),
        lambda: {r.alarm_type: r for r in AlarmRule.objects.all()},
    )


def decide(alarm_types: list[str], level: int) -> tuple[str, str]:
    """(deciding type, action): the strongest action the alarm's types call for at
    ``level``; the first type listed wins a tie."""
    rules = alarm_rules()
    best: tuple[str, str] | None = None
    for code in alarm_types:
        rule = rules.get(code)
        action = rule.action_for(level) if rule else default_action(level)
        if best is None or ACTION_STRENGTH[action] > ACTION_STRENGTH[best[1]]:
            best = (code, action)
    if best is None:
        raise ValueError("an alarm has at least one type")  # the API refuses one without
    return best


def safety_category() -> Category:
    category = active_category(SAFETY_CATEGORY) or (
        Category.objects.filter(slug=SAFETY_CATEGORY).first()
    )
    if category is None:  # a database seeded without it: seed it (the desk can rename it)
        category, _created = Category.objects.get_or_create(
            slug=SAFETY_CATEGORY,
            defaults={"name": "Safety accident", "name_zh": "安全事故"},
        )
    return category


def ingest_alarm(data: AlarmIn, *, actor: Actor, now: datetime | None = None) -> Alarm:
    """Record ``data`` and do what its rule says. Returns the ``Alarm`` row (its outcome,
    case and incident say what became of it). One transaction; a repeat joins its open case
    with a conditional UPDATE, anything else locks the vehicle's row first."""
    now = now or timezone.now()
    vin = normalize(data.vin)
    alarm = Alarm(
        received_at=now,
        vin=vin[:17],
        level=data.level,
        alarm_types=list(data.alarm_types),
        occurred_at=data.occurred_at,
        latitude=_coordinate(data.latitude),
        longitude=_coordinate(data.longitude),
        data_window=data.data_window,
        data_ref=data.data_ref,
        source=actor,
    )
    with transaction.atomic():
        alarm_type, action = decide(data.alarm_types, data.level)
        alarm.alarm_type = alarm_type
        # A repeat (the common case) joins its open case without locking the vehicle.
        case = _join_open_case(vin, alarm)
        if case is None:
            _decide_locked(vin, alarm, action, actor=actor, now=now)
        alarm.save(force_insert=True)
    return alarm


def _join_open_case(vin: str, alarm: Alarm) -> AlarmCase | None:
    """Count ``alarm`` on the open case of its key, if there is one whose incident is
    open: one SELECT and one conditional UPDATE (a case closed in between is not joined)."""
    case = (
        AlarmCase.objects.select_related("incident")
        .only(
            "id",
            "vehicle_id",
            "count",
            "incident__id",
            "incident__status",
            "incident__number",
            "incident__grade",
        )
        .filter(
            vehicle__vin=vin,
            alarm_type=alarm.alarm_type,
            is_open=True,
            incident__status__in=OPEN_STATUSES,
        )
        .first()
    )
    if case is None or not _append(case, alarm):
        return None
    alarm.vehicle_id, alarm.case, alarm.incident = case.vehicle_id, case, case.incident
    return case


def _decide_locked(vin: str, alarm: Alarm, action: str, *, actor: Actor, now: datetime) -> None:
    """No open case joined: lock the vehicle's row (racing alarms of the vehicle take turns
    here), look again, then open an incident or only record, as the rule says."""
    vehicle = Vehicle.objects.select_for_update().only("id", "vin").filter(vin=vin).first()
    if vehicle is None:
        alarm.outcome = Outcome.UNKNOWN_VEHICLE
        return
    alarm.vehicle = vehicle
    case = _open_case_of(vehicle, alarm.alarm_type)
    if case is not None:
        _append(case, alarm)
    elif action != Action.RECORD:
        case = _open_incident(vehicle, alarm, action, actor=actor, now=now)
    else:
        alarm.outcome = Outcome.RECORDED
    alarm.case = case
    alarm.incident = case.incident if case else None


def _open_case_of(vehicle: Vehicle, alarm_type: str) -> AlarmCase | None:
    """The key's open case, if its incident is still open (else the case is closed now:
    a hook missed, or the incident was closed by a path that runs no hooks)."""
    case = (
        AlarmCase.objects.select_related("incident")
        .only(
            "id",
            "count",
            "incident__id",
            "incident__status",
            "incident__number",
            "incident__grade",
        )
        .filter(vehicle=vehicle, alarm_type=alarm_type, is_open=True)
        .first()
    )
    if case is not None and case.incident.status not in OPEN_STATUSES:
        AlarmCase.objects.filter(pk=case.pk).update(is_open=False)
        return None
    return case


def _append(case: AlarmCase, alarm: Alarm) -> bool:
    """A repeat: counted on the open case, with its time and level (one UPDATE)."""
    joined = AlarmCase.objects.filter(pk=case.pk, is_open=True).update(
        count=F("count") + 1,
        last_at=Greatest(F("last_at"), alarm.occurred_at),
        max_level=Greatest(F("max_level"), alarm.level),
    )
    alarm.outcome = Outcome.JOINED
    case.count += 1  # as counted with this one (a racing repeat may count at the same time)
    return bool(joined)


def _open_incident(
    vehicle: Vehicle, alarm: Alarm, action: str, *, actor: Actor, now: datetime
) -> AlarmCase:
    label = alarm_type_label(alarm.alarm_type)
    fields: dict = {
        "asset_ref": vehicle.vin,
        "channel": Channel.API,
        "description": _describe(alarm, label),
        "external_ref": f"alarm:{vehicle.vin}:{alarm.alarm_type}"[:100],
    }
    if alarm.latitude is not None and alarm.longitude is not None:
        fields["latitude"], fields["longitude"] = alarm.latitude, alarm.longitude
        fields["location"] = f"{alarm.latitude}, {alarm.longitude}"
    incident = incident_services.report_incident(
        actor=actor,
        title=_("Telematics alarm: %(type)s (level %(level)s), %(vin)s")
        % {"type": label, "level": alarm.level, "vin": vehicle.vin},
        category=safety_category(),
        grade=GRADE_OF[action],
        reported_at=min(alarm.occurred_at, now),
        now=now,
        **fields,
    )
    case = AlarmCase.objects.create(
        vehicle=vehicle,
        alarm_type=alarm.alarm_type,
        incident=incident,
        first_at=alarm.occurred_at,
        last_at=alarm.occurred_at,
        max_level=alarm.level,
    )
    alarm.outcome = Outcome.CREATED
    rule = reports.rule_for_alarm_types(alarm.alarm_types)
    if rule is not None:
        reports.open_case(
            incident, rule=rule, actor=None, occurred_at=min(alarm.occurred_at, now), now=now
        )
    return case


def _describe(alarm: Alarm, label: str) -> str:
    window = ""
    if alarm.data_window is not None:
        window = json.dumps(alarm.data_window, ensure_ascii=False)[:2000]
    parts = [
        f"{label} · L{alarm.level} · {timezone.localtime(alarm.occurred_at):%Y-%m-%d %H:%M:%S}",
        f"types: {', '.join(alarm.alarm_types)}",
    ]
    if alarm.data_ref:
        parts.append(f"data: {alarm.data_ref}")
    if window:
        parts.append(f"data window: {window}")
    return "\n".join(parts)


def close_cases(incident: Incident) -> int:
    """The incident is no longer open: its alarm keys are free (the next alarm of the key
    opens a new incident)."""
    return AlarmCase.objects.filter(incident=incident, is_open=True).update(is_open=False)
