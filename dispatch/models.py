"""What dispatch knows about people beyond the command structure: their skill records."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from vehicles.models import Powertrain, VehicleModel


class SkillKind(models.TextChoices):
    POWERTRAIN = "powertrain", _("Powertrain")
    MODEL = "model", _("Vehicle model")
    HV = "hv", _("High-voltage qualification")
    OTHER = "other", _("Other skill")


class TechnicianSkill(models.Model):
    """One skill or certification of a technician: a powertrain (NEV, ICE, hybrid), a vehicle
    model, the high-voltage qualification (required for NEV work; it expires) or another
    named skill. ``valid_until`` is the last day it is valid, in Asia/Shanghai."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="skills",
        verbose_name=_("technician"),
    )
    kind = models.CharField(_("kind"), max_length=12, choices=SkillKind.choices)
    powertrain = models.CharField(
        _("powertrain"), max_length=8, choices=Powertrain.choices, blank=True
    )
    vehicle_model = models.ForeignKey(
        VehicleModel,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("vehicle model"),
    )
    name = models.CharField(_("skill"), max_length=120, blank=True)
    certificate = models.CharField(_("certificate number"), max_length=60, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["user", "kind", "pk"]
        verbose_name = _("technician skill")
        verbose_name_plural = _("technician skills")
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="powertrain") | ~Q(powertrain=""),
                name="skill_powertrain_named",
            ),
            models.CheckConstraint(
                condition=~Q(kind="model") | Q(vehicle_model__isnull=False),
                name="skill_model_named",
            ),
            models.CheckConstraint(
                condition=~Q(kind="hv") | Q(valid_until__isnull=False),
                name="skill_hv_expires",
            ),
            models.CheckConstraint(
                condition=~Q(kind="other") | ~Q(name=""), name="skill_other_named"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.label}"

    @property
    def label(self) -> str:
        if self.kind == SkillKind.POWERTRAIN:
            return str(self.get_powertrain_display())
        if self.kind == SkillKind.MODEL and self.vehicle_model is not None:
            return self.vehicle_model.label
        if self.kind == SkillKind.HV:
            return str(_("HV qualification"))
        return self.name

    def valid_on(self, day: date) -> bool:
        return self.valid_until is None or day <= self.valid_until
