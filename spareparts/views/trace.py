"""Traceability: where a serial or batch number went, or what an incident used."""

from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import render

from incidents.models import Incident
from spareparts import services
from spareparts.forms import TraceForm


@login_required
@permission_required("spareparts.view_stockmove", raise_exception=True)
def trace(request):
    form = TraceForm(request.GET or None)
    result = None
    incident = None
    if form.is_valid() and form.cleaned_data["q"]:
        q = form.cleaned_data["q"].strip()
        incident = Incident.objects.restrict(request.user).filter(number__iexact=q).first()
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
