"""Stock: one balance row per part x depot, and the append-only ledger (``StockMove``)
whose deltas every balance equals."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from core.models import AppendOnlyMixin
from spareparts.models.catalogue import Depot, Part
from spareparts.querysets import BalanceQuerySet, StockMoveQuerySet


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
