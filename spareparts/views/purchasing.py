"""Purchasing: requests, drafting an order, an order's page with incoming inspection."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.web import SERVICE_ERRORS, error_text, run_service
from spareparts import services
from spareparts.filtersets import PurchaseOrderFilterSet
from spareparts.forms import OrderForm, ReceiptForm
from spareparts.models import OrderStatus, PurchaseOrder, PurchaseRequest, RequestStatus
from spareparts.views.common import back, form_errors, paginate, run_action, sku_suggestions

PENDING_REQUESTS = (RequestStatus.DRAFT, RequestStatus.SUBMITTED)
ORDER_ACTIONS = {
    "place": (services.place_order, gettext_lazy("Order placed with the supplier.")),
    "cancel": (services.cancel_order, gettext_lazy("Order cancelled.")),
}
REQUEST_ACTIONS = {
    "submit": (services.submit_purchase_request, gettext_lazy("Request submitted.")),
    "cancel": (services.cancel_purchase_request, gettext_lazy("Request cancelled.")),
}


def _draft_order(request, form, chosen):
    """The "Draft order" button: the ticked requests plus the manual line when one was
    typed. A domain error goes on the form, beside the button. The order or None."""
    d = form.cleaned_data
    lines = [(d["part"], d["quantity"], d.get("unit_price"))] if d.get("part") else []
    try:
        order = services.create_purchase_order(
            supplier=d["supplier"],
            depot=d["depot"],
            lines=lines,
            requests=chosen,
            note=d["note"],
            actor=request.user,
        )
    except SERVICE_ERRORS as exc:
        form.add_error(None, error_text(exc))
        return None
    messages.success(request, _("Purchase order PO-%(n)s drafted.") % {"n": order.pk})
    return order


@login_required
@permission_required("spareparts.view_purchaseorder", raise_exception=True)
def orders(request):
    form = OrderForm(request.POST or None)
    ticked: set[int] = set()
    if request.method == "POST":
        ticked = {int(i) for i in request.POST.getlist("requests") if i.isdigit()}
        chosen = list(
            PurchaseRequest.objects.filter(
                pk__in=ticked, status__in=PENDING_REQUESTS
            ).select_related("part")
        )
        if form.is_valid() and (order := _draft_order(request, form, chosen)):
            return redirect("spareparts:order", pk=order.pk)
    filterset = PurchaseOrderFilterSet(
        request.GET,
        queryset=PurchaseOrder.objects.select_related("supplier", "depot")
        .annotate(n_lines=Count("lines"))
        .order_by("-created_at", "-id"),
    )
    pending = PurchaseRequest.objects.filter(status__in=PENDING_REQUESTS).select_related(
        "part", "depot", "incident"
    )[:100]
    return render(
        request,
        "spareparts/orders.html",
        {
            "form": form,
            "filter": filterset,
            "page": paginate(request, filterset.rows),
            "pending": pending,
            "ticked": ticked,
            "skus": sku_suggestions(),
        },
    )


@login_required
@permission_required("spareparts.view_purchaseorder", raise_exception=True)
def order_detail(request, pk: int):
    order = get_object_or_404(PurchaseOrder.objects.select_related("supplier", "depot"), pk=pk)
    lines = order.lines.select_related("part")
    if request.method == "POST":
        form = ReceiptForm(request.POST, lines=lines)
        if not form.is_valid():
            form_errors(request, form)
        elif run_service(
            request,
            lambda: services.receive_order(
                order,
                lines=[services.InspectedLine(*row) for row in form.inspected()],
                note=form.cleaned_data["note"],
                actor=request.user,
            ),
            _("Receipt recorded."),
        ):
            return redirect("spareparts:order", pk=order.pk)
    return render(
        request,
        "spareparts/order.html",
        {
            "order": order,
            "lines": lines,
            "receipts": order.receipts.prefetch_related("lines__order_line__part"),
            "events": order.events.select_related("actor"),
            "receivable": order.status in (OrderStatus.PLACED, OrderStatus.PARTIAL),
        },
    )


@login_required
@require_POST
def order_action(request, pk: int, action: str):
    order = get_object_or_404(PurchaseOrder, pk=pk)
    run_action(request, ORDER_ACTIONS, action, order)
    return redirect("spareparts:order", pk=order.pk)


@login_required
@require_POST
def request_action(request, pk: int, action: str):
    run_action(request, REQUEST_ACTIONS, action, get_object_or_404(PurchaseRequest, pk=pk))
    return back(request, reverse("spareparts:orders"))
