"""The admin for spare parts.

Catalogue data (parts, depots, suppliers) is edited here. Stock is not: balances and the
ledger are read-only, and every move, status change and count goes through
``spareparts.services`` (the logistics screens, or the admin actions below).
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.web import run_per_row
from spareparts import services
from spareparts.models import (
    Depot,
    LowStockAlert,
    Part,
    PurchaseEvent,
    PurchaseOrder,
    PurchaseOrderLine,
    PurchaseRequest,
    Receipt,
    ReceiptLine,
    StockBalance,
    StockMove,
    Stocktake,
    StocktakeLine,
    Supplier,
    Transfer,
    UnitReturn,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows written by the services only: visible, never added, changed or deleted here."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


def _run_each(modeladmin, request, queryset, fn, done: str) -> None:
    run_per_row(modeladmin, request, queryset, fn, done=lambda count: f"{done}: {count}")


@admin.register(Part)
class PartAdmin(admin.ModelAdmin):
    list_display = (
        "sku",
        "name",
        "name_zh",
        "category",
        "tracking",
        "unit_in_language",
        "unit_cost",
        "replaces_assets",
        "is_active",
    )
    list_filter = ("category", "tracking", "is_active")
    search_fields = ("sku", "name", "name_zh")
    list_editable = ("is_active",)

    @admin.display(description=_("unit"), ordering="unit")
    def unit_in_language(self, obj: Part) -> str:
        return obj.unit_label

    def has_delete_permission(self, request, obj=None):
        return False  # parts with a ledger are deactivated, not deleted


@admin.register(Depot)
class DepotAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "name_zh", "kind", "team", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("code", "name", "name_zh")
    autocomplete_fields = ("team",)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Supplier)
class SupplierAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "contact", "phone", "email", "is_active")
    search_fields = ("code", "name")
    list_filter = ("is_active",)


@admin.register(StockBalance)
class StockBalanceAdmin(ReadOnlyAdmin):
    list_display = (
        "part",
        "depot",
        "on_hand",
        "reserved",
        "available",
        "reorder_point",
        "reorder_quantity",
        "low_since",
    )
    list_filter = ("depot", ("low_since", admin.EmptyFieldListFilter))
    search_fields = ("part__sku", "part__name")
    list_select_related = ("part", "depot")
    show_full_result_count = False


@admin.register(StockMove)
class StockMoveAdmin(ReadOnlyAdmin):
    list_display = (
        "created_at",
        "kind",
        "part",
        "depot",
        "quantity",
        "on_hand_delta",
        "reserved_delta",
        "lot",
        "incident",
        "user",
        "reason",
    )
    list_filter = ("kind", "depot")
    search_fields = ("part__sku", "lot", "incident__number", "reason")
    list_select_related = ("part", "depot", "incident", "user")
    date_hierarchy = "created_at"
    show_full_result_count = False


@admin.register(Transfer)
class TransferAdmin(ReadOnlyAdmin):
    list_display = (
        "__str__",
        "part",
        "quantity",
        "from_depot",
        "to_depot",
        "status",
        "shipped_at",
        "received_at",
    )
    list_filter = ("status",)
    search_fields = ("part__sku",)
    actions = ["receive", "cancel"]

    @admin.action(description=_("Receive the selected transfers"))
    def receive(self, request, queryset):
        _run_each(
            self,
            request,
            queryset,
            lambda t: services.receive_transfer(t, actor=request.user),
            _("Received"),
        )

    @admin.action(description=_("Cancel the selected transfers (back to the source)"))
    def cancel(self, request, queryset):
        _run_each(
            self,
            request,
            queryset,
            lambda t: services.cancel_transfer(t, actor=request.user),
            _("Cancelled"),
        )


class PurchaseEventInline(ReadOnlyInline):
    model = PurchaseEvent
    fields = ("created_at", "status_label", "actor", "text_display")
    readonly_fields = fields

    @admin.display(description=_("status"))
    def status_label(self, obj):
        return obj.status_label

    @admin.display(description=_("text"))
    def text_display(self, obj):
        return obj.text_display


class OrderLineInline(ReadOnlyInline):
    model = PurchaseOrderLine
    fields = ("part", "quantity", "unit_price", "accepted", "rejected")
    readonly_fields = fields


@admin.register(PurchaseRequest)
class PurchaseRequestAdmin(ReadOnlyAdmin):
    list_display = (
        "__str__",
        "part",
        "depot",
        "quantity",
        "source",
        "status",
        "incident",
        "created_at",
    )
    list_filter = ("status", "source")
    search_fields = ("part__sku", "incident__number")
    inlines = [PurchaseEventInline]
    actions = ["submit", "cancel"]

    @admin.action(description=_("Submit the selected requests"))
    def submit(self, request, queryset):
        _run_each(
            self,
            request,
            queryset,
            lambda r: services.submit_purchase_request(r, actor=request.user),
            _("Submitted"),
        )

    @admin.action(description=_("Cancel the selected requests"))
    def cancel(self, request, queryset):
        _run_each(
            self,
            request,
            queryset,
            lambda r: services.cancel_purchase_request(r, actor=request.user),
            _("Cancelled"),
        )


@admin.register(PurchaseOrder)
class PurchaseOrderAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "supplier", "depot", "status", "created_at", "placed_at")
    list_filter = ("status", "supplier")
    inlines = [OrderLineInline, PurchaseEventInline]
    actions = ["place"]

    @admin.action(description=_("Place the selected orders"))
    def place(self, request, queryset):
        _run_each(
            self,
            request,
            queryset,
            lambda o: services.place_order(o, actor=request.user),
            _("Placed"),
        )


class ReceiptLineInline(ReadOnlyInline):
    model = ReceiptLine
    fields = ("order_line", "accepted", "rejected", "rejection_reason", "lots")
    readonly_fields = fields


@admin.register(Receipt)
class ReceiptAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "order", "received_at", "received_by", "note")
    inlines = [ReceiptLineInline]


class StocktakeLineInline(ReadOnlyInline):
    model = StocktakeLine
    fields = ("part", "expected", "counted")
    readonly_fields = fields


@admin.register(Stocktake)
class StocktakeAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "depot", "status", "created_at", "posted_at", "reason")
    list_filter = ("status", "depot")
    inlines = [StocktakeLineInline]


@admin.register(LowStockAlert)
class LowStockAlertAdmin(ReadOnlyAdmin):
    list_display = (
        "created_at",
        "balance",
        "available",
        "reorder_point",
        "request",
        "acknowledged_at",
        "acknowledged_by",
    )
    list_filter = (("acknowledged_at", admin.EmptyFieldListFilter),)
    list_select_related = ("balance__part", "balance__depot", "request")
    actions = ["acknowledge"]

    @admin.action(description=_("Acknowledge the selected alerts"))
    def acknowledge(self, request, queryset):
        _run_each(
            self,
            request,
            queryset,
            lambda a: services.acknowledge_alert(a, actor=request.user),
            _("Acknowledged"),
        )


@admin.register(UnitReturn)
class UnitReturnAdmin(ReadOnlyAdmin):
    list_display = ("incident", "part", "serial", "depot", "status", "opened_at", "received_at")
    list_filter = ("status",)
    search_fields = ("serial", "incident__number")
    actions = ["received"]

    @admin.action(description=_("Mark the failed units received"))
    def received(self, request, queryset):
        _run_each(
            self,
            request,
            queryset,
            lambda r: services.receive_failed_unit(r, actor=request.user),
            _("Received"),
        )
