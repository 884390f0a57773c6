"""Vehicles, their models and the 三包 (repair, replacement, return) rules they fall under.

An incident belongs to a vehicle when its ``asset_ref`` is the vehicle's VIN (both stored
upper-case); the incidents model does not know this app.
"""

from __future__ import annotations

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.crypto import EncryptedCharField
from core.models import BilingualNameMixin
from vehicles.vin import validate_vin


class Powertrain(models.TextChoices):
    NEV = "nev", _("New-energy vehicle (NEV)")
    ICE = "ice", _("Internal combustion engine (ICE)")
    HYBRID = "hybrid", _("Hybrid")


def _days(default: int, help_text):
    return models.PositiveSmallIntegerField(
        default=default, validators=[MinValueValidator(1)], help_text=help_text
    )


class SanbaoRule(BilingualNameMixin, models.Model):  # noqa: DJ008 - __str__: the mixin's
    """The figures of one set of 三包 rules. The defaults are those of the family-car rules
    in force since 2022-01-01 (家用汽车产品修理更换退货责任规定, SAMR Order No. 43 of 2021);
    docs/vehicles.md cites the article of each. A maker may commit to better terms for a
    model: another row, named for that commitment."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    name_zh = models.CharField(_("Chinese name"), max_length=120, blank=True)
    is_default = models.BooleanField(
        _("default"), default=False, help_text=_("Used for models that name no rule set.")
    )
    replacement_repair_days = _days(
        30, _("Replacement or return when the cumulative repair time exceeds this many days.")
    )
    replacement_same_problem_repairs = _days(
        4, _("Replacement or return when the same problem was repaired more than this often.")
    )
    serious_safety_repairs = _days(
        2, _("Serious safety faults: repairs after which a recurrence is a replacement case.")
    )
    loaner_after_days = _days(
        5, _("A loaner car or transport compensation when one repair takes more than this.")
    )
    major_part_return_days = _days(
        7, _("Days from the start of the period in which a major-part failure allows return.")
    )
    major_failure_days = _days(
        60, _("Days of the early window (major failures: free replacement or return).")
    )
    major_failure_km = models.PositiveIntegerField(
        default=3000, help_text=_("Kilometres of the early window (whichever comes first).")
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("三包 rule set")
        verbose_name_plural = _("三包 rule sets")
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"],
                condition=models.Q(is_default=True),
                name="sanbao_rule_one_default",
            )
        ]


class VehicleModel(BilingualNameMixin, models.Model):  # noqa: DJ008 - __str__: the mixin's
    code = models.SlugField(_("code"), unique=True)
    name = models.CharField(_("name"), max_length=120)
    name_zh = models.CharField(_("Chinese name"), max_length=120, blank=True)
    powertrain = models.CharField(_("powertrain"), max_length=8, choices=Powertrain.choices)
    warranty_months = models.PositiveSmallIntegerField(_("warranty (months)"), default=36)
    warranty_km = models.PositiveIntegerField(_("warranty (km)"), default=60000)
    sanbao_months = models.PositiveSmallIntegerField(_("三包 period (months)"), default=24)
    sanbao_km = models.PositiveIntegerField(_("三包 period (km)"), default=50000)
    rule = models.ForeignKey(
        SanbaoRule,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="vehicle_models",
        verbose_name=_("三包 rule set"),
        help_text=_("Empty: the default rule set."),
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("vehicle model")
        verbose_name_plural = _("vehicle models")


class Vehicle(models.Model):
    vin = models.CharField(_("VIN"), max_length=17, unique=True, validators=[validate_vin])
    model = models.ForeignKey(
        VehicleModel, on_delete=models.PROTECT, related_name="vehicles", verbose_name=_("model")
    )
    battery_serial = models.CharField(_("traction battery pack serial"), max_length=64, blank=True)
    production_batch = models.CharField(_("production batch"), max_length=64, blank=True)
    sale_date = models.DateField(_("sale date"), null=True, blank=True)
    # The customer's name: encrypted at rest like the incident's (core/crypto.py).
    owner_name = EncryptedCharField(_("owner"), max_length=120, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["vin"]
        verbose_name = _("vehicle")
        verbose_name_plural = _("vehicles")
        indexes = [models.Index(fields=["production_batch"], name="vehicle_batch")]

    def __str__(self) -> str:
        return self.vin


class MileageReading(models.Model):
    vehicle = models.ForeignKey(
        Vehicle, on_delete=models.CASCADE, related_name="readings", verbose_name=_("vehicle")
    )
    km = models.PositiveIntegerField(_("odometer (km)"))
    read_at = models.DateTimeField(_("read at"))

    class Meta:
        ordering = ["-read_at"]
        verbose_name = _("mileage reading")
        verbose_name_plural = _("mileage readings")
        indexes = [models.Index(fields=["vehicle", "-read_at"], name="mileage_vehicle_read")]

    def __str__(self) -> str:
        return f"{self.km} km"
