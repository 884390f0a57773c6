"""Spare parts: the catalogue, depots, per part x depot balances and the stock ledger.

The ledger (``StockMove``) is append-only and is the truth: every balance equals the sum of
its moves' deltas (``on_hand_delta`` and ``reserved_delta``). Balances are the fast read and
the row that concurrent reservations race on; their CHECK constraints make negative on-hand,
negative reserved and over-reservation impossible. Only ``spareparts.services`` writes them.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext, gettext_noop, override, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from core.models import (  # noqa: F401 - AppendOnlyError is re-exported
    AppendOnlyError,
    AppendOnlyMixin,
    BilingualNameMixin,
)
from spareparts.querysets import BalanceQuerySet, StockMoveQuerySet


class Localised(BilingualNameMixin, models.Model):
    name = models.CharField(_("name"), max_length=160)
    name_zh = models.CharField(_("Chinese name"), max_length=160, blank=True)

    class Meta:
        abstract = True


class PartCategory(models.TextChoices):
    BATTERY = "battery", _("Battery pack")
    CHARGER = "charger", _("Charger")
    CONTROLLER = "controller", _("Motor controller")
    TYRE = "tyre", _("Tyre")
    TOOL = "tool", _("Diagnostic tool")
    UNIT = "unit", _("Whole unit (replacement)")
    OTHER = "other", _("Other")


class Tracking(models.TextChoices):
    NONE = "none", _("No tracking")
    BATCH = "batch", _("By batch")
    SERIAL = "serial", _("By serial number")


# The usual units of measure, shown in the reader's language; any other unit as typed.
UNIT_LABELS = {
    "pcs": pgettext_lazy("unit of measure", "pcs"),
    "set": pgettext_lazy("unit of measure", "set"),
    "pair": pgettext_lazy("unit of measure", "pair"),
}


class Part(Localised):
    sku = models.CharField(_("SKU"), max_length=40, unique=True)
    category = models.CharField(
        _("category"), max_length=12, choices=PartCategory.choices, default=PartCategory.OTHER
    )
    unit = models.CharField(
        _("unit"), max_length=12, default="pcs", help_text=_("Unit of measure: pcs, set, pair …")
    )
    tracking = models.CharField(
        _("tracking"), max_length=8, choices=Tracking.choices, default=Tracking.NONE
    )
    unit_cost = models.DecimalField(_("unit cost"), max_digits=12, decimal_places=2, default=0)
    replaces_assets = models.CharField(
        _("replacement unit for assets starting with"),
        max_length=64,
        blank=True,
        help_text=_(
            "For whole units: an emergency unit-replacement job whose VIN / serial "
            "starts with this prefix gets this part reserved. Empty: not a "
            "replacement unit."
        ),
    )
    default_reorder_point = models.PositiveIntegerField(_("default reorder point"), default=0)
    default_reorder_quantity = models.PositiveIntegerField(_("default reorder quantity"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["sku"]
        verbose_name = _("part")
        verbose_name_plural = _("parts")
        permissions = [
            ("move_stock", _("Can receive, transfer and adjust stock")),
            ("reserve_part", _("Can reserve, issue and return parts for incidents")),
            ("record_parts_used", _("Can record parts used on own jobs")),
            ("manage_purchasing", _("Can manage purchase requests and orders")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(tracking__in=["none", "batch", "serial"]), name="part_tracking_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sku} {self.label}"

    @property
    def unit_label(self) -> str:
        return str(UNIT_LABELS.get(self.unit, self.unit))


class DepotKind(models.TextChoices):
    HQ = "hq", _("HQ depot")
    SERVICE_CENTRE = "service_centre", _("Service-centre depot")


class Depot(Localised):  # noqa: DJ008 - __str__ is BilingualNameMixin's
    code = models.SlugField(_("code"), max_length=30, unique=True)
    kind = models.CharField(
        _("kind"), max_length=16, choices=DepotKind.choices, default=DepotKind.SERVICE_CENTRE
    )
    team = models.ForeignKey(
        "teams.Team",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="depots",
        verbose_name=_("service centre"),
        help_text=_("The service centre this depot supplies first."),
    )
    address = models.CharField(_("address"), max_length=255, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["kind", "code"]
        verbose_name = _("depot")
        verbose_name_plural = _("depots")


class Supplier(models.Model):
    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=160)
    contact = models.CharField(_("contact person"), max_length=120, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("email"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("supplier")
        verbose_name_plural = _("suppliers")

    def __str__(self) -> str:
        return self.name


class StockBalance(models.Model):
    """One row per part x depot, created with the part or the depot (never on first use):
    a reservation is a guarded UPDATE of this row, so PostgreSQL's missing gap locks cannot
    let two first reservations both pass."""

    # db_index=False: balance_one_per_part_depot leads with part, balance_depot_part with
    # depot.
    part = models.ForeignKey(
        Part,
        on_delete=models.CASCADE,
        related_name="balances",
        verbose_name=_("part"),
        db_index=False,
    )
    depot = models.ForeignKey(
        Depot,
        on_delete=models.CASCADE,
        related_name="balances",
        verbose_name=_("depot"),
        db_index=False,
    )
    on_hand = models.IntegerField(_("on hand"), default=0)
    reserved = models.IntegerField(_("reserved"), default=0)
    available = models.GeneratedField(
        expression=F("on_hand") - F("reserved"),
        output_field=models.IntegerField(),
        db_persist=True,
        verbose_name=_("available"),
    )
    reorder_point = models.PositiveIntegerField(_("reorder point"), default=0)
    reorder_quantity = models.PositiveIntegerField(_("reorder quantity"), default=0)
    # Set when available fell below the reorder point, cleared when it rose back: the alert
    # fires on the transition only, once per crossing.
    low_since = models.DateTimeField(_("low since"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), null=True, blank=True)

    objects = BalanceQuerySet.as_manager()

    class Meta:
        ordering = ["part__sku", "depot__code"]
        verbose_name = _("stock balance")
        verbose_name_plural = _("stock balances")
        constraints = [
            models.UniqueConstraint(fields=["part", "depot"], name="balance_one_per_part_depot"),
            models.CheckConstraint(condition=Q(on_hand__gte=0), name="balance_on_hand_gte_0"),
            models.CheckConstraint(condition=Q(reserved__gte=0), name="balance_reserved_gte_0"),
            models.CheckConstraint(
                condition=Q(reserved__lte=F("on_hand")), name="balance_reserved_lte_on_hand"
            ),
        ]
        indexes = [
            models.Index(fields=["depot", "part"], name="balance_depot_part"),
            models.Index(
                fields=["part", "depot"], name="balance_low", condition=Q(low_since__isnull=False)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.part.sku} · {self.depot.label}"

    @property
    def is_low(self) -> bool:
        return self.reorder_point > 0 and (self.on_hand - self.reserved) < self.reorder_point


class MoveKind(models.TextChoices):
    RECEIVE = "receive", _("Receive")
    RESERVE = "reserve", _("Reserve")
    RELEASE = "release", _("Release")
    ISSUE = "issue", _("Issue")
    RETURN = "return", _("Return")
    TRANSFER_OUT = "transfer_out", _("Transfer out")
    TRANSFER_IN = "transfer_in", _("Transfer in")
    ADJUST = "adjust", _("Adjust")


# Reasons the system gives its own moves: stored as these English message ids and shown in
# the reader's language (``StockMove.reason_display``).
# A reservation let go because the job used the part from another depot (issue_part).
USED_ELSEWHERE = gettext_noop("Used from another depot")
SYSTEM_REASONS = frozenset(
    {
        gettext_noop("Incident cancelled"),
        gettext_noop("Incident closed"),
        gettext_noop("Transfer cancelled"),
        USED_ELSEWHERE,
    }
)


def reason_in_language(reason: str) -> str:
    return gettext(reason) if reason in SYSTEM_REASONS else reason


class StockMove(AppendOnlyMixin, models.Model):
    """One entry of the append-only stock ledger. ``quantity`` is what moved (positive);
    the deltas are what it did to the balance."""

    append_only_label = "Stock moves"

    # The ledger takes a row for every move, a reservation's while the hot balance row is
    # locked: it keeps no index another one already leads with (part: move_part_ledger;
    # incident: move_incident), and indexes the links most moves lack only where set.
    part = models.ForeignKey(
        Part,
        on_delete=models.PROTECT,
        related_name="moves",
        verbose_name=_("part"),
        db_index=False,
    )
    depot = models.ForeignKey(
        Depot, on_delete=models.PROTECT, related_name="moves", verbose_name=_("depot")
    )
    kind = models.CharField(_("kind"), max_length=12, choices=MoveKind.choices)
    quantity = models.PositiveIntegerField(_("quantity"))
    on_hand_delta = models.IntegerField(_("on-hand change"), default=0)
    reserved_delta = models.IntegerField(_("reserved change"), default=0)
    lot = models.CharField(_("batch / serial"), max_length=64, blank=True)
    incident = models.ForeignKey(
        "incidents.Incident",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="stock_moves",
        verbose_name=_("incident"),
        db_index=False,
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("user"),
    )
    created_at = models.DateTimeField(_("time"))
    reason = models.CharField(_("reason"), max_length=255, blank=True)
    transfer = models.ForeignKey(
        "Transfer",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="moves",
        db_index=False,
        verbose_name=_("transfer"),
    )
    receipt_line = models.ForeignKey(
        "ReceiptLine",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="moves",
        db_index=False,
        verbose_name=_("receipt line"),
    )
    stocktake = models.ForeignKey(
        "Stocktake",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="moves",
        db_index=False,
        verbose_name=_("stocktake"),
    )

    objects = StockMoveQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("stock move")
        verbose_name_plural = _("stock moves")
        indexes = [
            models.Index(fields=["part", "created_at", "id"], name="move_part_ledger"),
            models.Index(
                fields=["incident", "part", "depot"],
                name="move_incident",
                condition=Q(incident__isnull=False),
            ),
            models.Index(fields=["lot"], name="move_lot", condition=~Q(lot="")),
            *(
                models.Index(
                    fields=[link], name=f"move_{link}", condition=Q(**{f"{link}__isnull": False})
                )
                for link in ("transfer", "receipt_line", "stocktake")
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="move_quantity_positive"),
            models.CheckConstraint(
                condition=Q(kind__in=[k.value for k in MoveKind]), name="move_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.quantity} x {self.part_id} @ {self.depot_id}"

    @property
    def reason_display(self) -> str:
        return reason_in_language(self.reason)


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
            source = RequestSource._value2member_map_.get(self.text) or by_label.get(self.text)
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
