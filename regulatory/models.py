"""Telematics alarms and the reports a maker owes the regulator after an NEV fire.

Alarms: every ``POST /api/v1/alarms/`` is an ``Alarm`` row, whatever becomes of it. An
``AlarmCase`` is the dedup key (vehicle, alarm type) of one open incident: the first alarm
that calls for an incident opens it, repeats are counted on it. ``AlarmRule`` says, per
alarm type and level, whether an alarm opens a Level I or a Level III incident or is only
recorded.

Reports: a ``ReportRule`` (category, or the "NEV fire" flag, or alarm types) opens a
``RegulatoryCase`` on an incident with one ``RegulatoryReport`` per report owed (first,
detailed), each with its due time and its escalation clock (an ``EscalationState`` of the
report's kind, see ``regulatory.services.reports``). Filing a report stops its clock.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.models import BilingualNameMixin


class Action(models.TextChoices):
    INCIDENT_I = "incident_i", _("Open a Level I incident")
    INCIDENT_III = "incident_iii", _("Open a Level III incident")
    RECORD = "record", _("Record only")


# Stronger first: an alarm with several types follows its strongest rule.
ACTION_STRENGTH: dict[str, int] = {Action.INCIDENT_I: 2, Action.INCIDENT_III: 1, Action.RECORD: 0}


def _action(label):
    return models.CharField(label, max_length=12, choices=Action.choices, default=Action.RECORD)


class AlarmRule(models.Model):
    """What an alarm of one type does at each level. A type without a row follows the
    default: level 3 opens a Level I incident, levels 1 and 2 are recorded."""

    alarm_type = models.CharField(_("alarm type"), max_length=40, unique=True)
    level_1 = _action(_("level 1"))
    level_2 = _action(_("level 2"))
    level_3 = _action(_("level 3"))

    class Meta:
        ordering = ["alarm_type"]
        verbose_name = _("alarm rule")
        verbose_name_plural = _("alarm rules")

    def __str__(self) -> str:
        from regulatory.codes import alarm_type_label

        return alarm_type_label(self.alarm_type)

    def action_for(self, level: int) -> str:
        return getattr(self, f"level_{level}")


class Outcome(models.TextChoices):
    CREATED = "created", _("Opened an incident")
    JOINED = "joined", _("Joined an open incident")
    RECORDED = "recorded", _("Recorded only")
    UNKNOWN_VEHICLE = "unknown_vehicle", _("Unknown vehicle: recorded")


class AlarmCase(models.Model):
    """The dedup key (vehicle, alarm type) of one incident while it is open."""

    vehicle = models.ForeignKey(
        "vehicles.Vehicle",
        on_delete=models.PROTECT,
        related_name="alarm_cases",
        verbose_name=_("vehicle"),
    )
    alarm_type = models.CharField(_("alarm type"), max_length=40)
    incident = models.ForeignKey(
        "incidents.Incident",
        on_delete=models.CASCADE,
        related_name="alarm_cases",
        verbose_name=_("incident"),
    )
    is_open = models.BooleanField(_("open"), default=True)
    first_at = models.DateTimeField(_("first alarm"))
    last_at = models.DateTimeField(_("last alarm"))
    count = models.PositiveIntegerField(_("alarms"), default=1)
    max_level = models.PositiveSmallIntegerField(_("highest level"), default=1)

    class Meta:
        ordering = ["-last_at"]
        verbose_name = _("alarm case")
        verbose_name_plural = _("alarm cases")
        constraints = [
            # The guarantee behind "one incident per (vehicle, alarm type)": a second open
            # case cannot commit, whatever raced (the ingest also locks the vehicle's row).
            models.UniqueConstraint(
                fields=["vehicle", "alarm_type"],
                condition=Q(is_open=True),
                name="regulatory_alarm_case_open_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.vehicle_id}:{self.alarm_type}"

    @property
    def alarm_type_label(self) -> str:
        from regulatory.codes import alarm_type_label

        return alarm_type_label(self.alarm_type)


class Alarm(models.Model):
    """One alarm as received, kept whatever became of it."""

    received_at = models.DateTimeField(_("received at"), db_index=True)
    vin = models.CharField(_("VIN"), max_length=17)
    vehicle = models.ForeignKey(
        "vehicles.Vehicle",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="alarms",
        verbose_name=_("vehicle"),
    )
    level = models.PositiveSmallIntegerField(
        _("alarm level"), validators=[MinValueValidator(1), MaxValueValidator(3)]
    )
    alarm_types = models.JSONField(_("alarm types"), default=list)
    alarm_type = models.CharField(_("deciding alarm type"), max_length=40, blank=True)
    occurred_at = models.DateTimeField(_("alarm time"))
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    data_window = models.JSONField(_("data window"), null=True, blank=True)
    data_ref = models.URLField(_("data window reference"), max_length=500, blank=True)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices)
    case = models.ForeignKey(
        AlarmCase,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="alarms",
        verbose_name=_("alarm case"),
    )
    incident = models.ForeignKey(
        "incidents.Incident",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("incident"),
    )
    source = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sent by"),
    )

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("alarm")
        verbose_name_plural = _("alarms")
        indexes = [
            models.Index(fields=["vehicle", "occurred_at"], name="regulatory_alarm_vehicle"),
            models.Index(fields=["case", "occurred_at"], name="regulatory_alarm_case"),
            models.Index(
                fields=["received_at"],
                name="regulatory_alarm_unknown",
                condition=Q(outcome="unknown_vehicle"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.vin} L{self.level} {self.alarm_type}"

    @property
    def data_window_text(self) -> str:
        import json

        return json.dumps(self.data_window, ensure_ascii=False, indent=1)[:20000]


def _hours(label, default: int):
    return models.PositiveSmallIntegerField(
        label, default=default, validators=[MinValueValidator(1), MaxValueValidator(720)]
    )


class ReportRule(BilingualNameMixin, models.Model):  # noqa: DJ008 - __str__: the mixin's
    """When reports to a regulator are owed, and by when. Defaults: SAMR's supplementary
    notice on NEV accident reports (质函[2019]5号, docs/regulatory.md)."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    name_zh = models.CharField(_("Chinese name"), max_length=120, blank=True)
    regulator = models.CharField(_("regulator"), max_length=200, blank=True)
    source = models.CharField(_("source"), max_length=300, blank=True)
    category = models.ForeignKey(
        "incidents.Category",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("category"),
        help_text=_("Every incident reported in this category owes the reports."),
    )
    on_flag = models.BooleanField(
        _("set by the desk"),
        default=True,
        help_text=_("The dispatcher or legal can start the reports on any incident."),
    )
    alarm_types = models.JSONField(
        _("alarm types"),
        default=list,
        blank=True,
        help_text=_("An incident opened by an alarm of these types owes the reports."),
    )
    first_hours = _hours(_("first report due (hours)"), 12)
    first_hours_severe = _hours(_("first report due with casualties (hours)"), 6)
    detailed_hours = _hours(_("detailed report due (hours)"), 48)
    warn_before_minutes = models.PositiveIntegerField(
        _("warn before the due time (minutes)"),
        default=120,
        help_text=_("The chain's first step fires this long before a report is due."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("report rule")
        verbose_name_plural = _("report rules")


class RegulatoryCase(models.Model):
    """An incident that owes reports to a regulator under ``rule``."""

    incident = models.OneToOneField(
        "incidents.Incident",
        on_delete=models.CASCADE,
        related_name="regulatory_case",
        verbose_name=_("incident"),
    )
    rule = models.ForeignKey(
        ReportRule, on_delete=models.PROTECT, related_name="cases", verbose_name=_("rule")
    )
    occurred_at = models.DateTimeField(
        _("accident time"), help_text=_("The reports are due counted from this time.")
    )
    severe = models.BooleanField(_("casualties or major social impact"), default=False)
    severe_set_at = models.DateTimeField(_("marked at"), null=True, blank=True)
    severe_set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("marked by"),
    )
    started_at = models.DateTimeField(_("started at"))
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("started by"),
    )

    class Meta:
        verbose_name = _("regulatory case")
        verbose_name_plural = _("regulatory cases")

    def __str__(self) -> str:
        return f"{self.incident_id}"


class ReportKind(models.TextChoices):
    # The values are the escalation clocks' targets (at most 10 characters).
    FIRST = "reg_first", _("First report to the regulator")
    DETAILED = "reg_detail", _("Detailed report to the regulator")


class RegulatoryReport(models.Model):
    case = models.ForeignKey(
        RegulatoryCase,
        on_delete=models.CASCADE,
        related_name="reports",
        verbose_name=_("regulatory case"),
    )
    kind = models.CharField(
        pgettext_lazy("regulatory report", "kind"), max_length=10, choices=ReportKind.choices
    )
    due_at = models.DateTimeField(_("due"))
    filed_at = models.DateTimeField(_("reported at"), null=True, blank=True)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("filed by"),
    )
    reference = models.CharField(_("regulator's reference"), max_length=100, blank=True)
    # What was filed, as filed (the form's fields at that moment).
    content = models.JSONField(_("content filed"), default=dict, blank=True)

    class Meta:
        ordering = ["case", "due_at"]
        verbose_name = _("regulatory report")
        verbose_name_plural = _("regulatory reports")
        permissions = [("file_regulatoryreport", _("Can file reports to the regulator"))]
        constraints = [
            models.UniqueConstraint(fields=["case", "kind"], name="regulatory_report_once"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}:{self.kind}"
