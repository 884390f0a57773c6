"""Stocktakes: open a count sheet, record counts, post the differences (asking first when
they are large), cancel."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.web import SERVICE_ERRORS, error_text, run_service
from spareparts import services
from spareparts.exceptions import StocktakeNeedsConfirmation
from spareparts.filtersets import StocktakeLineFilterSet
from spareparts.forms import PostStocktakeForm, StocktakeForm
from spareparts.models import Stocktake, StocktakeStatus
from spareparts.views.common import paginate

SHEET_PAGE_SIZE = 100


@login_required
@permission_required("spareparts.view_stocktake", raise_exception=True)
def stocktakes(request):
    form = StocktakeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            take = services.open_stocktake(actor=request.user, **form.cleaned_data)
        except SERVICE_ERRORS as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, _("Count sheet opened."))
            return redirect("spareparts:stocktake", pk=take.pk)
    qs = Stocktake.objects.select_related("depot", "created_by").annotate(
        n_lines=Count("lines"), n_counted=Count("lines", filter=Q(lines__counted__isnull=False))
    )
    return render(
        request, "spareparts/stocktakes.html", {"form": form, "page": paginate(request, qs)}
    )


def _sheet(request, take):
    """The page of the count sheet the request shows (all lines, or the differences)."""
    filterset = StocktakeLineFilterSet(request.GET, queryset=take.lines.select_related("part"))
    return filterset, paginate(request, filterset.qs, SHEET_PAGE_SIZE)


def _stocktake_page(request, take, *, post_form=None, confirm=None):
    filterset, page = _sheet(request, take)
    return render(
        request,
        "spareparts/stocktake.html",
        {
            "take": take,
            "page": page,
            "only_diff": bool(filterset.form.is_valid() and filterset.form.cleaned_data["diff"]),
            "editable": take.status == StocktakeStatus.OPEN,
            "post_form": post_form or PostStocktakeForm(),
            "confirm": confirm,
            "confirm_over": settings.SPAREPARTS_STOCKTAKE_CONFIRM_OVER,
        },
    )


def _counts(request, page) -> dict:
    """The counts typed on this page of the sheet; a blank or non-number clears a count."""
    counts = {}
    for line in page:
        raw = request.POST.get(f"count-{line.part_id}")
        if raw is not None:
            raw = raw.strip()
            counts[line.part_id] = int(raw) if raw.isdigit() else None
    return counts


@login_required
@permission_required("spareparts.view_stocktake", raise_exception=True)
def stocktake_detail(request, pk: int):
    take = get_object_or_404(Stocktake.objects.select_related("depot"), pk=pk)
    if request.method == "POST":
        _filter, page = _sheet(request, take)
        if run_service(
            request,
            lambda: services.record_counts(take, _counts(request, page), actor=request.user),
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
        services.post_stocktake(take, actor=request.user, **form.cleaned_data)
    except StocktakeNeedsConfirmation as exc:
        return _stocktake_page(request, take, post_form=form, confirm=exc.lines)
    except SERVICE_ERRORS as exc:
        form.add_error(None, error_text(exc))
        return _stocktake_page(request, take, post_form=form)
    messages.success(request, _("Stocktake posted: differences adjusted."))
    return redirect("spareparts:stocktake", pk=take.pk)


def _cancel_stocktake(request, take):
    run_service(
        request,
        lambda: services.cancel_stocktake(take, actor=request.user),
        _("Stocktake cancelled."),
    )
    return redirect("spareparts:stocktake", pk=take.pk)


# The sheet's buttons: each answers with its own page.
STOCKTAKE_ACTIONS = {"post": _post_stocktake, "cancel": _cancel_stocktake}


@login_required
@require_POST
def stocktake_action(request, pk: int, action: str):
    take = get_object_or_404(Stocktake.objects.select_related("depot"), pk=pk)
    if action not in STOCKTAKE_ACTIONS:
        raise Http404
    return STOCKTAKE_ACTIONS[action](request, take)
