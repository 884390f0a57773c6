"""Transfers: stock shipped from one depot to another."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from spareparts.models.catalogue import Depot, Part


class TransferStatus(models.TextChoices):
    IN_TRANSIT = "in_transit", _("In transit")
    RECEIVED = "received", _("Received")
    CANCELLED = "cancelled", _("Cancelled")


class Transfer(models.Model):
    """Stock shipped from one depot to another: out of the source when shipped, in transit,
    into the destination when received (or back to the source when cancelled)."""

    part = models.ForeignKey(
        Part, on_delete=models.PROTECT, related_name="transfers", verbose_name=_("part")
    )
    from_depot = models.ForeignKey(
        Depot, on_delete=models.PROTECT, related_name="+", verbose_name=_("from")
    )
    to_depot = models.ForeignKey(
        Depot, on_delete=models.PROTECT, related_name="+", verbose_name=_("to")
    )
    quantity = models.PositiveIntegerField(_("quantity"))
    lots = models.JSONField(_("batches / serials"), default=list, blank=True)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=TransferStatus.choices,
        default=TransferStatus.IN_TRANSIT,
    )
    note = models.CharField(_("note"), max_length=255, blank=True)
    shipped_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("shipped by"),
    )
    shipped_at = models.DateTimeField(_("shipped at"))
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("received by"),
    )
    received_at = models.DateTimeField(_("received at"), null=True, blank=True)

    class Meta:
        ordering = ["-shipped_at", "-id"]
        verbose_name = _("transfer")
        verbose_name_plural = _("transfers")
        constraints = [
            models.CheckConstraint(
                condition=~Q(from_depot=F("to_depot")), name="transfer_distinct_depots"
            ),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="transfer_quantity_positive"),
        ]
        indexes = [models.Index(fields=["status", "to_depot"], name="transfer_status")]

    def __str__(self) -> str:
        return f"TR-{self.pk}"
