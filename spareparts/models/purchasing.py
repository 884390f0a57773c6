"""Purchasing: requests, orders and their lines and events, receipts, and the low-stock
alerts that start a request."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import override

from spareparts.models.catalogue import Depot, Part, Supplier
from spareparts.models.stock import StockBalance


class RequestStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    ORDERED = "ordered", _("Ordered")
    CANCELLED = "cancelled", _("Cancelled")


class RequestSource(models.TextChoices):
    LOW_STOCK = "low_stock", _("Low-stock alert")
    JOB = "job", _("Job")
    MANUAL = "manual", _("Manual")


class PurchaseRequest(models.Model):
    part = models.ForeignKey(
        Part, on_delete=models.PROTECT, related_name="purchase_requests", verbose_name=_("part")
    )
    depot = models.ForeignKey(
        Depot, on_delete=models.PROTECT, related_name="+", verbose_name=_("for depot")
    )
    quantity = models.PositiveIntegerField(_("quantity"))
    source = models.CharField(_("source"), max_length=10, choices=RequestSource.choices)
    incident = models.ForeignKey(
        "incidents.Incident",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("incident"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=RequestStatus.choices, default=RequestStatus.DRAFT
    )
    note = models.CharField(_("note"), max_length=255, blank=True)
    order_line = models.ForeignKey(
        "PurchaseOrderLine",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="requests",
        verbose_name=_("purchase order line"),
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("purchase request")
        verbose_name_plural = _("purchase requests")
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="request_quantity_positive"),
        ]

    def __str__(self) -> str:
        return f"PR-{self.pk}"


class OrderStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PLACED = "placed", _("Placed")
    PARTIAL = "partial", _("Partially received")
    RECEIVED = "received", _("Received")
    CANCELLED = "cancelled", _("Cancelled")


class PurchaseOrder(models.Model):
    supplier = models.ForeignKey(
        Supplier, on_delete=models.PROTECT, related_name="orders", verbose_name=_("supplier")
    )
    depot = models.ForeignKey(
        Depot, on_delete=models.PROTECT, related_name="+", verbose_name=_("deliver to")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=OrderStatus.choices, default=OrderStatus.DRAFT
    )
    note = models.CharField(_("note"), max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"))
    placed_at = models.DateTimeField(_("placed at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("purchase order")
        verbose_name_plural = _("purchase orders")
        indexes = [models.Index(fields=["status", "-created_at"], name="order_status")]

    def __str__(self) -> str:
        return f"PO-{self.pk}"


class PurchaseOrderLine(models.Model):
    order = models.ForeignKey(
        PurchaseOrder,
        on_delete=models.CASCADE,
        related_name="lines",
        verbose_name=_("purchase order"),
    )
    part = models.ForeignKey(
        Part, on_delete=models.PROTECT, related_name="+", verbose_name=_("part")
    )
    quantity = models.PositiveIntegerField(_("ordered"))
    unit_price = models.DecimalField(_("unit price"), max_digits=12, decimal_places=2, default=0)
    accepted = models.PositiveIntegerField(_("accepted"), default=0)
    rejected = models.PositiveIntegerField(_("rejected"), default=0)

    class Meta:
        ordering = ["id"]
        verbose_name = _("purchase order line")
        verbose_name_plural = _("purchase order lines")
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="line_quantity_positive"),
            models.CheckConstraint(
                condition=Q(accepted__lte=F("quantity") - F("rejected")),
                name="line_not_over_received",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order} · {self.part.sku} x {self.quantity}"

    @property
    def outstanding(self) -> int:
        return self.quantity - self.accepted - self.rejected


class PurchaseEvent(models.Model):
    """Status history of purchase requests and orders."""

    request = models.ForeignKey(
        PurchaseRequest,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("purchase request"),
    )
    order = models.ForeignKey(
        PurchaseOrder,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("purchase order"),
    )
    status = models.CharField(_("status"), max_length=10)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    created_at = models.DateTimeField(_("time"))
    text = models.CharField(_("text"), max_length=255, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("purchasing event")
        verbose_name_plural = _("purchasing events")
        constraints = [
            models.CheckConstraint(
                condition=Q(request__isnull=False) | Q(order__isnull=False),
                name="purchase_event_has_subject",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order or self.request}: {self.status_label}"

    @property
    def status_label(self) -> str:
        choices = OrderStatus if self.order_id else RequestStatus
        return str(dict(choices.choices).get(self.status, self.status))

    @property
    def text_display(self) -> str:
        """``text`` in the reader's language where the system wrote it: a new request's
        source is stored as its code (rows from before: its English label)."""
        if self.request_id and self.status == RequestStatus.DRAFT:
            with override("en"):
                by_label = {str(source.label): source for source in RequestSource}
            source = (
                RequestSource(self.text)
                if self.text in RequestSource.values
                else by_label.get(self.text)
            )
            if source is not None:
                return str(source.label)
        return self.text


class Receipt(models.Model):
    """Goods received against a purchase order, after incoming inspection (进货检验)."""

    order = models.ForeignKey(
        PurchaseOrder,
        on_delete=models.PROTECT,
        related_name="receipts",
        verbose_name=_("purchase order"),
    )
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("received by"),
    )
    received_at = models.DateTimeField(_("received at"))
    note = models.CharField(_("note"), max_length=255, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("receipt")
        verbose_name_plural = _("receipts")

    def __str__(self) -> str:
        return f"GR-{self.pk}"


class ReceiptLine(models.Model):
    receipt = models.ForeignKey(
        Receipt,
        on_delete=models.CASCADE,
        related_name="lines",
        verbose_name=_("receipt"),
    )
    order_line = models.ForeignKey(
        PurchaseOrderLine,
        on_delete=models.PROTECT,
        related_name="receipt_lines",
        verbose_name=_("purchase order line"),
    )
    accepted = models.PositiveIntegerField(_("accepted"))
    rejected = models.PositiveIntegerField(_("rejected"), default=0)
    rejection_reason = models.CharField(_("rejection reason"), max_length=255, blank=True)
    lots = models.JSONField(_("batches / serials"), default=list, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("receipt line")
        verbose_name_plural = _("receipt lines")
        constraints = [
            models.CheckConstraint(
                condition=Q(rejected=0) | ~Q(rejection_reason=""),
                name="receipt_rejection_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.receipt_id}: {self.accepted}/{self.rejected}"


class LowStockAlert(models.Model):
    """Raised once per crossing below the reorder point (the in-app list for logistics)."""

    balance = models.ForeignKey(
        StockBalance,
        on_delete=models.CASCADE,
        related_name="alerts",
        verbose_name=_("stock balance"),
    )
    available = models.IntegerField(_("available"))
    reorder_point = models.PositiveIntegerField(_("reorder point"))
    created_at = models.DateTimeField(_("raised at"))
    request = models.ForeignKey(
        PurchaseRequest,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="alerts",
        verbose_name=_("purchase request"),
    )
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("acknowledged by"),
    )
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("low-stock alert")
        verbose_name_plural = _("low-stock alerts")
        indexes = [models.Index(fields=["acknowledged_at", "-created_at"], name="alert_open")]

    def __str__(self) -> str:
        return f"{self.balance}: {self.available} < {self.reorder_point}"
