"""Unit returns: the failed unit an emergency replacement takes back."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from spareparts.models.catalogue import Depot, Part


class ReturnStatus(models.TextChoices):
    OPEN = "open", _("Awaiting return")
    RECEIVED = "received", _("Received")
    CANCELLED = "cancelled", _("Cancelled")


class UnitReturn(models.Model):
    """The failed unit that an emergency whole-unit replacement takes back from the
    customer: opened with the replacement, closed when the unit reaches a depot."""

    incident = models.ForeignKey(
        "incidents.Incident",
        on_delete=models.PROTECT,
        related_name="unit_returns",
        verbose_name=_("incident"),
    )
    part = models.ForeignKey(
        Part, on_delete=models.PROTECT, related_name="+", verbose_name=_("part")
    )
    depot = models.ForeignKey(
        Depot, on_delete=models.PROTECT, related_name="+", verbose_name=_("return to")
    )
    serial = models.CharField(_("VIN / serial number"), max_length=64, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ReturnStatus.choices, default=ReturnStatus.OPEN
    )
    opened_at = models.DateTimeField(_("opened at"))
    received_at = models.DateTimeField(_("received at"), null=True, blank=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("received by"),
    )

    class Meta:
        ordering = ["-opened_at", "-id"]
        verbose_name = _("failed-unit return")
        verbose_name_plural = _("failed-unit returns")
        constraints = [
            models.UniqueConstraint(
                fields=["incident"],
                condition=Q(status="open"),
                name="unit_return_one_open_per_incident",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.part_id} <- {self.serial or self.incident_id}"
