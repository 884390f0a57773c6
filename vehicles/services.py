"""The vehicles' public API: the 三包 status of a vehicle (counted from its incidents) and
the import of vehicles from CSV.

三包 counting, in one place (docs/vehicles.md cites the rules):

- The incidents of a vehicle are those whose ``asset_ref`` is its VIN. Cancelled ones are
  not repairs. Only those reported inside the 三包 period count (all of them when the sale
  date is unknown).
- A repair lasts from arrival on site (else the report) to resolution (else now), counted
  in calendar days in Asia/Shanghai: every local day the vehicle was under repair is one
  day, a part day included (the rules count a repair shorter than 24 h as one day).
  Repairs on the same day are not counted twice: the cumulative figure is the number of
  distinct days.
- "The same problem" is, for now, the same incident category; a fault code will replace it.
- Each counter is ``ok``, ``warning`` (one step before its threshold: one more repair, or
  one more day) or ``crossed``.
"""

from __future__ import annotations

import calendar
import csv
import io
import zoneinfo
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from incidents.models import Incident, Status
from vehicles.models import MileageReading, SanbaoRule, Vehicle, VehicleModel
from vehicles.vin import normalize, validate_vin

LOCAL = zoneinfo.ZoneInfo("Asia/Shanghai")

OK, WARNING, CROSSED = "ok", "warning", "crossed"
LEVELS = (OK, WARNING, CROSSED)


def default_rule() -> SanbaoRule:
    """The rule set marked default; without one, the 2021 rules' figures (unsaved)."""
    return SanbaoRule.objects.filter(is_default=True).first() or SanbaoRule(
        name="Family-car 三包 rules (2021)", name_zh="家用汽车三包规定 2021"
    )


def vehicle_for_ref(asset_ref: str) -> Vehicle | None:
    """The vehicle whose VIN is ``asset_ref`` (an equipment serial finds none)."""
    ref = normalize(asset_ref)
    if len(ref) != 17:
        return None
    return Vehicle.objects.select_related("model__rule").filter(vin=ref).first()


def add_months(start: date, months: int) -> date:
    """The same day ``months`` later (the month's last day when it has no such day)."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def local_date(moment: datetime) -> date:
    return timezone.localtime(moment, LOCAL).date()


def repair_dates(incident: Incident, now: datetime) -> set[date]:
    """The Asia/Shanghai calendar days the vehicle was under repair for ``incident``."""
    start = local_date(incident.arrived_at or incident.reported_at)
    end = local_date(incident.resolved_at or now)
    return {start + timedelta(days=n) for n in range(max((end - start).days, 0) + 1)}


@dataclass(frozen=True)
class Finding:
    """One counter against its threshold. ``message`` is rendered at read time."""

    code: str
    level: str
    value: int
    limit: int
    subject: str = ""

    @property
    def message(self) -> str:
        template = MESSAGES[(self.code, self.level)]
        return str(template) % {"value": self.value, "limit": self.limit, "subject": self.subject}


MESSAGES: dict[tuple[str, str], Any] = {
    ("repair_days", OK): _("Cumulative repair time: %(value)d of %(limit)d days."),
    ("repair_days", WARNING): _(
        "Cumulative repair time is %(value)d days: one more day of repair makes a "
        "replacement or return case (more than %(limit)d days)."
    ),
    ("repair_days", CROSSED): _(
        "Cumulative repair time is %(value)d days, more than %(limit)d: the customer may "
        "choose a replacement or a return."
    ),
    ("same_problem", OK): _("%(subject)s: repaired %(value)d times (limit: more than %(limit)d)."),
    ("same_problem", WARNING): _(
        "%(subject)s: repaired %(value)d times. The next repair of this problem makes a "
        "replacement case (more than %(limit)d repairs)."
    ),
    ("same_problem", CROSSED): _(
        "%(subject)s: repaired %(value)d times, more than %(limit)d: the customer may choose "
        "a replacement or a return."
    ),
    ("loaner", OK): _(
        "Longest single repair: %(value)d of %(limit)d days before a loaner is owed."
    ),
    ("loaner", WARNING): _(
        "An open repair has lasted %(value)d days: from tomorrow a loaner car or transport "
        "compensation is owed (more than %(limit)d days)."
    ),
    ("loaner", CROSSED): _(
        "A repair has lasted %(value)d days, more than %(limit)d: a loaner car or transport "
        "compensation is owed."
    ),
}


def _level(value: int, limit: int) -> str:
    """Thresholds are "more than ``limit``": at ``limit`` the next step crosses."""
    if value > limit:
        return CROSSED
    return WARNING if value == limit else OK


@dataclass
class SanbaoStatus:
    vehicle: Vehicle
    rule: SanbaoRule
    today: date
    km: int | None
    period_end: date | None
    warranty_end: date | None
    in_period: bool | None  # None: no sale date, the period cannot be checked
    in_warranty: bool | None
    in_return_window: bool
    in_early_window: bool
    repair_days: int = 0
    repairs: int = 0
    findings: list[Finding] = field(default_factory=list)

    @property
    def level(self) -> str:
        if self.in_period is False:
            return OK
        return max((f.level for f in self.findings), key=LEVELS.index, default=OK)

    @property
    def alerts(self) -> list[Finding]:
        return [f for f in self.findings if f.level != OK]


def latest_km(vehicle: Vehicle) -> int | None:
    reading = MileageReading.objects.filter(vehicle=vehicle).order_by("-read_at").first()
    return reading.km if reading else None


def _windows(vehicle: Vehicle, rule: SanbaoRule, today: date, km: int | None) -> dict:
    """The periods, counted as the Civil Code counts them (arts. 201-202): from the day
    after the sale, the last day is the same day ``n`` months later."""
    model, sold = vehicle.model, vehicle.sale_date
    if sold is None:
        return dict(
            period_end=None,
            warranty_end=None,
            in_period=None,
            in_warranty=None,
            in_return_window=False,
            in_early_window=False,
        )
    period_end = add_months(sold, model.sanbao_months)
    warranty_end = add_months(sold, model.warranty_months)
    km_now = km or 0
    return dict(
        period_end=period_end,
        warranty_end=warranty_end,
        in_period=sold <= today <= period_end and km_now <= model.sanbao_km,
        in_warranty=sold <= today <= warranty_end and km_now <= model.warranty_km,
        in_return_window=sold <= today <= sold + timedelta(days=rule.major_part_return_days),
        in_early_window=sold <= today <= sold + timedelta(days=rule.major_failure_days)
        and km_now <= rule.major_failure_km,
    )


def sanbao_status(vehicle: Vehicle, *, now: datetime | None = None) -> SanbaoStatus:
    """The vehicle's 三包 counters and their levels. Reads the incidents with one query
    (the fields counted only), the latest mileage with another. No side effects."""
    now = now or timezone.now()
    rule = vehicle.model.rule or default_rule()
    today = local_date(now)
    km = latest_km(vehicle)
    status = SanbaoStatus(vehicle, rule, today, km, **_windows(vehicle, rule, today, km))
    incidents = (
        Incident.objects.filter(asset_ref=vehicle.vin)
        .exclude(status=Status.CANCELLED)
        .select_related("category")
        .only("reported_at", "arrived_at", "resolved_at", "status", "category")
    )
    if vehicle.sale_date:
        incidents = incidents.filter(reported_at__date__gte=vehicle.sale_date)
    if status.period_end:
        incidents = incidents.filter(reported_at__date__lte=status.period_end)
    days: set[date] = set()
    problems: Counter = Counter()
    longest, longest_open = 0, False
    for incident in incidents:
        dates = repair_dates(incident, now)
        days |= dates
        problems[incident.category] += 1
        if len(dates) > longest or (len(dates) == longest and incident.resolved_at is None):
            longest, longest_open = len(dates), incident.resolved_at is None
    status.repair_days, status.repairs = len(days), sum(problems.values())
    status.findings.append(
        Finding(
            "repair_days",
            _level(len(days), rule.replacement_repair_days),
            len(days),
            rule.replacement_repair_days,
        )
    )
    for category, count in problems.most_common():
        limit = rule.replacement_same_problem_repairs
        status.findings.append(
            Finding("same_problem", _level(count, limit), count, limit, category.label)
        )
    loaner = _level(longest, rule.loaner_after_days)
    if loaner == WARNING and not longest_open:
        loaner = OK  # a finished repair of exactly the limit owed nothing
    status.findings.append(Finding("loaner", loaner, longest, rule.loaner_after_days))
    return status


# -- import -------------------------------------------------------------------------------

IMPORT_COLUMNS = ("vin", "model", "battery_serial", "production_batch", "sale_date", "owner_name")


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    rejected: list[tuple[int, str, list[str]]] = field(default_factory=list)  # line, vin, why


def _row_errors(row: dict, models: dict[str, VehicleModel]) -> tuple[dict, list[str]]:
    errors: list[str] = []
    vin = normalize(row.get("vin", ""))
    try:
        validate_vin(vin)
    except ValidationError as exc:
        errors.extend(str(m) for m in exc.messages)
    model = models.get((row.get("model") or "").strip())
    if model is None:
        errors.append(str(_("Unknown vehicle model %(code)r.") % {"code": row.get("model", "")}))
    sale_date = None
    if (row.get("sale_date") or "").strip():
        try:
            sale_date = date.fromisoformat(row["sale_date"].strip())
        except ValueError:
            errors.append(str(_("The sale date must be written YYYY-MM-DD.")))
    values = {
        "model": model,
        "battery_serial": (row.get("battery_serial") or "").strip()[:64],
        "production_batch": (row.get("production_batch") or "").strip()[:64],
        "sale_date": sale_date,
        "owner_name": (row.get("owner_name") or "").strip()[:120],
    }
    return {"vin": vin, **values}, errors


def import_vehicles(text: str) -> ImportReport:
    """Import (or update, by VIN) the vehicles of a CSV text with a header line naming
    ``IMPORT_COLUMNS`` (``vin`` and ``model`` required; ``model`` is a model's code).

    Every valid row is written, in one transaction; every rejected row is reported with
    its line number and reasons, and nothing of it is written. A file whose header lacks a
    required column rejects the whole file."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = {name.strip() for name in reader.fieldnames or []}
    report = ImportReport()
    missing = [name for name in ("vin", "model") if name not in header]
    if missing:
        report.rejected.append(
            (1, "", [str(_("Missing column: %(names)s.") % {"names": ", ".join(missing)})])
        )
        return report
    models = {m.code: m for m in VehicleModel.objects.all()}
    seen: set[str] = set()
    with transaction.atomic():
        for line, raw in enumerate(reader, start=2):
            row = {(k or "").strip(): v for k, v in raw.items()}
            values, errors = _row_errors(row, models)
            if values["vin"] in seen:
                errors.append(str(_("This VIN is already on an earlier line of the file.")))
            if errors:
                report.rejected.append((line, values["vin"], errors))
                continue
            seen.add(values["vin"])
            vin = values.pop("vin")
            _vehicle, created = Vehicle.objects.update_or_create(vin=vin, defaults=values)
            if created:
                report.created += 1
            else:
                report.updated += 1
    return report


def record_mileage(vehicle: Vehicle, km: int, *, read_at: datetime | None = None) -> MileageReading:
    """Record an odometer reading (a reading lower than an earlier one is refused)."""
    read_at = read_at or timezone.now()
    earlier = (
        MileageReading.objects.filter(vehicle=vehicle, read_at__lte=read_at)
        .order_by("-read_at")
        .first()
    )
    if earlier and km < earlier.km:
        raise ValidationError(
            {
                "km": _("The odometer cannot go back: %(km)d km was read earlier.")
                % {"km": earlier.km}
            }
        )
    return MileageReading.objects.create(vehicle=vehicle, km=km, read_at=read_at)
