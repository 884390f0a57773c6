"""Transfers between depots: the list (a FilterSet), shipping one, receiving or cancelling."""

from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.web import run_service
from spareparts import services
from spareparts.filtersets import TransferFilterSet
from spareparts.forms import TransferForm
from spareparts.models import Transfer
from spareparts.views.common import form_errors, paginate, run_action, sku_suggestions

# What the buttons of a transfer row do, and what is said when it worked.
TRANSFER_ACTIONS = {
    "receive": (services.receive_transfer, gettext_lazy("Transfer received.")),
    "cancel": (
        services.cancel_transfer,
        gettext_lazy("Transfer cancelled: back in the source depot."),
    ),
}


@login_required
@permission_required("spareparts.view_transfer", raise_exception=True)
def transfers(request):
    form = TransferForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            if run_service(
                request,
                lambda: services.ship_transfer(actor=request.user, **form.cleaned_data),
                _("Transfer shipped: in transit."),
            ):
                return redirect("spareparts:transfers")
        else:
            form_errors(request, form)
    filterset = TransferFilterSet(
        request.GET, queryset=Transfer.objects.select_related("part", "from_depot", "to_depot")
    )
    return render(
        request,
        "spareparts/transfers.html",
        {
            "form": form,
            "filter": filterset,
            "page": paginate(request, filterset.rows),
            "skus": sku_suggestions(),
        },
    )


@login_required
@require_POST
def transfer_action(request, pk: int, action: str):
    run_action(request, TRANSFER_ACTIONS, action, get_object_or_404(Transfer, pk=pk))
    return redirect("spareparts:transfers")
