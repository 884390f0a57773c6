"""Stocktakes: a depot's count sheet and its lines."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from spareparts.models.catalogue import Depot, Part


class StocktakeStatus(models.TextChoices):
    OPEN = "open", _("Counting")
    POSTED = "posted", _("Posted")
    CANCELLED = "cancelled", _("Cancelled")


class Stocktake(models.Model):
    """A count sheet (盘点) for one depot: the book quantity at opening, the counted
    quantity; posting turns each difference into an adjustment with the reason."""

    depot = models.ForeignKey(
        Depot, on_delete=models.PROTECT, related_name="stocktakes", verbose_name=_("depot")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=StocktakeStatus.choices, default=StocktakeStatus.OPEN
    )
    reason = models.CharField(_("reason"), max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("opened at"))
    posted_at = models.DateTimeField(_("posted at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("stocktake")
        verbose_name_plural = _("stocktakes")

    def __str__(self) -> str:
        return f"ST-{self.pk}"


class StocktakeLine(models.Model):
    stocktake = models.ForeignKey(
        Stocktake,
        on_delete=models.CASCADE,
        related_name="lines",
        verbose_name=_("stocktake"),
    )
    part = models.ForeignKey(
        Part, on_delete=models.PROTECT, related_name="+", verbose_name=_("part")
    )
    expected = models.IntegerField(_("book quantity"))
    counted = models.IntegerField(_("counted"), null=True, blank=True)

    class Meta:
        ordering = ["part__sku"]
        verbose_name = _("stocktake line")
        verbose_name_plural = _("stocktake lines")
        constraints = [
            models.UniqueConstraint(fields=["stocktake", "part"], name="stocktake_line_unique"),
            models.CheckConstraint(
                condition=Q(counted__isnull=True) | Q(counted__gte=0),
                name="stocktake_counted_gte_0",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.stocktake_id}: {self.part_id}"

    @property
    def difference(self) -> int | None:
        return None if self.counted is None else self.counted - self.expected
