"""Stock by depot, a part's page (balances, ledger, adjust, reorder levels), alerts."""

from django.contrib.auth.decorators import login_required, permission_required
from django.db.models import Sum
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.web import run_service
from spareparts import services
from spareparts.filtersets import StockFilterSet
from spareparts.forms import AdjustForm, ReorderForm
from spareparts.models import Depot, LowStockAlert, Part, StockBalance, TransferStatus
from spareparts.views.common import back, form_errors, paginate


@login_required
@permission_required("spareparts.view_stockbalance", raise_exception=True)
def stock(request):
    """Stock by depot. Without a depot: parts x depots (available per cell); with one: the
    depot's balances in detail. Low stock stands out either way."""
    filterset = StockFilterSet(request.GET or None, queryset=Part.objects.all())
    parts = filterset.qs if filterset.is_bound and filterset.is_valid() else Part.objects.all()
    depot = filterset.form.cleaned_data.get("depot") if filterset.is_bound else None
    depots = [depot] if depot else list(Depot.objects.filter(is_active=True))
    page = paginate(request, parts.order_by("sku"))
    cells = {
        (b.part_id, b.depot_id): b
        for b in StockBalance.objects.filter(part__in=[p.pk for p in page], depot__in=depots).only(
            "part_id",
            "depot_id",
            "on_hand",
            "reserved",
            "available",
            "reorder_point",
            "reorder_quantity",
        )
    }
    rows = []
    labels = (escape(_("on hand")), escape(_("reserved")), escape(_("reorder point")))
    for p in page:
        row = [cells.get((p.pk, d.pk)) for d in depots]
        html = mark_safe("".join(_cell(b, labels) for b in row))  # noqa: S308 - escaped in _cell
        rows.append((p, row, sum(b.available for b in row if b), html))
    query = request.GET.copy()
    query.pop("page", None)
    # Open alerts of balances that are still low (a restocked one has answered itself).
    alerts = LowStockAlert.objects.filter(
        acknowledged_at__isnull=True, balance__low_since__isnull=False
    ).select_related("balance__part", "balance__depot", "request")[:8]
    return render(
        request,
        "spareparts/stock.html",
        {
            "filter": filterset,
            "page": page,
            "rows": rows,
            "depots": depots,
            "depot": depot,
            "querystring": query.urlencode(),
            "alerts": alerts,
            "low_count": StockBalance.objects.filter(low_since__isnull=False).count(),
        },
    )


def _cell(b, labels) -> str:
    """One cell of the parts x depots matrix. Built in Python: a page has 1,000 of them and
    the template engine would spend most of the page's time on them. Only integers and the
    escaped ``labels`` go in."""
    if b is None:
        return '<td class="cell zero">-</td>'
    low = b.reorder_point > 0 and b.available < b.reorder_point
    cls = "cell low" if low else ("cell" if b.available else "cell zero")
    title = f"{labels[0]} {b.on_hand} · {labels[1]} {b.reserved}"
    if b.reorder_point:
        title += f" · {labels[2]} {b.reorder_point}"
    sub = f'<span class="sub">{b.on_hand} \u2212 {b.reserved}</span>' if b.reserved else ""
    return f'<td class="{cls}" title="{title}">{int(b.available)}{sub}</td>'


@login_required
@permission_required("spareparts.view_part", raise_exception=True)
def part_detail(request, pk: int):
    part = get_object_or_404(Part, pk=pk)
    balances = part.balances.select_related("depot").order_by("depot__kind", "depot__code")
    moves = part.moves.select_related("depot", "incident", "user").order_by("-created_at", "-id")
    totals = balances.aggregate(
        on_hand=Sum("on_hand"), reserved=Sum("reserved"), available=Sum("available")
    )
    return render(
        request,
        "spareparts/part.html",
        {
            "part": part,
            "balances": balances,
            "page": paginate(request, moves),
            "totals": totals,
            "in_transit": part.transfers.filter(status=TransferStatus.IN_TRANSIT).select_related(
                "from_depot", "to_depot"
            ),
            "adjust_form": AdjustForm(),
            "reorder_form": ReorderForm(),
        },
    )


@login_required
@require_POST
def part_adjust(request, pk: int):
    part = get_object_or_404(Part, pk=pk)
    form = AdjustForm(request.POST)
    if form.is_valid():
        run_service(
            request,
            lambda: services.adjust_stock(part=part, actor=request.user, **form.cleaned_data),
            _("Stock adjusted."),
        )
    else:
        form_errors(request, form)
    return redirect("spareparts:part", pk=part.pk)


@login_required
@require_POST
def part_reorder(request, pk: int):
    part = get_object_or_404(Part, pk=pk)
    form = ReorderForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        balance = get_object_or_404(StockBalance, part=part, depot=d["depot"])
        run_service(
            request,
            lambda: services.set_reorder_levels(
                balance,
                reorder_point=d["reorder_point"],
                reorder_quantity=d["reorder_quantity"],
                actor=request.user,
            ),
            _("Reorder levels saved."),
        )
    else:
        form_errors(request, form)
    return redirect("spareparts:part", pk=part.pk)


@login_required
@require_POST
def alert_ack(request, pk: int):
    alert = get_object_or_404(LowStockAlert, pk=pk)
    run_service(
        request,
        lambda: services.acknowledge_alert(alert, actor=request.user),
        _("Alert acknowledged."),
    )
    return back(request, reverse("spareparts:stock"))
