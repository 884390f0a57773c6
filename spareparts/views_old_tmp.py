# ruff: noqa: RUF001 - messages print quantities with the multiplication sign on purpose
"""Logistics screens and the incident/job parts panels' actions. Thin: form → service."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, F, Q, Sum
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import escape
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.exceptions import Conflict
from incidents.models import Incident
from spareparts import panels, services
from spareparts.exceptions import StocktakeNeedsConfirmation
from spareparts.filtersets import StockFilterSet
from spareparts.forms import (
    AdjustForm,
    OrderForm,
    PostStocktakeForm,
    ReorderForm,
    StocktakeForm,
    TraceForm,
    TransferForm,
    split_lots,
)
from spareparts.models import (
    Depot,
    LowStockAlert,
    MoveKind,
    OrderStatus,
    Part,
    PurchaseOrder,
    PurchaseRequest,
    RequestStatus,
    StockBalance,
    Stocktake,
    StocktakeStatus,
    Transfer,
    TransferStatus,
    UnitReturn,
)

PAGE_SIZE = 50


def _error_text(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc) or _("You are not allowed to do this.")


def _run(request, fn, success: str) -> bool:
    """Call a service; turn domain errors into a message. True when it worked."""
    try:
        fn()
    except (Conflict, PermissionDenied, ValidationError) as exc:
        messages.error(request, _error_text(exc))
        return False
    messages.success(request, success)
    return True


def _form_errors(request, form) -> None:
    messages.error(
        request,
        " ".join(
            f"{form.fields[f].label if f in form.fields else ''}: {e}".lstrip(": ")
            for f, errs in form.errors.items()
            for e in errs
        ),
    )


def _back(request, default: str):
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect(default)


# --- stock ------------------------------------------------------------------------------


@login_required
@permission_required("spareparts.view_stockbalance", raise_exception=True)
def stock(request):
    """Stock by depot. Without a depot: parts x depots (available per cell); with one: the
    depot's balances in detail. Low stock stands out either way."""
    filterset = StockFilterSet(request.GET or None, queryset=Part.objects.all())
    parts = filterset.qs if filterset.is_bound and filterset.is_valid() else Part.objects.all()
    depot = filterset.form.cleaned_data.get("depot") if filterset.is_bound else None
    depots = [depot] if depot else list(Depot.objects.filter(is_active=True))
    page = Paginator(parts.order_by("sku"), PAGE_SIZE).get_page(request.GET.get("page"))
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


def _sku_suggestions() -> list[str]:
    return list(
        Part.objects.filter(is_active=True).order_by("sku").values_list("sku", flat=True)[:300]
    )


@login_required
@permission_required("spareparts.view_part", raise_exception=True)
def part_detail(request, pk: int):
    part = get_object_or_404(Part, pk=pk)
    balances = part.balances.select_related("depot").order_by("depot__kind", "depot__code")
    moves = part.moves.select_related("depot", "incident", "user").order_by("-created_at", "-id")
    page = Paginator(moves, PAGE_SIZE).get_page(request.GET.get("page"))
    totals = balances.aggregate(
        on_hand=Sum("on_hand"), reserved=Sum("reserved"), available=Sum("available")
    )
    return render(
        request,
        "spareparts/part.html",
        {
            "part": part,
            "balances": balances,
            "page": page,
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
        d = form.cleaned_data
        _run(
            request,
            lambda: services.adjust_stock(
                part=part,
                depot=d["depot"],
                delta=d["delta"],
                reason=d["reason"],
                lots=d["lots"],
                actor=request.user,
            ),
            _("Stock adjusted."),
        )
    else:
        _form_errors(request, form)
    return redirect("spareparts:part", pk=part.pk)


@login_required
@require_POST
def part_reorder(request, pk: int):
    part = get_object_or_404(Part, pk=pk)
    form = ReorderForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        balance = get_object_or_404(StockBalance, part=part, depot=d["depot"])
        _run(
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
        _form_errors(request, form)
    return redirect("spareparts:part", pk=part.pk)


@login_required
@require_POST
def alert_ack(request, pk: int):
    alert = get_object_or_404(LowStockAlert, pk=pk)
    _run(
        request,
        lambda: services.acknowledge_alert(alert, actor=request.user),
        _("Alert acknowledged."),
    )
    return _back(request, reverse("spareparts:stock"))


# --- transfers --------------------------------------------------------------------------


@login_required
@permission_required("spareparts.view_transfer", raise_exception=True)
def transfers(request):
    form = TransferForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            if _run(
                request,
                lambda: services.ship_transfer(
                    part=d["part"],
                    from_depot=d["from_depot"],
                    to_depot=d["to_depot"],
                    quantity=d["quantity"],
                    lots=d["lots"],
                    note=d["note"],
                    actor=request.user,
                ),
                _("Transfer shipped: in transit."),
            ):
                return redirect("spareparts:transfers")
        else:
            _form_errors(request, form)
    status = request.GET.get("status") or TransferStatus.IN_TRANSIT
    qs = Transfer.objects.select_related("part", "from_depot", "to_depot")
    if status != "all":
        qs = qs.filter(status=status)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "spareparts/transfers.html",
        {
            "form": form,
            "page": page,
            "status": status,
            "statuses": TransferStatus.choices,
            "skus": _sku_suggestions(),
        },
    )


@login_required
@require_POST
def transfer_action(request, pk: int, action: str):
    transfer = get_object_or_404(Transfer, pk=pk)
    if action == "receive":
        _run(
            request,
            lambda: services.receive_transfer(transfer, actor=request.user),
            _("Transfer received."),
        )
    elif action == "cancel":
        _run(
            request,
            lambda: services.cancel_transfer(transfer, actor=request.user),
            _("Transfer cancelled: back in the source depot."),
        )
    else:
        raise Http404
    return redirect("spareparts:transfers")


# --- purchasing -------------------------------------------------------------------------


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
    except (Conflict, PermissionDenied, ValidationError) as exc:
        form.add_error(None, _error_text(exc))
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
                pk__in=ticked, status__in=[RequestStatus.DRAFT, RequestStatus.SUBMITTED]
            ).select_related("part")
        )
        if form.is_valid() and (order := _draft_order(request, form, chosen)):
            return redirect("spareparts:order", pk=order.pk)
    status = request.GET.get("status") or "open"
    qs = PurchaseOrder.objects.select_related("supplier", "depot").annotate(n_lines=Count("lines"))
    if status == "open":
        qs = qs.filter(status__in=[OrderStatus.DRAFT, OrderStatus.PLACED, OrderStatus.PARTIAL])
    elif status != "all":
        qs = qs.filter(status=status)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    pending = PurchaseRequest.objects.filter(
        status__in=[RequestStatus.DRAFT, RequestStatus.SUBMITTED]
    ).select_related("part", "depot", "incident")[:100]
    return render(
        request,
        "spareparts/orders.html",
        {
            "form": form,
            "page": page,
            "status": status,
            "pending": pending,
            "ticked": ticked,
            "statuses": OrderStatus.choices,
            "skus": _sku_suggestions(),
        },
    )


@login_required
@permission_required("spareparts.view_purchaseorder", raise_exception=True)
def order_detail(request, pk: int):
    order = get_object_or_404(PurchaseOrder.objects.select_related("supplier", "depot"), pk=pk)
    lines = order.lines.select_related("part")
    if request.method == "POST":
        inspected = []
        for line in lines:

            def num(name, line=line):
                raw = (request.POST.get(f"{name}-{line.pk}") or "0").strip()
                return int(raw) if raw.isdigit() else -1

            if num("accepted") or num("rejected"):
                inspected.append(
                    services.InspectedLine(
                        line,
                        num("accepted"),
                        num("rejected"),
                        request.POST.get(f"reason-{line.pk}", ""),
                        split_lots(request.POST.get(f"lots-{line.pk}", "")),
                    )
                )
        if _run(
            request,
            lambda: services.receive_order(
                order, lines=inspected, note=request.POST.get("note", ""), actor=request.user
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
    if action == "place":
        _run(
            request,
            lambda: services.place_order(order, actor=request.user),
            _("Order placed with the supplier."),
        )
    elif action == "cancel":
        _run(
            request, lambda: services.cancel_order(order, actor=request.user), _("Order cancelled.")
        )
    else:
        raise Http404
    return redirect("spareparts:order", pk=order.pk)


@login_required
@require_POST
def request_action(request, pk: int, action: str):
    req = get_object_or_404(PurchaseRequest, pk=pk)
    if action == "submit":
        _run(
            request,
            lambda: services.submit_purchase_request(req, actor=request.user),
            _("Request submitted."),
        )
    elif action == "cancel":
        _run(
            request,
            lambda: services.cancel_purchase_request(req, actor=request.user),
            _("Request cancelled."),
        )
    else:
        raise Http404
    return _back(request, reverse("spareparts:orders"))


# --- stocktakes -------------------------------------------------------------------------


@login_required
@permission_required("spareparts.view_stocktake", raise_exception=True)
def stocktakes(request):
    form = StocktakeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        created = {}

        def open_sheet():
            created["take"] = services.open_stocktake(
                depot=form.cleaned_data["depot"],
                reason=form.cleaned_data["reason"],
                actor=request.user,
            )

        if _run(request, open_sheet, _("Count sheet opened.")):
            return redirect("spareparts:stocktake", pk=created["take"].pk)
    qs = Stocktake.objects.select_related("depot", "created_by").annotate(
        n_lines=Count("lines"), n_counted=Count("lines", filter=Q(lines__counted__isnull=False))
    )
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "spareparts/stocktakes.html", {"form": form, "page": page})


def _stocktake_page(request, take, *, post_form=None, confirm=None):
    lines = take.lines.select_related("part")
    only_diff = request.GET.get("diff") == "1"
    if only_diff:
        lines = lines.exclude(counted__isnull=True).exclude(counted=F("expected"))
    page = Paginator(lines, 100).get_page(request.GET.get("page"))
    return render(
        request,
        "spareparts/stocktake.html",
        {
            "take": take,
            "page": page,
            "only_diff": only_diff,
            "editable": take.status == StocktakeStatus.OPEN,
            "post_form": post_form or PostStocktakeForm(),
            "confirm": confirm,
            "confirm_over": settings.SPAREPARTS_STOCKTAKE_CONFIRM_OVER,
        },
    )


@login_required
@permission_required("spareparts.view_stocktake", raise_exception=True)
def stocktake_detail(request, pk: int):
    take = get_object_or_404(Stocktake.objects.select_related("depot"), pk=pk)
    if request.method == "POST":
        lines = take.lines.all()
        if request.GET.get("diff") == "1":
            lines = lines.exclude(counted__isnull=True).exclude(counted=F("expected"))
        page = Paginator(lines, 100).get_page(request.GET.get("page"))
        counts = {}
        for line in page:
            raw = request.POST.get(f"count-{line.part_id}")
            if raw is None:
                continue
            raw = raw.strip()
            counts[line.part_id] = int(raw) if raw.isdigit() else None
        if _run(
            request,
            lambda: services.record_counts(take, counts, actor=request.user),
            _("Counts saved."),
        ):
            return redirect(f"{reverse('spareparts:stocktake', args=[take.pk])}?page={page.number}")
    return _stocktake_page(request, take)


def _post_stocktake(request, take):
    """Post, or ask first: differences over the threshold come back as a confirmation
    box listing them, with the reason kept, until the poster confirms."""
    form = PostStocktakeForm(request.POST)
    if not form.is_valid():
        return _stocktake_page(request, take, post_form=form)
    try:
        services.post_stocktake(
            take,
            reason=form.cleaned_data["reason"],
            confirmed=form.cleaned_data["confirmed"],
            actor=request.user,
        )
    except StocktakeNeedsConfirmation as exc:
        return _stocktake_page(request, take, post_form=form, confirm=exc.lines)
    except (Conflict, PermissionDenied, ValidationError) as exc:
        form.add_error(None, _error_text(exc))
        return _stocktake_page(request, take, post_form=form)
    messages.success(request, _("Stocktake posted: differences adjusted."))
    return redirect("spareparts:stocktake", pk=take.pk)


@login_required
@require_POST
def stocktake_action(request, pk: int, action: str):
    take = get_object_or_404(Stocktake.objects.select_related("depot"), pk=pk)
    if action == "post":
        return _post_stocktake(request, take)
    if action == "cancel":
        _run(
            request,
            lambda: services.cancel_stocktake(take, actor=request.user),
            _("Stocktake cancelled."),
        )
        return redirect("spareparts:stocktake", pk=take.pk)
    raise Http404


# --- traceability -----------------------------------------------------------------------


@login_required
@permission_required("spareparts.view_stockmove", raise_exception=True)
def trace(request):
    form = TraceForm(request.GET or None)
    result = None
    incident = None
    if form.is_valid() and form.cleaned_data["q"]:
        q = form.cleaned_data["q"].strip()
        incident = Incident.objects.filter(number__iexact=q).first()
        result = services.trace_lot(q)
    used = services.parts_for_incident(incident) if incident else None
    lots = incident.stock_moves.exclude(lot="").select_related("part") if incident else None
    return render(
        request,
        "spareparts/trace.html",
        {
            "form": form,
            "result": result,
            "incident": incident,
            "used": used,
            "lots": lots,
        },
    )


# --- incident and job panels ------------------------------------------------------------


def _panel_service(action: str, incident, d: dict, actor):
    """The service call of a panel action, and what to say when it worked."""
    common = {"part": d["part"], "depot": d["depot"], "actor": actor}
    said = {"part": d["part"].sku, "n": d.get("quantity"), "depot": d["depot"].label}
    if action == "reserve":
        return (
            lambda: services.reserve_part(incident, quantity=d["quantity"], **common),
            _("Reserved: %(part)s × %(n)s at %(depot)s.") % said,
        )
    if action in ("issue", "used"):
        text = (
            _("Recorded as used: %(part)s × %(n)s from %(depot)s.")
            if action == "used"
            else _("Issued: %(part)s × %(n)s from %(depot)s.")
        )
        return (
            lambda: services.issue_part(incident, quantity=d["quantity"], lots=d["lots"], **common),
            text % said,
        )
    if action == "return":
        return (
            lambda: services.return_part(
                incident, quantity=d["quantity"], lots=d["lots"], reason=d["reason"], **common
            ),
            _("Returned to stock: %(part)s × %(n)s at %(depot)s.") % said,
        )
    return (
        lambda: services.release_part(incident, **common),
        _("Released: %(part)s at %(depot)s.") % said,
    )


def _panel_action(request, incident, action: str):
    """Validate and run one panel action. (outcome, service errors for the session)."""
    form = panels.make_form(action, incident, request.POST)
    data = {k: v for k, v in request.POST.items() if k.startswith(f"{form.prefix or ''}")}
    data.pop("csrfmiddlewaretoken", None)
    outcome = panels.Outcome(incident.pk, action, ok=False, data=data, form=form)
    if not form.is_valid():
        return outcome, []
    call, said = _panel_service(action, incident, form.cleaned_data, request.user)
    try:
        moves = call()
    except ValidationError as exc:
        errors = exc.message_dict if hasattr(exc, "error_dict") else exc.messages
        panels.add_service_error(form, errors)
        return outcome, errors
    except (Conflict, PermissionDenied) as exc:
        errors = [_error_text(exc)]
        panels.add_service_error(form, errors)
        return outcome, errors
    if action in ("issue", "used"):  # a reservation held elsewhere was let go: say so
        said = " ".join(
            [said]
            + [
                _("Reservation released: %(n)s at %(depot)s.")
                % {"n": m.quantity, "depot": m.depot.label}
                for m in moves
                if m.kind == MoveKind.RELEASE
            ]
        )
    return panels.Outcome(incident.pk, action, ok=True, message=said), []


@login_required
@require_POST
def incident_parts(request, pk: int, action: str):
    """A panel action. HTMX: the panel comes back with the outcome beside the form. A
    full-page post goes back (to ``next`` or the incident) at the panel, which shows the
    outcome and, after a failure, the form as typed with its errors."""
    incident = get_object_or_404(Incident.objects.visible_to(request.user), pk=pk)
    if action not in panels.FORMS:
        raise Http404
    outcome, errors = _panel_action(request, incident, action)
    panel = panels.job_panel if action == "used" else panels.incident_panel
    if request.headers.get("HX-Request"):
        result = panel(request, incident, outcome)
        if result is None:
            raise PermissionDenied
        response = render(request, *result)
        if outcome.ok:
            response["HX-Trigger"] = "parts-changed"
        return response
    panels.remember(request, outcome, errors)
    anchor = f"#parts-{incident.pk}" if action == "used" else "#parts"
    target = (request.POST.get("next") or "").split("#")[0]
    if not (target and url_has_allowed_host_and_scheme(target, {request.get_host()})):
        target = reverse("incidents:detail", args=[incident.pk])
    return redirect(target + anchor)


@login_required
@require_POST
def unit_return_received(request, pk: int):
    ret = get_object_or_404(UnitReturn, pk=pk)
    _run(
        request,
        lambda: services.receive_failed_unit(ret, actor=request.user),
        _("Failed unit received."),
    )
    return _back(request, reverse("incidents:detail", args=[ret.incident_id]))
